//===- TensorFiles.cpp - Data types and format dispatch -------------------===//
//
// What the three tensor file formats share: element type names and sizes,
// shape formatting, and choosing a reader or writer by file extension.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Artifact/TensorFiles.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

using namespace lowbit;

int64_t TensorData::getNumElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::string TensorData::getTypeString() const {
  return formatTensorType(dtype, shape);
}

size_t lowbit::getDTypeSize(int dtype) {
  switch (dtype) {
  case LOWBIT_DTYPE_UINT8:
  case LOWBIT_DTYPE_INT8:
  case LOWBIT_DTYPE_BOOL:
    return 1;
  case LOWBIT_DTYPE_UINT16:
  case LOWBIT_DTYPE_INT16:
  case LOWBIT_DTYPE_FLOAT16:
    return 2;
  case LOWBIT_DTYPE_FLOAT32:
  case LOWBIT_DTYPE_INT32:
  case LOWBIT_DTYPE_UINT32:
    return 4;
  case LOWBIT_DTYPE_INT64:
  case LOWBIT_DTYPE_FLOAT64:
  case LOWBIT_DTYPE_UINT64:
    return 8;
  default:
    return 0;
  }
}

std::string lowbit::getDTypeName(int dtype) {
  // Codes from onnx.proto's TensorProto.DataType, including the ones the
  // runtime cannot hold, so that errors about them are readable.
  switch (dtype) {
  case 0:
    return "undefined";
  case 1:
    return "float32";
  case 2:
    return "uint8";
  case 3:
    return "int8";
  case 4:
    return "uint16";
  case 5:
    return "int16";
  case 6:
    return "int32";
  case 7:
    return "int64";
  case 8:
    return "string";
  case 9:
    return "bool";
  case 10:
    return "float16";
  case 11:
    return "float64";
  case 12:
    return "uint32";
  case 13:
    return "uint64";
  case 14:
    return "complex64";
  case 15:
    return "complex128";
  case 16:
    return "bfloat16";
  case 17:
    return "float8e4m3fn";
  case 18:
    return "float8e4m3fnuz";
  case 19:
    return "float8e5m2";
  case 20:
    return "float8e5m2fnuz";
  default:
    return "dtype" + std::to_string(dtype);
  }
}

std::string lowbit::formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string result = "[";
  llvm::ListSeparator separator(", ");
  for (int64_t dim : shape) {
    result += separator;
    result += std::to_string(dim);
  }
  return result + "]";
}

std::string lowbit::formatTensorType(int dtype, llvm::ArrayRef<int64_t> shape) {
  return getDTypeName(dtype) + formatShape(shape);
}

std::optional<TensorFileFormat>
lowbit::getTensorFileFormat(llvm::StringRef path) {
  llvm::StringRef extension = llvm::sys::path::extension(path);
  if (extension.equals_insensitive(".npy"))
    return TensorFileFormat::Npy;
  if (extension.equals_insensitive(".npz"))
    return TensorFileFormat::Npz;
  if (extension.equals_insensitive(".pb"))
    return TensorFileFormat::TensorProto;
  return std::nullopt;
}

llvm::Expected<std::vector<TensorData>>
lowbit::readTensorFile(llvm::StringRef path) {
  std::optional<TensorFileFormat> format = getTensorFileFormat(path);
  if (!format)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "%s: unknown tensor file type (expected .npy, .npz or .pb)",
        path.str().c_str());
  if (*format == TensorFileFormat::Npz)
    return readNpzFile(path);
  llvm::Expected<TensorData> tensor = *format == TensorFileFormat::Npy
                                          ? readNpyFile(path)
                                          : readTensorProtoFile(path);
  if (!tensor)
    return tensor.takeError();
  std::vector<TensorData> tensors;
  tensors.push_back(std::move(*tensor));
  return tensors;
}

llvm::Error lowbit::writeTensorFile(llvm::StringRef path,
                                    const TensorData &tensor,
                                    TensorFileFormat format) {
  switch (format) {
  case TensorFileFormat::Npy:
    return writeNpyFile(path, tensor);
  case TensorFileFormat::TensorProto:
    return writeTensorProtoFile(path, tensor);
  case TensorFileFormat::Npz:
    break;
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "%s: writing .npz archives is not supported",
                                 path.str().c_str());
}
