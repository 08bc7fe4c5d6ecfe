//===- ONNXBackendTest.cpp - Run an ONNX backend test folder --------------===//

#include "ONNXBackendTest.h"

#include "CompiledModel.h"
#include "ModelCompiler.h"
#include "TensorBinding.h"

#include "llvm/ADT/STLExtras.h"
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

  // Shapes from the first data set specialize any symbolic dimensions of
  // named inputs; the reference run had exactly these shapes.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  for (const std::string &file : listNumberedFiles(dataSets[0], "input_")) {
    llvm::Expected<TensorData> tensor = readTensorProtoFile(file);
    if (!tensor)
      return tensor.takeError();
    if (!tensor->name.empty())
      inputShapes[tensor->name] = tensor->shape;
  }

  llvm::Expected<TemporaryDirectory> tempDir =
      TemporaryDirectory::create("quant-run");
  if (!tempDir)
    return tempDir.takeError();
  llvm::SmallString<256> artifactDir(tempDir->getPath());
  llvm::sys::path::append(artifactDir, "artifact");
  if (llvm::Error error =
          compileModelForHost(modelPath, artifactDir, inputShapes))
    return std::move(error);

  llvm::Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::load(artifactDir);
  if (!model)
    return model.takeError();
  if (options.numThreads > 0)
    if (llvm::Error error = (*model)->setNumThreads(options.numThreads))
      return std::move(error);
  llvm::ArrayRef<TensorSignature> inputs = (*model)->getInputs();
  llvm::ArrayRef<TensorSignature> outputs = (*model)->getOutputs();

  bool allPassed = true;
  for (const std::string &dataSet : dataSets) {
    std::string dataSetName = relativeTo(dataSet, testDir);
    // Bound by position: the reference .pb names may be empty.
    std::vector<std::string> inputFiles = listNumberedFiles(dataSet, "input_");
    if (inputFiles.size() != inputs.size())
      return makeError(dataSetName + " has " + llvm::Twine(inputFiles.size()) +
                       " input files but the model has " +
                       llvm::Twine(inputs.size()) +
                       " inputs: " + describeSignatures(inputs));
    for (auto [index, file] : llvm::enumerate(inputFiles)) {
      llvm::Expected<TensorData> tensor = readTensorProtoFile(file);
      if (!tensor)
        return tensor.takeError();
      std::string fileName = relativeTo(file, testDir);
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
