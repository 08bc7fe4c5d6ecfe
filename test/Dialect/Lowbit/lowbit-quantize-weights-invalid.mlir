// RUN: quant-opt %s --split-input-file --verify-diagnostics --lowbit-quantize-weights="scheme=w4a16-g3"
// RUN: not quant-opt %s --lowbit-quantize-weights="scheme=w9a9" 2>&1 | FileCheck %s --check-prefix=PRESET
// RUN: not quant-opt %s --lowbit-quantize-weights="recipe=%S/Inputs/does-not-exist.yaml" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not quant-opt %s --lowbit-quantize-weights="recipe=%S/Inputs/quantize-bad-recipe.yaml" 2>&1 | FileCheck %s --check-prefix=BAD-RECIPE
// RUN: not quant-opt %s --lowbit-quantize-weights="scheme=w8a8 group-fallback=maybe" 2>&1 | FileCheck %s --check-prefix=OPTION

// PRESET: error: unknown preset 'w9a9'; valid presets: float, fp8
// MISSING: error: cannot read recipe '{{.*}}does-not-exist.yaml'
// BAD-RECIPE: error: {{.*}}quantize-bad-recipe.yaml: rules[0].weights: bits: 12 is out of range for int weights (2 to 8)
// OPTION: error: group-fallback must be 'error' or 'per-channel', not 'maybe'

// A group size must divide the reduction dimension (K = 4 here); see
// lowbit-quantize-weights.mlir for group-fallback=per-channel.

func.func @group_size(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  // expected-error @unknown {{layer 'fc': group size 3 does not divide the reduction dimension (4); choose a group size that divides it, or pass group-fallback=per-channel}}
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc")
  return %y : tensor<2x3xf32>
}

// -----

// Conv groups run along the input channels (I = 2 here).

func.func @conv_group_size(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %w = lowbit.constant dense<[[[[0.5]], [[-1.0]]], [[[0.25]], [[2.0]]], [[[1.0]], [[0.5]]]]> : tensor<3x2x1x1xf32>
  // expected-error @unknown {{layer 'conv': group size 3 does not divide the reduction dimension (2)}}
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32> loc("conv")
  return %y : tensor<1x3x4x4xf32>
}

// -----

// Weights that are not f32 stay float, with a warning.

func.func @f16_weights(%x: tensor<2x4xf16>) -> tensor<2x3xf16> {
  %w = lowbit.constant dense<1.0> : tensor<4x3xf16>
  // expected-warning @unknown {{layer 'half': weights are not readable f32 constants; left in float}}
  %y = lowbit.matmul %x, %w : (tensor<2x4xf16>, tensor<4x3xf16>) -> tensor<2x3xf16> loc("half")
  return %y : tensor<2x3xf16>
}
