// RUN: quant-opt %s --split-input-file --verify-diagnostics --lowbit-quantize="recipe=%S/Inputs/quantize-recipe.yaml stats=%S/Inputs/quantize-stats.json"
// RUN: not quant-opt %s --lowbit-quantize="recipe=%S/Inputs/quantize-recipe.yaml" 2>&1 | FileCheck %s --check-prefix=NO-STATS
// RUN: not quant-opt %s --lowbit-quantize="scheme=w8a8 stats=%S/Inputs/does-not-exist.json" 2>&1 | FileCheck %s --check-prefix=NO-FILE
// RUN: not quant-opt %s --lowbit-quantize="recipe=%S/Inputs/quantize-recipe.yaml stats=%S/Inputs/quantize-stats.json observer=mse" 2>&1 | FileCheck %s --check-prefix=NO-HISTOGRAM
// RUN: not quant-opt %s --lowbit-quantize="scheme=w8a8 observer=median" 2>&1 | FileCheck %s --check-prefix=OBSERVER
// RUN: not quant-opt %s --lowbit-quantize="scheme=w8a8 observer=minmax:99" 2>&1 | FileCheck %s --check-prefix=OBSERVER
// RUN: not quant-opt %s --lowbit-quantize="scheme=w8a9" 2>&1 | FileCheck %s --check-prefix=PRESET

// NO-STATS: error: layer 'conv1' (scheme w8a8) quantizes activations statically and needs calibration statistics: pass stats=<file>
// NO-FILE: error: cannot read stats file '{{.*}}does-not-exist.json'
// NO-HISTOGRAM: error: layer 'conv1': tensor 'conv1:input' has no histogram; the mse observer needs one (collect statistics with histograms) (stats file '{{.*}}quantize-stats.json')
// OBSERVER: error: unknown observer '{{.*}}' (expected minmax, percentile[:P], mse or entropy)
// PRESET: error: unknown preset 'w8a9'

!w = tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>

// Statistics with min and max only serve the min-max observer.
func.func @minmax_stats(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %c = lowbit.constant dense<1> : tensor<2x2x1x1xi8>
  %s = quant.scast %c : tensor<2x2x1x1xi8> to !w
  %w = lowbit.dequantize %s : (!w) -> tensor<2x2x1x1xf32>
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "conv1"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

!w2 = tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>

func.func @missing_statistics(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %c = lowbit.constant dense<1> : tensor<2x2x1x1xi8>
  %s = quant.scast %c : tensor<2x2x1x1xi8> to !w2
  %w = lowbit.dequantize %s : (!w2) -> tensor<2x2x1x1xf32>
  // expected-error-re @+1 {{no statistics for 'unmeasured:input' (layer 'unmeasured') in stats file '{{.*}}quantize-stats.json'}}
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "unmeasured"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A layer whose weights lowbit-quantize-weights did not quantize keeps
// float activations.

func.func @float_weights(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<1.0> : tensor<4x3xf32>
  // expected-warning @+1 {{layer 'fc': weights are not quantized (run lowbit-quantize-weights first); activations left in float}}
  %y = lowbit.matmul %x, %w {lowbit.layer = "fc"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// w8a8-dynamic on a conv: run-time scales exist for matmul rows only, so the
// conv keeps float activations (weight-only int8).

!wd = tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>

func.func @dynamic_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %c = lowbit.constant dense<1> : tensor<2x2x1x1xi8>
  %s = quant.scast %c : tensor<2x2x1x1xi8> to !wd
  %w = lowbit.dequantize %s : (!wd) -> tensor<2x2x1x1xf32>
  // expected-warning @+1 {{layer 'conv_dynamic': dynamic activations are supported for matmul and gemm only; the conv runs weight-only}}
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "conv_dynamic", lowbit.scheme = "w8a8-dynamic"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
