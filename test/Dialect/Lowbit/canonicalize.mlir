// RUN: quant-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func @add_zero
// CHECK-SAME: (%[[X:.+]]: tensor<2x4xf32>)
// CHECK-NOT: lowbit.add
// CHECK: return %[[X]]
func.func @add_zero(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %z = lowbit.constant dense<0.0> : tensor<4xf32>
  %0 = lowbit.add %x, %z : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Adding zero that broadcasts the operand to a larger shape is not an identity.
// CHECK-LABEL: func @add_zero_broadcasting
// CHECK: lowbit.add
func.func @add_zero_broadcasting(%x: tensor<4xf32>) -> tensor<2x4xf32> {
  %z = lowbit.constant dense<0.0> : tensor<2x4xf32>
  %0 = lowbit.add %x, %z : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @mul_one
// CHECK-SAME: (%[[X:.+]]: tensor<2x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @mul_one(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %one = lowbit.constant dense<1.0> : tensor<f32>
  %0 = lowbit.mul %x, %one : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @mul_two
// CHECK: lowbit.mul
func.func @mul_two(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %two = lowbit.constant dense<2.0> : tensor<f32>
  %0 = lowbit.mul %x, %two : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @clip_unbounded
// CHECK-NEXT: return %arg0
func.func @clip_unbounded(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = lowbit.clip %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @reshape_chain
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.+]] = lowbit.reshape %[[X]] : (tensor<2x3x4xf32>) -> tensor<24xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x3x4xf32>) -> tensor<24xf32> {
  %0 = lowbit.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = lowbit.reshape %0 : (tensor<6x4xf32>) -> tensor<24xf32>
  return %1 : tensor<24xf32>
}

// -----

// CHECK-LABEL: func @reshape_identity
// CHECK-NEXT: return %arg0
func.func @reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = lowbit.reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reshape_constant
// CHECK-NEXT: %[[C:.+]] = lowbit.constant dense<{{\[}}[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
// CHECK-NEXT: return %[[C]]
func.func @reshape_constant() -> tensor<2x3xi64> {
  %c = lowbit.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi64>
  %0 = lowbit.reshape %c : (tensor<6xi64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// CHECK-LABEL: func @transpose_identity
// CHECK-NEXT: return %arg0
func.func @transpose_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = lowbit.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_chain
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.+]] = lowbit.transpose %[[X]] {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_chain(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = lowbit.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %1 = lowbit.transpose %0 {perm = array<i64: 2, 1, 0>} : (tensor<3x2x4xf32>) -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_inverse
// CHECK-NEXT: return %arg0
func.func @transpose_inverse(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = lowbit.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  %1 = lowbit.transpose %0 {perm = array<i64: 0, 2, 1>} : (tensor<2x4x3xf32>) -> tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func @concat_single
// CHECK-NEXT: return %arg0
func.func @concat_single(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = lowbit.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @slice_full
// CHECK-NEXT: return %arg0
func.func @slice_full(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = lowbit.slice %x {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A full-extent slice with a negative step reverses: not an identity.
// CHECK-LABEL: func @slice_reverse
// CHECK: lowbit.slice
func.func @slice_reverse(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = lowbit.slice %x {starts = array<i64: 2>, steps = array<i64: -1>} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func @expand_same
// CHECK-NEXT: return %arg0
func.func @expand_same(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = lowbit.expand %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @pad_zero
// CHECK-NEXT: return %arg0
func.func @pad_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = lowbit.pad %x {pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @cast_same
// CHECK-NEXT: return %arg0
func.func @cast_same(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = lowbit.cast %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @requantize_same
// CHECK-NEXT: return %arg0
func.func @requantize_same(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  %0 = lowbit.requantize %x : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// -----

// Quantize then dequantize rounds: never folded away.
// CHECK-LABEL: func @quantize_dequantize_kept
// CHECK: lowbit.quantize
// CHECK: lowbit.dequantize
func.func @quantize_dequantize_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = lowbit.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  %d = lowbit.dequantize %q : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// Unused pure ops disappear.
// CHECK-LABEL: func @dead_ops
// CHECK-NOT: lowbit.
// CHECK: return
func.func @dead_ops(%x: tensor<4xf32>) {
  %0 = lowbit.relu %x : tensor<4xf32>
  %1 = lowbit.softmax %x {axis = 0 : i64} : tensor<4xf32>
  return
}
