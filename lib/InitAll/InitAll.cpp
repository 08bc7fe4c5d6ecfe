//===- InitAll.cpp - register every LowBit dialect and pass ----------------===//

#include "lowbit/InitAll.h"

#include "dialects/Lowbit/IR/LowbitDialect.h"
#include "dialects/Lowbit/Transforms/Passes.h"
#include "lowbit/Conversion/Passes.h"
#include "lowbit/Target/CPU/CPUPipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

void lowbit::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<lowbit::LowbitDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

void lowbit::registerAllPasses() {
  mlir::registerAllPasses();
  lowbit::registerLowbitPasses();
  lowbit::registerLowbitConversionPasses();
  lowbit::registerLowbitCPUPasses();
}
