//===- Calibration.h - calibration statistics files -------------*- C++ -*-===//
//
// The compile driver calibrates in process (CompileOptions::calibDir); this
// header holds what tools do with stats files on their own.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_ARTIFACT_CALIBRATION_H
#define LOWBIT_ARTIFACT_CALIBRATION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace lowbit {

/// Merges the stats files `inputs`, collected on shards of one calibration
/// set for the same model (`quant-compile --merge-stats a.json b.json -o
/// c.json`): sample counts add, per-tensor statistics combine. Writes the
/// result to `output` atomically. Errors name the file at fault.
llvm::Error mergeStatsFiles(llvm::ArrayRef<std::string> inputs,
                            llvm::StringRef output);

} // namespace lowbit

#endif // LOWBIT_ARTIFACT_CALIBRATION_H
