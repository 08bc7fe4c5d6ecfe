//===- QuantizedContraction.h - lower quantized matmul and conv -*- C++ -*-===//

#ifndef LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_QUANTIZEDCONTRACTION_H
#define LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_QUANTIZEDCONTRACTION_H

#include "mlir/Transforms/DialectConversion.h"

namespace lowbit {

/// quantized_matmul and quantized_conv: integer kernels, weight-only and
/// dynamic ones (see QuantizedContraction.cpp and docs/IR-Contract.md).
void populateLowbitQuantizedContractionToLinalgPatterns(
    const mlir::TypeConverter &typeConverter,
    mlir::RewritePatternSet &patterns);

} // namespace lowbit

#endif // LOWBIT_LIB_CONVERSION_LOWBITTOLINALG_QUANTIZEDCONTRACTION_H
