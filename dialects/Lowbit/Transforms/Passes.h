//===- Passes.h - lowbit graph transformations ------------------*- C++ -*-===//

#ifndef LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_PASSES_H
#define LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_PASSES_H

#include "dialects/Lowbit/IR/LowbitOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace lowbit {

#define GEN_PASS_DECL
#include "dialects/Lowbit/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/Lowbit/Transforms/Passes.h.inc"

} // namespace lowbit

#endif // LOWBIT_DIALECTS_LOWBIT_TRANSFORMS_PASSES_H
