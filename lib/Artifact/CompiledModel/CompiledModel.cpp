//===- CompiledModel.cpp - A loaded artifact's C API ----------------------===//

#include "lowbit/Artifact/CompiledModel.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include <dlfcn.h>

using namespace lowbit;

std::string TensorInfo::getTypeString() const {
  return formatTensorType(dtype, shape);
}

struct CompiledModel::API {
  decltype(&lowbit_abi_version) abiVersion;
  decltype(&lowbit_model_create) create;
  decltype(&lowbit_model_destroy) destroy;
  decltype(&lowbit_model_set_num_threads) setNumThreads;
  decltype(&lowbit_model_num_inputs) numInputs;
  decltype(&lowbit_model_num_outputs) numOutputs;
  decltype(&lowbit_model_input_info) inputInfo;
  decltype(&lowbit_model_output_info) outputInfo;
  decltype(&lowbit_model_set_input) setInput;
  decltype(&lowbit_model_run) run;
  decltype(&lowbit_model_get_output) getOutput;
  decltype(&lowbit_model_last_error) lastError;
};

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

static TensorInfo toSignature(const lowbit_tensor_info &info) {
  TensorInfo signature;
  signature.name = info.name ? info.name : "";
  signature.dtype = info.dtype;
  if (info.rank > 0 && info.shape)
    signature.shape.assign(info.shape, info.shape + info.rank);
  signature.numBytes = info.num_bytes;
  return signature;
}

llvm::Expected<std::unique_ptr<CompiledModel>>
CompiledModel::load(llvm::StringRef artifactDir) {
  llvm::SmallString<256> path(artifactDir);
  llvm::sys::path::append(path, "libmodel.so");
  // Binding everything now turns a broken artifact into an error here
  // rather than a crash in the middle of a run.
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *reason = dlerror();
    return makeError("cannot load artifact '" + artifactDir +
                     "': " + (reason ? reason : "dlopen failed"));
  }

  auto api = std::make_unique<API>();
  llvm::SmallVector<std::string> missing;
  auto resolve = [&](auto &function, const char *symbol) {
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(
        dlsym(handle, symbol));
    if (!function)
      missing.push_back(symbol);
  };
  resolve(api->abiVersion, "lowbit_abi_version");
  resolve(api->create, "lowbit_model_create");
  resolve(api->destroy, "lowbit_model_destroy");
  resolve(api->setNumThreads, "lowbit_model_set_num_threads");
  resolve(api->numInputs, "lowbit_model_num_inputs");
  resolve(api->numOutputs, "lowbit_model_num_outputs");
  resolve(api->inputInfo, "lowbit_model_input_info");
  resolve(api->outputInfo, "lowbit_model_output_info");
  resolve(api->setInput, "lowbit_model_set_input");
  resolve(api->run, "lowbit_model_run");
  resolve(api->getOutput, "lowbit_model_get_output");
  resolve(api->lastError, "lowbit_model_last_error");
  if (!missing.empty()) {
    dlclose(handle);
    return makeError(path + " is not a LowBit artifact: it lacks " +
                     llvm::join(missing, ", "));
  }
  int abiVersion = api->abiVersion();
  if (abiVersion != LOWBIT_RUNTIME_ABI_VERSION) {
    dlclose(handle);
    return makeError(path + " has runtime ABI version " +
                     llvm::Twine(abiVersion) + ", this quant-run expects " +
                     llvm::Twine(LOWBIT_RUNTIME_ABI_VERSION) +
                     "; recompile the model");
  }

  std::unique_ptr<CompiledModel> compiled(
      new CompiledModel(path.str().str(), handle, std::move(api)));
  compiled->model = compiled->api->create();
  if (!compiled->model)
    return makeError(path + ": lowbit_model_create failed");
  const API &c = *compiled->api;
  for (int i = 0, e = c.numInputs(compiled->model); i < e; ++i) {
    const lowbit_tensor_info *info = c.inputInfo(compiled->model, i);
    if (!info)
      return makeError(path + ": no description of input #" + llvm::Twine(i));
    compiled->inputs.push_back(toSignature(*info));
  }
  for (int i = 0, e = c.numOutputs(compiled->model); i < e; ++i) {
    const lowbit_tensor_info *info = c.outputInfo(compiled->model, i);
    if (!info)
      return makeError(path + ": no description of output #" + llvm::Twine(i));
    compiled->outputs.push_back(toSignature(*info));
  }
  return std::move(compiled);
}

CompiledModel::CompiledModel(std::string libraryPath, void *handle,
                             std::unique_ptr<API> api)
    : libraryPath(std::move(libraryPath)), handle(handle), api(std::move(api)) {
}

CompiledModel::~CompiledModel() {
  if (model)
    api->destroy(model);
  dlclose(handle);
}

llvm::Error CompiledModel::makeModelError(const llvm::Twine &what) const {
  const char *reason = api->lastError(model);
  return makeError(what + (reason && *reason ? llvm::Twine(": ") + reason
                                             : llvm::Twine("")));
}

int CompiledModel::findInput(llvm::StringRef name) const {
  for (auto [index, input] : llvm::enumerate(inputs))
    if (input.name == name)
      return index;
  return -1;
}

int CompiledModel::findOutput(llvm::StringRef name) const {
  for (auto [index, output] : llvm::enumerate(outputs))
    if (output.name == name)
      return index;
  return -1;
}

llvm::Error CompiledModel::setNumThreads(int numThreads) {
  if (api->setNumThreads(model, numThreads))
    return makeModelError("cannot use " + llvm::Twine(numThreads) + " threads");
  return llvm::Error::success();
}

llvm::Error CompiledModel::setInput(int index, const TensorData &tensor) {
  const TensorInfo &input = inputs[index];
  // An empty tensor has no bytes, but the C API wants a non-null pointer.
  static const uint8_t noBytes = 0;
  const void *data = tensor.data.empty() ? &noBytes : tensor.data.data();
  if (api->setInput(model, input.name.c_str(), data, tensor.data.size()))
    return makeModelError("cannot set input '" + input.name + "'");
  return llvm::Error::success();
}

llvm::Error CompiledModel::run() {
  if (api->run(model))
    return makeModelError("running the model failed");
  return llvm::Error::success();
}

llvm::Expected<TensorData> CompiledModel::getOutput(int index) const {
  const TensorInfo &output = outputs[index];
  const void *data = nullptr;
  size_t numBytes = 0;
  if (api->getOutput(model, output.name.c_str(), &data, &numBytes))
    return makeModelError("cannot get output '" + output.name + "'");
  if (numBytes != output.numBytes || (!data && numBytes))
    return makeError("output '" + output.name + "' has " +
                     llvm::Twine(numBytes) + " bytes, its description says " +
                     llvm::Twine(output.numBytes));
  TensorData tensor;
  tensor.name = output.name;
  tensor.dtype = output.dtype;
  tensor.shape = output.shape;
  const auto *bytes = static_cast<const uint8_t *>(data);
  tensor.data.assign(bytes, bytes + numBytes);
  return tensor;
}
