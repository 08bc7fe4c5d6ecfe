//===- Calibrate.h - an instrumented model over a sample set ----*- C++ -*-===//

#ifndef LOWBIT_LIB_ARTIFACT_CALIBRATE_H
#define LOWBIT_LIB_ARTIFACT_CALIBRATE_H

#include "lib/Artifact/Instrument.h"
#include "lib/Artifact/SampleSet.h"
#include "lowbit/Artifact/CompiledModel.h"
#include "lowbit/Quantization/Stats.h"

#include "llvm/Support/raw_ostream.h"

namespace lowbit {

/// Runs `model`, the artifact of a model instrumented with `observed`
/// (InstrumentMode::InputsAndOutputs), over every sample of `samples` and
/// observes each instrumented tensor: count, min/max and histogram, plus
/// per-channel absmax along the channel axis of layer inputs. Draws a
/// progress bar on `progress`. The result carries `modelSha256` and the
/// set's hash and size.
llvm::Expected<quantization::StatsFile>
collectStatistics(CompiledModel &model, llvm::ArrayRef<ObservedTensor> observed,
                  const SampleSet &samples, llvm::StringRef modelSha256,
                  llvm::raw_ostream &progress);

/// Reads the stats file `path` given with --stats and checks that it was
/// collected on the model whose SHA-256 is `modelSha256`.
llvm::Expected<quantization::StatsFile>
readStatsForModel(llvm::StringRef path, llvm::StringRef modelSha256);

/// The values of a numeric tensor converted to float32 (an error naming the
/// tensor for element types the runtime cannot hold).
llvm::Expected<std::vector<float>> getFloatValues(const TensorData &tensor);

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_CALIBRATE_H
