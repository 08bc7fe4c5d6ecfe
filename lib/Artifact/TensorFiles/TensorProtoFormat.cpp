//===- TensorProtoFormat.cpp - ONNX TensorProto .pb files -----------------===//
//
// Reads and writes ONNX TensorProto files through libonnx's generated
// onnx::TensorProto. protobuf does the wire format; this file turns the
// message into a dense TensorData (raw_data or the typed field the element
// type uses) and checks that the data matches the shape.
//
//===----------------------------------------------------------------------===//

#include "TensorFileIO.h"
#include "lowbit/Artifact/TensorFiles.h"

#include "llvm/ADT/bit.h"

#include "onnx/onnx_pb.h"

#include <climits>

using namespace lowbit;
using namespace lowbit::detail;

/// Stores the low `size` bytes of `value` little-endian at `out`.
static void storeLittleEndian(uint64_t value, size_t size, uint8_t *out) {
  for (size_t i = 0; i < size; ++i)
    out[i] = static_cast<uint8_t>(value >> (8 * i));
}

llvm::Expected<TensorData> lowbit::parseTensorProto(llvm::StringRef bytes,
                                                    llvm::StringRef fileName) {
  // protobuf messages, and so ParseFromArray, are limited to 2 GiB.
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return makeFileError(fileName, "is larger than 2 GiB, too large for an "
                                   "ONNX TensorProto");
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return makeFileError(fileName, "not a valid ONNX TensorProto: the "
                                   "protobuf is truncated or corrupt");

  const std::string &name = proto.name();
  if (proto.data_location() == onnx::TensorProto::EXTERNAL ||
      proto.external_data_size() > 0)
    return makeFileError(fileName, "tensor '" + name +
                                       "' keeps its data in an external "
                                       "file, which is not supported");
  int64_t dataType = proto.data_type();
  size_t elementSize = getDTypeSize(dataType);
  if (elementSize == 0)
    return makeFileError(fileName, "tensor '" + name +
                                       "' has unsupported data type " +
                                       getDTypeName(dataType) + " (" +
                                       llvm::Twine(dataType) + ")");

  TensorData tensor;
  tensor.name = name;
  tensor.dtype = static_cast<lowbit_dtype>(dataType);
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  uint64_t count = 1;
  for (int64_t dim : tensor.shape)
    if (dim < 0 || __builtin_mul_overflow(count, uint64_t(dim), &count))
      return makeFileError(fileName, "tensor '" + name + "' has invalid dims " +
                                         formatShape(tensor.shape));
  uint64_t byteSize;
  if (__builtin_mul_overflow(count, uint64_t(elementSize), &byteSize))
    return makeFileError(fileName, "tensor '" + name + "' is too large");

  auto sizeMismatch = [&](const char *what, uint64_t found) {
    return makeFileError(fileName, "tensor '" + name + "' of type " +
                                       tensor.getTypeString() + " needs " +
                                       llvm::Twine(count) + " elements (" +
                                       llvm::Twine(byteSize) + " bytes) but " +
                                       what + " holds " + llvm::Twine(found));
  };

  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != byteSize)
      return sizeMismatch("raw_data", raw.size());
    tensor.data.assign(raw.begin(), raw.end());
    return tensor;
  }

  // Which typed field holds the values depends on the element type. Check
  // its length before allocating: a corrupt or foreign message (say, a
  // SequenceProto) can claim dims whose product is absurd.
  const char *fieldName;
  uint64_t found;
  switch (tensor.dtype) {
  case LOWBIT_DTYPE_FLOAT32:
    fieldName = "float_data";
    found = proto.float_data_size();
    break;
  case LOWBIT_DTYPE_FLOAT64:
    fieldName = "double_data";
    found = proto.double_data_size();
    break;
  case LOWBIT_DTYPE_INT64:
    fieldName = "int64_data";
    found = proto.int64_data_size();
    break;
  case LOWBIT_DTYPE_UINT32:
  case LOWBIT_DTYPE_UINT64:
    fieldName = "uint64_data";
    found = proto.uint64_data_size();
    break;
  default:
    // int8/16/32, uint8/16, bool and float16 (as its bits) use int32_data.
    fieldName = "int32_data";
    found = proto.int32_data_size();
    break;
  }
  if (found != count)
    return sizeMismatch(fieldName, found);

  tensor.data.resize(byteSize);
  uint8_t *out = tensor.data.data();
  switch (tensor.dtype) {
  case LOWBIT_DTYPE_FLOAT32:
    for (uint64_t i = 0; i < count; ++i)
      storeLittleEndian(llvm::bit_cast<uint32_t>(proto.float_data(i)), 4,
                        out + 4 * i);
    break;
  case LOWBIT_DTYPE_FLOAT64:
    for (uint64_t i = 0; i < count; ++i)
      storeLittleEndian(llvm::bit_cast<uint64_t>(proto.double_data(i)), 8,
                        out + 8 * i);
    break;
  case LOWBIT_DTYPE_INT64:
    for (uint64_t i = 0; i < count; ++i)
      storeLittleEndian(static_cast<uint64_t>(proto.int64_data(i)), 8,
                        out + 8 * i);
    break;
  case LOWBIT_DTYPE_UINT32:
  case LOWBIT_DTYPE_UINT64:
    for (uint64_t i = 0; i < count; ++i)
      storeLittleEndian(proto.uint64_data(i), elementSize,
                        out + elementSize * i);
    break;
  default:
    // Narrower types keep the low bytes: -128 in int32_data is int8 0x80.
    for (uint64_t i = 0; i < count; ++i)
      storeLittleEndian(static_cast<uint32_t>(proto.int32_data(i)),
                        elementSize, out + elementSize * i);
    if (tensor.dtype == LOWBIT_DTYPE_BOOL)
      for (uint64_t i = 0; i < count; ++i)
        out[i] = out[i] != 0;
    break;
  }
  return tensor;
}

llvm::Expected<TensorData> lowbit::readTensorProtoFile(llvm::StringRef path) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      readWholeFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseTensorProto((*buffer)->getBuffer(), path);
}

/// Builds the message for `tensor`: dims, data_type, name (when there is
/// one) and raw_data.
static onnx::TensorProto buildTensorProto(const TensorData &tensor) {
  onnx::TensorProto proto;
  for (int64_t dim : tensor.shape)
    proto.add_dims(dim);
  proto.set_data_type(tensor.dtype);
  if (!tensor.name.empty())
    proto.set_name(tensor.name);
  proto.set_raw_data(tensor.data.data(), tensor.data.size());
  return proto;
}

/// Serializes `proto`, or returns false when it is over protobuf's 2 GiB
/// limit (checked first, so protobuf logs nothing).
static bool serialize(const onnx::TensorProto &proto, std::string &out) {
  if (proto.ByteSizeLong() > static_cast<size_t>(INT_MAX))
    return false;
  return proto.SerializeToString(&out);
}

std::string lowbit::serializeTensorProto(const TensorData &tensor) {
  std::string out;
  if (!serialize(buildTensorProto(tensor), out))
    out.clear();
  return out;
}

llvm::Error lowbit::writeTensorProtoFile(llvm::StringRef path,
                                         const TensorData &tensor) {
  std::string bytes;
  if (!serialize(buildTensorProto(tensor), bytes))
    return makeFileError(path, "cannot write: tensor '" + tensor.name + "' (" +
                                   llvm::Twine(tensor.data.size()) +
                                   " bytes) is over the 2 GiB an ONNX "
                                   "TensorProto can hold");
  return writeFileAtomically(path, bytes);
}
