//===- LowbitDialect.h - the lowbit graph dialect ---------------*- C++ -*-===//

#ifndef LOWBIT_DIALECTS_LOWBIT_IR_LOWBITDIALECT_H
#define LOWBIT_DIALECTS_LOWBIT_IR_LOWBITDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/Lowbit/IR/LowbitOpsDialect.h.inc"

#include "dialects/Lowbit/IR/LowbitEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Lowbit/IR/LowbitAttrs.h.inc"

#endif // LOWBIT_DIALECTS_LOWBIT_IR_LOWBITDIALECT_H
