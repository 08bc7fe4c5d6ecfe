//===- TensorFiles.h - .npy, .npz and ONNX TensorProto files ----*- C++ -*-===//
//
// Reading and writing the tensor files that tools exchange with the outside
// world: NumPy `.npy` (headers v1-v3, little-endian, C order), `.npz`
// archives of them (stored or deflated; read only), and ONNX `TensorProto`
// `.pb` files (raw_data or the typed repeated fields). Every error names the
// file and says what is wrong with it.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_ARTIFACT_TENSORFILES_H
#define LOWBIT_ARTIFACT_TENSORFILES_H

#include "lowbit/Runtime/lowbit_runtime.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lowbit {

/// A dense row-major tensor held in host memory. `data` holds exactly
/// `getNumElements() * getDTypeSize(dtype)` little-endian bytes; booleans are
/// one byte each (0 or 1), as in NumPy and the runtime's C API.
struct TensorData {
  /// The tensor's name: the TensorProto name, the `.npz` entry without its
  /// `.npy` suffix, or the stem of a `.npy` file. May be empty.
  std::string name;
  lowbit_dtype dtype = LOWBIT_DTYPE_FLOAT32;
  /// Empty for a scalar.
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  /// Product of `shape` (1 for a scalar).
  int64_t getNumElements() const;
  /// Human-readable type, e.g. `float32[1, 3, 224, 224]`.
  std::string getTypeString() const;
};

/// Size in bytes of one element of `dtype`, or 0 for a code the runtime does
/// not support.
size_t getDTypeSize(int dtype);

/// Name of an ONNX TensorProto data type code, lower case, as NumPy spells
/// it where it can (`float32`, `int64`, `bool`, `bfloat16`, `string`, ...);
/// `dtype<N>` for unknown codes.
std::string getDTypeName(int dtype);

/// Formats a shape as `[d0, d1, ...]` (`[]` for a scalar).
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Formats `dtype` and `shape` as `float32[1, 3]`.
std::string formatTensorType(int dtype, llvm::ArrayRef<int64_t> shape);

//===----------------------------------------------------------------------===//
// NumPy .npy
//===----------------------------------------------------------------------===//

/// Parses the bytes of a `.npy` file. `fileName` only names the file in
/// errors; the tensor is named `name`.
llvm::Expected<TensorData> parseNpy(llvm::StringRef bytes,
                                    llvm::StringRef fileName,
                                    llvm::StringRef name = "");

/// Reads a `.npy` file; the tensor is named after the file's stem.
llvm::Expected<TensorData> readNpyFile(llvm::StringRef path);

/// Serializes `tensor` as a version 1.0 `.npy` file (version 2.0 when the
/// header does not fit in 64 KiB).
std::string serializeNpy(const TensorData &tensor);

/// Writes `tensor` to `path` as `.npy`, through a temporary file renamed into
/// place so that a failure never leaves a partial file.
llvm::Error writeNpyFile(llvm::StringRef path, const TensorData &tensor);

//===----------------------------------------------------------------------===//
// NumPy .npz
//===----------------------------------------------------------------------===//

/// Parses the bytes of a `.npz` archive (zip, entries stored or deflated,
/// zip64 extensions understood), in archive order.
llvm::Expected<std::vector<TensorData>> parseNpz(llvm::StringRef bytes,
                                                 llvm::StringRef fileName);

/// Reads every array of a `.npz` archive.
llvm::Expected<std::vector<TensorData>> readNpzFile(llvm::StringRef path);

//===----------------------------------------------------------------------===//
// ONNX TensorProto .pb
//===----------------------------------------------------------------------===//

/// Parses a serialized ONNX `TensorProto` (through libonnx's generated
/// `onnx::TensorProto`).
llvm::Expected<TensorData> parseTensorProto(llvm::StringRef bytes,
                                            llvm::StringRef fileName);

/// Reads an ONNX `TensorProto` file such as a backend test's `input_0.pb`.
llvm::Expected<TensorData> readTensorProtoFile(llvm::StringRef path);

/// Serializes `tensor` as an ONNX `TensorProto` (dims, data_type, name,
/// raw_data). Returns an empty string when the message would exceed
/// protobuf's 2 GiB limit.
std::string serializeTensorProto(const TensorData &tensor);

/// Writes `tensor` to `path` as an ONNX `TensorProto`, atomically; fails
/// when the message would exceed protobuf's 2 GiB limit.
llvm::Error writeTensorProtoFile(llvm::StringRef path,
                                 const TensorData &tensor);

//===----------------------------------------------------------------------===//
// By file extension
//===----------------------------------------------------------------------===//

/// The file formats, chosen by extension.
enum class TensorFileFormat { Npy, Npz, TensorProto };

/// The format of `path` by its extension (`.npy`, `.npz`, `.pb`), or none.
std::optional<TensorFileFormat> getTensorFileFormat(llvm::StringRef path);

/// Reads `path` by its extension: one tensor for `.npy` and `.pb`, every
/// array for `.npz`.
llvm::Expected<std::vector<TensorData>> readTensorFile(llvm::StringRef path);

/// Writes one tensor to `path` in `format`, atomically.
llvm::Error writeTensorFile(llvm::StringRef path, const TensorData &tensor,
                            TensorFileFormat format);

} // namespace lowbit

#endif // LOWBIT_ARTIFACT_TENSORFILES_H
