//===- ONNXBackendTest.cpp - Run an ONNX backend test folder --------------===//

#include "ONNXBackendTest.h"

#include "ModelCompiler.h"
#include "TensorBinding.h"
#include "lowbit/Artifact/CompiledModel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace lowbit;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

namespace {

/// A directory under the system temporary directory, removed with all its
/// contents when this goes out of scope, whatever the outcome.
class TemporaryDirectory {
public:
  static llvm::Expected<TemporaryDirectory> create(llvm::StringRef prefix) {
    TemporaryDirectory directory;
    if (std::error_code error =
            llvm::sys::fs::createUniqueDirectory(prefix, directory.path))
      return makeError("cannot create a temporary directory: " +
                       error.message());
    return directory;
  }
  TemporaryDirectory(TemporaryDirectory &&other) : path(other.path) {
    other.path.clear();
  }
  ~TemporaryDirectory() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
  llvm::StringRef getPath() const { return path; }

private:
  TemporaryDirectory() = default;
  llvm::SmallString<256> path;
};

} // namespace

/// Files `<prefix><N>.pb` in `dir`, ordered by N (so input_10 follows
/// input_9).
static std::vector<std::string> listNumberedFiles(llvm::StringRef dir,
                                                  llvm::StringRef prefix) {
  std::vector<std::pair<unsigned, std::string>> numbered;
  std::error_code error;
  for (llvm::sys::fs::directory_iterator it(dir, error), end;
       it != end && !error; it.increment(error)) {
    llvm::StringRef fileName = llvm::sys::path::filename(it->path());
    unsigned number;
    if (fileName.consume_front(prefix) && fileName.consume_back(".pb") &&
        !fileName.getAsInteger(10, number))
      numbered.emplace_back(number, it->path());
  }
  llvm::sort(numbered);
  std::vector<std::string> files;
  for (auto &[number, path] : numbered)
    files.push_back(std::move(path));
  return files;
}

/// The test_data_set_* folders of `testDir`, in name order.
static std::vector<std::string> listDataSets(llvm::StringRef testDir) {
  std::vector<std::string> dataSets;
  std::error_code error;
  for (llvm::sys::fs::directory_iterator it(testDir, error), end;
       it != end && !error; it.increment(error))
    if (llvm::sys::path::filename(it->path()).starts_with("test_data_set_") &&
        llvm::sys::fs::is_directory(it->path()))
      dataSets.push_back(it->path());
  llvm::sort(dataSets);
  return dataSets;
}

/// The path of `path` relative to `base`, for shorter messages.
static std::string relativeTo(llvm::StringRef path, llvm::StringRef base) {
  llvm::StringRef relative = path;
  if (relative.consume_front(base))
    relative = relative.ltrim('/');
  return relative.str();
}

llvm::Expected<bool>
lowbit::runONNXBackendTest(const ONNXBackendTestOptions &options,
                           llvm::raw_ostream &os) {
  llvm::StringRef testDir = options.testDir;
  llvm::SmallString<256> modelPath(testDir);
  llvm::sys::path::append(modelPath, "model.onnx");
  if (!llvm::sys::fs::exists(modelPath))
    return makeError("'" + testDir +
                     "' is not an ONNX backend test folder: no model.onnx");
  std::vector<std::string> dataSets = listDataSets(testDir);
  if (dataSets.empty())
    return makeError("'" + testDir + "' has no test_data_set_* folders");

  // input_N.pb is the model's N-th graph input (the reference .pb names may
  // be empty).
  llvm::Expected<std::vector<std::string>> graphInputs =
      readModelInputNames(modelPath);
  if (!graphInputs)
    return graphInputs.takeError();
  auto checkInputCount = [&](llvm::StringRef dataSetName,
                             size_t count) -> llvm::Error {
    if (count == graphInputs->size())
      return llvm::Error::success();
    return makeError(dataSetName + " has " + llvm::Twine(count) +
                     " input files but the model has " +
                     llvm::Twine(graphInputs->size()) + " graph inputs: '" +
                     llvm::join(*graphInputs, "', '") + "'");
  };

  // The first data set specializes symbolic dimensions (the reference run
  // had exactly these shapes) and gives the values of inputs the model needs
  // at compile time (a Reshape's shape, Slice's starts, ...); inputs used
  // only as data stay inputs of the artifact.
  std::vector<TensorData> boundValues;
  std::map<std::string, std::vector<int64_t>> inputShapes;
  std::map<std::string, TensorData> inputValues;
  std::vector<std::string> firstFiles =
      listNumberedFiles(dataSets[0], "input_");
  if (llvm::Error error = checkInputCount(relativeTo(dataSets[0], testDir),
                                          firstFiles.size()))
    return std::move(error);
  for (auto [index, file] : llvm::enumerate(firstFiles)) {
    llvm::Expected<TensorData> tensor = readTensorProtoFile(file);
    if (!tensor)
      return tensor.takeError();
    const std::string &name = (*graphInputs)[index];
    inputShapes[name] = tensor->shape;
    inputValues[name] = *tensor;
    boundValues.push_back(std::move(*tensor));
  }

  llvm::Expected<TemporaryDirectory> tempDir =
      TemporaryDirectory::create("quant-run");
  if (!tempDir)
    return tempDir.takeError();
  llvm::SmallString<256> artifactDir(tempDir->getPath());
  llvm::sys::path::append(artifactDir, "artifact");
  if (llvm::Error error =
          compileModelForHost(modelPath, artifactDir, inputShapes, inputValues))
    return std::move(error);

  llvm::Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::load(artifactDir);
  if (!model)
    return model.takeError();
  if (options.numThreads > 0)
    if (llvm::Error error = (*model)->setNumThreads(options.numThreads))
      return std::move(error);
  llvm::ArrayRef<TensorInfo> inputs = (*model)->getInputs();
  llvm::ArrayRef<TensorInfo> outputs = (*model)->getOutputs();

  // The graph input each artifact input is; the others were folded in.
  std::vector<int> artifactIndexOf(graphInputs->size(), -1);
  for (auto [index, input] : llvm::enumerate(inputs)) {
    auto found = llvm::find(*graphInputs, input.name);
    if (found == graphInputs->end())
      return makeError("the compiled model has an input '" + input.name +
                       "' that is not a graph input of '" + modelPath + "'");
    artifactIndexOf[found - graphInputs->begin()] = index;
  }

  bool allPassed = true;
  for (const std::string &dataSet : dataSets) {
    std::string dataSetName = relativeTo(dataSet, testDir);
    std::vector<std::string> inputFiles = listNumberedFiles(dataSet, "input_");
    if (llvm::Error error = checkInputCount(dataSetName, inputFiles.size()))
      return std::move(error);
    for (auto [graphIndex, file] : llvm::enumerate(inputFiles)) {
      llvm::Expected<TensorData> tensor = readTensorProtoFile(file);
      if (!tensor)
        return tensor.takeError();
      std::string fileName = relativeTo(file, testDir);
      int index = artifactIndexOf[graphIndex];
      if (index < 0) {
        // Folded in at compile time: this data set must agree.
        const TensorData &bound = boundValues[graphIndex];
        if (tensor->dtype != bound.dtype || tensor->shape != bound.shape ||
            tensor->data != bound.data)
          return makeError(
              fileName + " gives input '" + (*graphInputs)[graphIndex] +
              "' a different value than " + relativeTo(dataSets[0], testDir) +
              ", but the model needs that input at compile time and was "
              "compiled with the first data set's value");
        continue;
      }
      if (llvm::Error error = checkInputType(inputs[index], *tensor, fileName))
        return std::move(error);
      if (llvm::Error error = (*model)->setInput(index, *tensor))
        return std::move(error);
    }
    if (llvm::Error error = (*model)->run())
      return std::move(error);

    std::vector<std::string> outputFiles =
        listNumberedFiles(dataSet, "output_");
    if (outputFiles.size() != outputs.size())
      return makeError(dataSetName + " has " + llvm::Twine(outputFiles.size()) +
                       " output files but the model has " +
                       llvm::Twine(outputs.size()) +
                       " outputs: " + describeSignatures(outputs));
    for (auto [index, file] : llvm::enumerate(outputFiles)) {
      llvm::Expected<TensorData> expected = readTensorProtoFile(file);
      if (!expected)
        return expected.takeError();
      llvm::Expected<TensorData> actual = (*model)->getOutput(index);
      if (!actual)
        return actual.takeError();
      os << dataSetName << " output " << index << " '" << outputs[index].name
         << "' " << outputs[index].getTypeString() << ": ";
      llvm::Expected<TensorComparison> comparison =
          compareTensors(*actual, *expected, options.tolerance);
      if (!comparison) {
        os << "MISMATCH: " << llvm::toString(comparison.takeError()) << "\n";
        allPassed = false;
        continue;
      }
      os << comparison->format(options.tolerance) << "\n";
      allPassed &= comparison->isWithinTolerance();
    }
  }
  return allPassed;
}
