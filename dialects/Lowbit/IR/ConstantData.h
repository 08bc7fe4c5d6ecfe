//===- ConstantData.h - read and make weight blobs --------------*- C++ -*-===//
//
// Weights live as `dense_resource` blobs so they never go through the text
// printer. These helpers read either form of constant and make new blobs.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECTS_LOWBIT_IR_CONSTANTDATA_H
#define LOWBIT_DIALECTS_LOWBIT_IR_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace lowbit {

/// The elements of a constant of f32 element type, dense or dense_resource.
/// Returns nothing for other element types or unreadable blobs.
std::optional<llvm::SmallVector<float>> getF32Values(mlir::ElementsAttr attr);

/// The elements of an integer constant, sign-extended to i64.
std::optional<llvm::SmallVector<int64_t>> getI64Values(mlir::ElementsAttr attr);

/// A `dense_resource` attribute holding a copy of `bytes` (the raw
/// little-endian element data of `type`) under a blob named after `name`.
mlir::ElementsAttr makeResourceElements(mlir::ShapedType type,
                                        llvm::StringRef name,
                                        llvm::ArrayRef<char> bytes);

/// An f32 constant: a splat or small tensor stays dense (readable in tests),
/// anything else becomes a `dense_resource` blob.
mlir::ElementsAttr makeF32Elements(mlir::ShapedType type, llvm::StringRef name,
                                   llvm::ArrayRef<float> values);

} // namespace lowbit

#endif // LOWBIT_DIALECTS_LOWBIT_IR_CONSTANTDATA_H
