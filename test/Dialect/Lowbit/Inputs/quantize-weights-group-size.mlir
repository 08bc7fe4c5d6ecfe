// Layers whose reduction dimension a group of 3 does not divide; used by
// lowbit-quantize-weights.mlir with group-fallback=per-channel.

func.func @group_size(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc")
  return %y : tensor<2x3xf32>
}

func.func @conv_group_size(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %w = lowbit.constant dense<[[[[0.5]], [[-1.0]]], [[[0.25]], [[2.0]]], [[[1.0]], [[0.5]]]]> : tensor<3x2x1x1xf32>
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32> loc("conv")
  return %y : tensor<1x3x4x4xf32>
}

func.func @nf4_group_size(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc_nf4")
  return %y : tensor<2x3xf32>
}
