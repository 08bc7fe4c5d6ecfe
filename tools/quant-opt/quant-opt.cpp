//===- quant-opt.cpp - mlir-opt for LowBit dialects and passes -------------===//

#include "lowbit/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  lowbit::registerAllPasses();
  mlir::DialectRegistry registry;
  lowbit::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "LowBit optimizer driver\n", registry));
}
