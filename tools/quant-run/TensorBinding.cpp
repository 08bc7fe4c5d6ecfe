//===- TensorBinding.cpp - Tensor files to model inputs/outputs -----------===//

#include "TensorBinding.h"

#include "llvm/ADT/StringExtras.h"

using namespace lowbit;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

static llvm::StringRef getRoleName(BindingRole role) {
  return role == BindingRole::Input ? "input" : "output";
}

static llvm::StringRef getFlagName(BindingRole role) {
  return role == BindingRole::Input ? "--input" : "--expected";
}

std::string
lowbit::describeSignatures(llvm::ArrayRef<TensorInfo> signatures) {
  std::string text;
  llvm::ListSeparator separator(", ");
  for (const TensorInfo &signature : signatures)
    text += (llvm::Twine(separator) + "'" + signature.name + "' " +
             signature.getTypeString())
                .str();
  return text.empty() ? "none" : text;
}

llvm::Error lowbit::checkInputType(const TensorInfo &signature,
                                   const TensorData &tensor,
                                   llvm::StringRef fileName) {
  if (tensor.dtype == signature.dtype && tensor.shape == signature.shape)
    return llvm::Error::success();
  const char *what = tensor.dtype != signature.dtype ? "type" : "shape";
  return makeError("input '" + signature.name + "' from '" + fileName +
                   "' has the wrong " + what + ": the model expects " +
                   signature.getTypeString() + ", the file holds " +
                   tensor.getTypeString());
}

static int findSignature(llvm::ArrayRef<TensorInfo> signatures,
                         llvm::StringRef name) {
  for (auto [index, signature] : llvm::enumerate(signatures))
    if (signature.name == name)
      return index;
  return -1;
}

llvm::Expected<std::vector<TensorBinding>>
lowbit::bindTensorFiles(llvm::ArrayRef<std::string> specs,
                        llvm::ArrayRef<TensorInfo> signatures,
                        BindingRole role) {
  llvm::StringRef roleName = getRoleName(role);
  std::vector<TensorBinding> bindings;
  std::vector<std::string> boundFrom(signatures.size());

  auto bind = [&](int index, TensorData tensor,
                  llvm::StringRef fileName) -> llvm::Error {
    const TensorInfo &signature = signatures[index];
    if (!boundFrom[index].empty())
      return makeError(roleName + " '" + signature.name +
                       "' is given twice: '" + boundFrom[index] + "' and '" +
                       fileName + "'");
    if (role == BindingRole::Input)
      if (llvm::Error error = checkInputType(signature, tensor, fileName))
        return error;
    boundFrom[index] = fileName.str();
    bindings.push_back({index, std::move(tensor), fileName.str()});
    return llvm::Error::success();
  };

  for (llvm::StringRef spec : specs) {
    // NAME=FILE; a bare FILE has no '=' (ONNX names may hold '/' or ':', so
    // only the first '=' separates).
    auto [name, fileName] = spec.split('=');
    bool hasName = spec.contains('=');
    if (!hasName)
      fileName = spec;
    if (fileName.empty())
      return makeError(getFlagName(role) + " '" + spec + "' names no file");

    int index = -1;
    if (hasName) {
      index = findSignature(signatures, name);
      if (index < 0)
        return makeError("unknown " + roleName + " '" + name + "' (file '" +
                         fileName + "'); the model's " + roleName +
                         "s are: " + describeSignatures(signatures));
    }

    llvm::Expected<std::vector<TensorData>> tensors = readTensorFile(fileName);
    if (!tensors) {
      std::string reason = llvm::toString(tensors.takeError());
      if (hasName)
        return makeError(roleName + " '" + name + "': " + reason);
      return makeError(reason);
    }
    if (tensors->empty())
      return makeError(roleName + " file '" + fileName + "' holds no arrays");

    if (hasName) {
      // An archive may hold several arrays: take the one with the name.
      TensorData *chosen = nullptr;
      if (tensors->size() == 1)
        chosen = &tensors->front();
      for (TensorData &tensor : *tensors)
        if (!chosen && tensor.name == name)
          chosen = &tensor;
      if (!chosen)
        return makeError("'" + fileName + "' holds " +
                         llvm::Twine(tensors->size()) +
                         " arrays and none is named '" + name + "'");
      if (llvm::Error error = bind(index, std::move(*chosen), fileName))
        return std::move(error);
      continue;
    }

    if (tensors->size() == 1 && signatures.size() == 1) {
      if (llvm::Error error = bind(0, std::move(tensors->front()), fileName))
        return std::move(error);
      continue;
    }
    // Otherwise every array must say by its name which one it is for.
    for (TensorData &tensor : *tensors) {
      index = findSignature(signatures, tensor.name);
      if (index < 0)
        return makeError("'" + fileName + "' does not say which " + roleName +
                         " it is for (it holds '" + tensor.name +
                         "'); the model's " + roleName +
                         "s are: " + describeSignatures(signatures) + "; use " +
                         getFlagName(role) + " NAME=" + fileName);
      std::string entryName = tensors->size() == 1
                                  ? fileName.str()
                                  : (fileName + "[" + tensor.name + "]").str();
      if (llvm::Error error = bind(index, std::move(tensor), entryName))
        return std::move(error);
    }
  }

  if (role == BindingRole::Input) {
    for (auto [index, signature] : llvm::enumerate(signatures))
      if (boundFrom[index].empty())
        return makeError("missing input '" + signature.name + "' (" +
                         signature.getTypeString() + "); pass --input " +
                         signature.name + "=FILE");
  }
  return bindings;
}
