//===- InitAll.h - register every LowBit dialect and pass -------*- C++ -*-===//
//
// The one place every tool gets its dialects and passes from.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_INITALL_H
#define LOWBIT_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace lowbit {

/// LowBit's dialects plus every upstream dialect and extension its pipelines
/// produce or parse.
void registerAllDialects(mlir::DialectRegistry &registry);

/// LowBit's passes and pipelines plus the upstream passes.
void registerAllPasses();

} // namespace lowbit

#endif // LOWBIT_INITALL_H
