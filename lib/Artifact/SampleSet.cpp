//===- SampleSet.cpp - folders of model inputs (--calib, --eval) ----------===//

#include "lib/Artifact/SampleSet.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"

#include <algorithm>

using namespace lowbit;
using llvm::SmallString;
using llvm::StringRef;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 message.str());
}

std::string joinPath(StringRef dir, StringRef name) {
  SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  return path.str().str();
}

bool isHidden(StringRef name) { return name.starts_with("."); }

/// The entries of `dir` (names only), sorted bytewise.
llvm::Expected<std::vector<std::string>> listDirectory(StringRef dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (llvm::sys::fs::directory_iterator it(dir, error), end;
       it != end && !error; it.increment(error))
    names.push_back(llvm::sys::path::filename(it->path()).str());
  if (error)
    return makeError("cannot read folder '" + dir + "': " + error.message());
  llvm::sort(names);
  return names;
}

/// The tensor files (.npy, .pb) of a sample folder, sorted.
llvm::Expected<std::vector<std::string>> listSampleFolder(StringRef dir) {
  llvm::Expected<std::vector<std::string>> names = listDirectory(dir);
  if (!names)
    return names.takeError();
  std::vector<std::string> files;
  for (const std::string &name : *names) {
    if (isHidden(name) || llvm::sys::fs::is_directory(joinPath(dir, name)))
      continue;
    std::optional<TensorFileFormat> format = getTensorFileFormat(name);
    if (format == TensorFileFormat::Npy ||
        format == TensorFileFormat::TensorProto)
      files.push_back(name);
  }
  return files;
}

void hashFile(llvm::SHA256 &hash, StringRef relativePath, StringRef bytes) {
  hash.update(relativePath);
  hash.update(llvm::ArrayRef<uint8_t>{0});
  uint8_t size[8];
  llvm::support::endian::write64le(size, bytes.size());
  hash.update(llvm::ArrayRef<uint8_t>(size));
  hash.update(bytes);
}

llvm::Error hashPath(llvm::SHA256 &hash, StringRef dir,
                     StringRef relativePath) {
  std::string path = joinPath(dir, relativePath);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError("cannot read '" + path +
                     "': " + buffer.getError().message());
  hashFile(hash, relativePath, (*buffer)->getBuffer());
  return llvm::Error::success();
}

std::string describeNames(llvm::ArrayRef<TensorInfo> inputs) {
  return llvm::join(llvm::map_range(inputs,
                                    [](const TensorInfo &input) {
                                      return input.name;
                                    }),
                    ", ");
}

std::string describeNames(llvm::ArrayRef<TensorData> tensors) {
  return llvm::join(llvm::map_range(tensors,
                                    [](const TensorData &tensor) {
                                      return "'" + tensor.name + "'";
                                    }),
                    ", ");
}

} // namespace

llvm::Expected<SampleSet> lowbit::openSampleSet(StringRef dir, StringRef flag,
                                                StringRef role) {
  if (!llvm::sys::fs::exists(dir))
    return makeError(flag + ": " + role + " folder '" + dir +
                     "' does not exist");
  if (!llvm::sys::fs::is_directory(dir))
    return makeError(flag + ": " + role + " folder '" + dir +
                     "' is not a folder");
  llvm::Expected<std::vector<std::string>> names = listDirectory(dir);
  if (!names)
    return names.takeError();

  SampleSet set;
  set.dir = dir.str();
  set.role = role.str();
  llvm::SHA256 hash;
  for (const std::string &name : *names) {
    if (isHidden(name))
      continue;
    std::string path = joinPath(dir, name);
    if (llvm::sys::fs::is_directory(path)) {
      llvm::Expected<std::vector<std::string>> files = listSampleFolder(path);
      if (!files)
        return files.takeError();
      if (files->empty())
        continue;
      for (const std::string &file : *files)
        if (llvm::Error error = hashPath(hash, dir, name + "/" + file))
          return std::move(error);
      set.samples.push_back(name);
      continue;
    }
    if (!getTensorFileFormat(name))
      continue;
    if (llvm::Error error = hashPath(hash, dir, name))
      return std::move(error);
    set.samples.push_back(name);
  }
  if (set.samples.empty())
    return makeError(flag + ": " + role + " folder '" + dir +
                     "' holds no samples (.npy, .npz or .pb files, or "
                     "folders of them)");
  set.sha256 = llvm::toHex(hash.final(), /*LowerCase=*/true);
  return set;
}

llvm::Expected<std::vector<TensorData>>
lowbit::readSample(const SampleSet &set, size_t index,
                   llvm::ArrayRef<TensorInfo> inputs) {
  std::string path = joinPath(set.dir, set.samples[index]);
  std::string what = set.role + " " +
                     (llvm::sys::fs::is_directory(path) ? "folder" : "file") +
                     " '" + path + "'";

  // Everything the sample holds, with names.
  std::vector<TensorData> tensors;
  bool isArchive = false;
  if (llvm::sys::fs::is_directory(path)) {
    llvm::Expected<std::vector<std::string>> files = listSampleFolder(path);
    if (!files)
      return files.takeError();
    for (const std::string &file : *files) {
      llvm::Expected<std::vector<TensorData>> read =
          readTensorFile(joinPath(path, file));
      if (!read)
        return read.takeError();
      for (TensorData &tensor : *read) {
        // An unnamed TensorProto is named after its file.
        if (tensor.name.empty())
          tensor.name = llvm::sys::path::stem(file).str();
        tensors.push_back(std::move(tensor));
      }
    }
    isArchive = true;
  } else {
    llvm::Expected<std::vector<TensorData>> read = readTensorFile(path);
    if (!read)
      return read.takeError();
    tensors = std::move(*read);
    isArchive = getTensorFileFormat(path) == TensorFileFormat::Npz;
  }

  // Bind the tensors to the inputs: by name, or in order when the names do
  // not all match but the count does (an ONNX test's input_0.pb ...), or the
  // only tensor to the only input.
  std::vector<const TensorData *> bound(inputs.size(), nullptr);
  bool allNamed = true;
  for (auto [i, input] : llvm::enumerate(inputs)) {
    StringRef name = input.name;
    auto it = llvm::find_if(
        tensors, [&](const TensorData &tensor) { return tensor.name == name; });
    if (it == tensors.end())
      allNamed = false;
    else
      bound[i] = &*it;
  }
  if (allNamed && tensors.size() > inputs.size()) {
    for (const TensorData &tensor : tensors)
      if (llvm::none_of(inputs, [&](const TensorInfo &input) {
            return input.name == tensor.name;
          }))
        return makeError(what + " holds '" + tensor.name +
                         "', which is not a model input (inputs: " +
                         describeNames(inputs) + ")");
  }
  if (!allNamed) {
    if (tensors.size() != inputs.size()) {
      if (!isArchive)
        return makeError(what + " holds one tensor but the model has " +
                         llvm::Twine(inputs.size()) + " inputs (" +
                         describeNames(inputs) +
                         "); give each sample as an .npz keyed by input "
                         "name or as a folder of one file per input");
      for (auto [i, input] : llvm::enumerate(inputs))
        if (!bound[i])
          return makeError(what + " has no tensor for input '" + input.name +
                           "' (it holds " + describeNames(tensors) + ")");
    }
    for (auto [i, tensor] : llvm::enumerate(tensors))
      bound[i] = &tensor;
  }

  std::vector<TensorData> values;
  for (auto [input, tensor] : llvm::zip_equal(inputs, bound)) {
    if (tensor->dtype != input.dtype ||
        !llvm::equal(tensor->shape, input.shape))
      return makeError(what + ": input '" + input.name + "' must be " +
                       input.getTypeString() + ", the file holds " +
                       tensor->getTypeString());
    values.push_back(*tensor);
  }
  return values;
}
