// RUN: quant-opt %s --split-input-file --lowbit-fold-batch-norm | FileCheck %s

// s = gamma / sqrt(var + eps) = [1/2, 6/3] = [0.5, 2]
// W' = W * s = [0.5, 4];  b' = (b - mean) * s + beta = [1.125, 3]
// CHECK-LABEL: func @fold
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x4x4xf32>)
// CHECK-DAG: %[[W:.+]] = lowbit.constant dense<{{\[\[\[\[}}5.000000e-01]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.+]] = lowbit.constant dense<[1.125000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.+]] = lowbit.conv %[[X]], %[[W]], %[[B]]
// CHECK-NOT: lowbit.batch_norm
// CHECK: return %[[C]]
func.func @fold(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = lowbit.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = lowbit.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %gamma = lowbit.constant dense<[1.0, 6.0]> : tensor<2xf32>
  %beta = lowbit.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %mean = lowbit.constant dense<[0.25, 0.0]> : tensor<2xf32>
  %var = lowbit.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %0 = lowbit.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = lowbit.batch_norm %0, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Without a conv bias the folded bias is beta - mean * s.
// CHECK-LABEL: func @fold_no_bias
// CHECK-DAG: lowbit.constant dense<[8.750000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK: lowbit.conv
// CHECK-NOT: lowbit.batch_norm
func.func @fold_no_bias(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = lowbit.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %gamma = lowbit.constant dense<[1.0, 6.0]> : tensor<2xf32>
  %beta = lowbit.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %mean = lowbit.constant dense<[0.25, 0.0]> : tensor<2xf32>
  %var = lowbit.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = lowbit.batch_norm %0, %gamma, %beta, %mean, %var {epsilon = 1.0 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// The conv result is used elsewhere: folding would change that use.
// CHECK-LABEL: func @conv_has_other_use
// CHECK: lowbit.conv
// CHECK: lowbit.batch_norm
func.func @conv_has_other_use(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = lowbit.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %p = lowbit.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = lowbit.batch_norm %0, %p, %p, %p, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0, %1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Non-constant statistics cannot be folded.
// CHECK-LABEL: func @dynamic_stats
// CHECK: lowbit.batch_norm
func.func @dynamic_stats(%x: tensor<1x1x4x4xf32>, %mean: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = lowbit.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %p = lowbit.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = lowbit.batch_norm %0, %p, %p, %mean, %p {epsilon = 1.0e-5 : f32}
      : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Large weights become a dense_resource blob, never text.
// CHECK-LABEL: func @fold_resource
// CHECK: lowbit.constant dense_resource<folded_weight> : tensor<4x8x1x1xf32>
func.func @fold_resource(%x: tensor<1x8x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = lowbit.constant dense<1.0> : tensor<4x8x1x1xf32>
  %w2 = lowbit.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x8x2x2xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x2x2xf32>
  %1 = lowbit.batch_norm %0, %w2, %w2, %w2, %w2 {epsilon = 0.0 : f32}
      : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %1 : tensor<1x4x2x2xf32>
}
