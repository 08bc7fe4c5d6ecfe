//===- LowbitDialect.cpp - the lowbit graph dialect ------------------------===//

#include "dialects/Lowbit/IR/LowbitDialect.h"
#include "dialects/Lowbit/IR/LowbitOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace lowbit;

#include "dialects/Lowbit/IR/LowbitOpsDialect.cpp.inc"

#include "dialects/Lowbit/IR/LowbitEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Lowbit/IR/LowbitAttrs.cpp.inc"

void LowbitDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Lowbit/IR/LowbitOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Lowbit/IR/LowbitAttrs.cpp.inc"
      >();
}

Operation *LowbitDialect::materializeConstant(OpBuilder &builder,
                                              Attribute value, Type type,
                                              Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
