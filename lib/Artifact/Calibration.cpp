//===- Calibration.cpp - statistics of an instrumented model's tensors ----===//

#include "lib/Artifact/Calibrate.h"
#include "lib/Artifact/ProgressBar.h"
#include "lowbit/Artifact/Calibration.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/Support/Endian.h"

using namespace lowbit;
using llvm::StringRef;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 message.str());
}

template <typename T>
void convert(const std::vector<uint8_t> &bytes, std::vector<float> &values) {
  size_t count = bytes.size() / sizeof(T);
  values.resize(count);
  for (size_t i = 0; i < count; ++i)
    values[i] = static_cast<float>(
        llvm::support::endian::read<T, llvm::endianness::little>(
            bytes.data() + i * sizeof(T)));
}

} // namespace

llvm::Expected<std::vector<float>>
lowbit::getFloatValues(const TensorData &tensor) {
  std::vector<float> values;
  switch (static_cast<int>(tensor.dtype)) {
  case LOWBIT_DTYPE_FLOAT32:
    convert<float>(tensor.data, values);
    break;
  case LOWBIT_DTYPE_FLOAT64:
    convert<double>(tensor.data, values);
    break;
  case LOWBIT_DTYPE_FLOAT16: {
    values.resize(tensor.data.size() / 2);
    for (size_t i = 0; i < values.size(); ++i) {
      uint16_t bits =
          llvm::support::endian::read16le(tensor.data.data() + 2 * i);
      values[i] =
          llvm::APFloat(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits))
              .convertToFloat();
    }
    break;
  }
  case LOWBIT_DTYPE_UINT8:
  case LOWBIT_DTYPE_BOOL:
    convert<uint8_t>(tensor.data, values);
    break;
  case LOWBIT_DTYPE_INT8:
    convert<int8_t>(tensor.data, values);
    break;
  case LOWBIT_DTYPE_UINT16:
    convert<uint16_t>(tensor.data, values);
    break;
  case LOWBIT_DTYPE_INT16:
    convert<int16_t>(tensor.data, values);
    break;
  case LOWBIT_DTYPE_UINT32:
    convert<uint32_t>(tensor.data, values);
    break;
  case LOWBIT_DTYPE_INT32:
    convert<int32_t>(tensor.data, values);
    break;
  case LOWBIT_DTYPE_UINT64:
    convert<uint64_t>(tensor.data, values);
    break;
  case LOWBIT_DTYPE_INT64:
    convert<int64_t>(tensor.data, values);
    break;
  default:
    return makeError("tensor '" + tensor.name + "' has element type " +
                     getDTypeName(tensor.dtype) +
                     ", which has no numeric value");
  }
  return values;
}

llvm::Expected<quantization::StatsFile>
lowbit::collectStatistics(CompiledModel &model,
                          llvm::ArrayRef<ObservedTensor> observed,
                          const SampleSet &samples, StringRef modelSha256,
                          llvm::raw_ostream &progress) {
  quantization::StatsFile stats;
  stats.modelSha256 = modelSha256.str();
  stats.calibrationSha256 = samples.sha256;
  stats.sampleCount = samples.samples.size();

  // Statistics are kept for layer inputs and outputs only.
  std::vector<const ObservedTensor *> keys;
  for (const ObservedTensor &tensor : observed)
    if (!tensor.isBiasedOutput)
      keys.push_back(&tensor);
  std::vector<int> outputIndex;
  for (const ObservedTensor *key : keys) {
    const ObservedTensor &tensor = *key;
    int index = model.findOutput(tensor.outputName);
    if (index < 0)
      return makeError("the instrumented model has no output '" + tensor.key +
                       "'");
    outputIndex.push_back(index);
    quantization::TensorStatistics &entry = stats.tensors[tensor.key];
    entry.name = tensor.key;
    if (tensor.isLayerInput)
      entry.channelAxis = tensor.channelAxis;
  }

  ProgressBar bar(progress, "calibrating", samples.samples.size());
  for (size_t sample = 0; sample < samples.samples.size(); ++sample) {
    llvm::Expected<std::vector<TensorData>> inputs =
        readSample(samples, sample, model.getInputs());
    if (!inputs)
      return inputs.takeError();
    for (auto [index, input] : llvm::enumerate(*inputs))
      if (llvm::Error error = model.setInput(index, input))
        return std::move(error);
    if (llvm::Error error = model.run())
      return makeError("calibration sample '" + samples.samples[sample] +
                       "': " + llvm::toString(std::move(error)));
    for (auto [key, index] : llvm::zip_equal(keys, outputIndex)) {
      const ObservedTensor &tensor = *key;
      llvm::Expected<TensorData> value = model.getOutput(index);
      if (!value)
        return value.takeError();
      llvm::Expected<std::vector<float>> values = getFloatValues(*value);
      if (!values)
        return values.takeError();
      if (llvm::Error error =
              stats.tensors[tensor.key].add(*values, value->shape))
        return makeError("observing '" + tensor.key +
                         "': " + llvm::toString(std::move(error)));
    }
    bar.step();
  }
  return stats;
}

llvm::Expected<quantization::StatsFile>
lowbit::readStatsForModel(StringRef path, StringRef modelSha256) {
  llvm::Expected<quantization::StatsFile> stats =
      quantization::readStatsFile(path);
  if (!stats)
    return stats.takeError();
  if (stats->modelSha256 != modelSha256)
    return makeError("stats file '" + path + "' was collected on model " +
                     stats->modelSha256 + " but this is " + modelSha256);
  return stats;
}

llvm::Error lowbit::mergeStatsFiles(llvm::ArrayRef<std::string> inputs,
                                    StringRef output) {
  if (inputs.empty())
    return makeError("--merge-stats: no stats files given");
  if (output.empty())
    return makeError("--merge-stats: no output file given (-o FILE)");
  std::vector<quantization::StatsFile> files;
  for (const std::string &input : inputs) {
    llvm::Expected<quantization::StatsFile> stats =
        quantization::readStatsFile(input);
    if (!stats)
      return stats.takeError();
    files.push_back(std::move(*stats));
  }
  llvm::Expected<quantization::StatsFile> merged =
      quantization::mergeStats(files);
  if (!merged)
    return merged.takeError();
  return quantization::writeStatsFile(*merged, output);
}
