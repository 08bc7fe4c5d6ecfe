//===- LowbitDialect.td - the lowbit graph dialect ---------*- tablegen -*-===//
//
// The graph-level dialect LowBit imports ONNX into and quantizes. Tensors are
// ranked and statically shaped; quantized element types are upstream
// `!quant.uniform` types (per-tensor, per-axis, sub-channel).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_TD
#define LOWBIT_DIALECT_TD

include "mlir/IR/OpBase.td"

def Lowbit_Dialect : Dialect {
  let name = "lowbit";
  let cppNamespace = "::lowbit";
  let summary = "Graph-level dialect of the LowBit quantization compiler";
  let description = [{
    `lowbit` models a neural network graph at the level of ONNX operators:
    value semantics on ranked, statically shaped tensors, with operator
    attributes normalized at import (explicit pads, explicit axes, no
    optional-input ambiguity). Quantized tensors use the upstream `quant`
    dialect's element types, so `lowbit.quantize`, `lowbit.dequantize` and
    `lowbit.requantize` carry all scale and zero-point information in types.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
}

#endif // LOWBIT_DIALECT_TD
