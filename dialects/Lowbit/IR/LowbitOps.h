//===- LowbitOps.h - lowbit graph operations --------------------*- C++ -*-===//

#ifndef LOWBIT_DIALECTS_LOWBIT_IR_LOWBITOPS_H
#define LOWBIT_DIALECTS_LOWBIT_IR_LOWBITOPS_H

#include "dialects/Lowbit/IR/LowbitDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Lowbit/IR/LowbitOps.h.inc"

#endif // LOWBIT_DIALECTS_LOWBIT_IR_LOWBITOPS_H
