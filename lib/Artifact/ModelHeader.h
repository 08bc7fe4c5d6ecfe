//===- ModelHeader.h - model.h of a CPU artifact ----------------*- C++ -*-===//

#ifndef LOWBIT_LIB_ARTIFACT_MODELHEADER_H
#define LOWBIT_LIB_ARTIFACT_MODELHEADER_H

#include "lowbit/Target/CPU/CPUCodegen.h"

#include "llvm/Support/raw_ostream.h"

namespace lowbit {

/// Writes model.h: the C API of lowbit_runtime.h followed by the model's
/// inputs and outputs (names, dtypes, shapes, byte sizes) as macros.
void writeModelHeader(const ModelSignature &signature,
                      llvm::StringRef modelFileName, llvm::raw_ostream &os);

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_MODELHEADER_H
