//===- ConstantData.cpp - read and make weight blobs -----------------------===//

#include "dialects/Lowbit/IR/ConstantData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinDialect.h"

using namespace mlir;

namespace lowbit {

/// Raw bytes of a dense_resource attribute, if its blob is loaded.
static std::optional<ArrayRef<char>> resourceBytes(ElementsAttr attr) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return std::nullopt;
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  return blob->getData();
}

std::optional<SmallVector<float>> getF32Values(ElementsAttr attr) {
  if (!attr.getElementType().isF32())
    return std::nullopt;
  if (std::optional<ArrayRef<char>> bytes = resourceBytes(attr)) {
    size_t count = attr.getNumElements();
    if (bytes->size() != count * sizeof(float))
      return std::nullopt;
    SmallVector<float> values(count);
    std::memcpy(values.data(), bytes->data(), bytes->size());
    return values;
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return SmallVector<float>(dense.getValues<float>());
  return std::nullopt;
}

std::optional<SmallVector<int64_t>> getI64Values(ElementsAttr attr) {
  auto intType = dyn_cast<IntegerType>(attr.getElementType());
  if (!intType)
    return std::nullopt;
  unsigned width = intType.getWidth();
  if (std::optional<ArrayRef<char>> bytes = resourceBytes(attr)) {
    size_t count = attr.getNumElements(), size = width == 1 ? 1 : width / 8;
    if (bytes->size() != count * size)
      return std::nullopt;
    SmallVector<int64_t> values;
    for (size_t i = 0; i < count; ++i) {
      const char *p = bytes->data() + i * size;
      switch (size) {
      case 1: values.push_back(width == 1 ? (*p != 0) : int8_t(*p)); break;
      case 2: { int16_t v; std::memcpy(&v, p, 2); values.push_back(v); break; }
      case 4: { int32_t v; std::memcpy(&v, p, 4); values.push_back(v); break; }
      case 8: { int64_t v; std::memcpy(&v, p, 8); values.push_back(v); break; }
      default: return std::nullopt;
      }
    }
    return values;
  }
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    SmallVector<int64_t> values;
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(width == 1 ? v.getZExtValue() : v.getSExtValue());
    return values;
  }
  return std::nullopt;
}

ElementsAttr makeResourceElements(ShapedType type, StringRef name,
                                  ArrayRef<char> bytes) {
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      bytes, alignof(std::max_align_t));
  return DenseResourceElementsAttr::get(type, name, std::move(blob));
}

ElementsAttr makeF32Elements(ShapedType type, StringRef name,
                             ArrayRef<float> values) {
  constexpr size_t kInlineLimit = 16;
  if (values.size() <= kInlineLimit || llvm::all_equal(values))
    return DenseElementsAttr::get(type, values.size() <= kInlineLimit
                                            ? values
                                            : values.take_front(1));
  return makeResourceElements(
      type, name,
      ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(float)));
}

} // namespace lowbit
