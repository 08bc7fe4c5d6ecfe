//===- Passes.h - LowBit dialect conversions --------------------*- C++ -*-===//
//
// Declarations and registration of the conversion passes declared in
// Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_CONVERSION_PASSES_H
#define LOWBIT_CONVERSION_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace lowbit {

#define GEN_PASS_DECL
#include "lowbit/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowbit/Conversion/Passes.h.inc"

} // namespace lowbit

#endif // LOWBIT_CONVERSION_PASSES_H
