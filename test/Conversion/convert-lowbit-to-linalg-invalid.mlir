// RUN: quant-opt %s --convert-lowbit-to-linalg --split-input-file --verify-diagnostics

// The lowering needs static shapes (the importer specializes them) and
// plain float or integer elements outside quantize/dequantize/requantize;
// anything else is reported on the op, with its element types and why,
// never half converted.

func.func @dynamic(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+2 {{'lowbit.relu' op on element type 'f32' cannot be lowered to linalg: needs statically shaped tensors}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.relu'}}
  %r = lowbit.relu %a : tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

func.func @quantized_add(%a: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+2 {{'lowbit.add' op on element type '!quant.uniform<i8:f32, 1.000000e-01>' cannot be lowered to linalg: quantized operands are not supported; dequantize them first}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.add'}}
  %r = lowbit.add %a, %a : (tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return %r : tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @quantized_matmul(%a: tensor<2x4x!quant.uniform<i8:f32, 0.1>>, %b: tensor<4x3x!quant.uniform<i8:f32, 0.2>>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'lowbit.matmul' op on element types '!quant.uniform<i8:f32, 1.000000e-01>', '!quant.uniform<i8:f32, 2.000000e-01>', 'f32' cannot be lowered to linalg: quantized operands are not supported yet; dequantize them first (lowbit.dequantize)}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.matmul'}}
  %r = lowbit.matmul %a, %b : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x!quant.uniform<i8:f32, 0.2>>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

func.func @integer_avg_pool(%x: tensor<1x1x4x4xi32>) -> tensor<1x1x2x2xi32> {
  // expected-error @+2 {{'lowbit.avg_pool' op on element type 'i32' cannot be lowered to linalg: needs float elements}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.avg_pool'}}
  %r = lowbit.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xi32>) -> tensor<1x1x2x2xi32>
  return %r : tensor<1x1x2x2xi32>
}

// -----

func.func @integer_softmax(%x: tensor<2x4xi32>) -> tensor<2x4xi32> {
  // expected-error @+2 {{'lowbit.softmax' op on element type 'i32' cannot be lowered to linalg: needs float elements}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.softmax'}}
  %r = lowbit.softmax %x {axis = 1 : i64} : tensor<2x4xi32>
  return %r : tensor<2x4xi32>
}

// -----

func.func @integer_exp(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+2 {{'lowbit.exp' op on element type 'i32' cannot be lowered to linalg: needs float elements}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.exp'}}
  %r = lowbit.exp %x : tensor<4xi32>
  return %r : tensor<4xi32>
}

// -----

func.func @quantized_max_pool_with_indices(%x: tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1>>) -> (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>, tensor<1x1x2x2xi64>) {
  // expected-error @+2 {{'lowbit.max_pool_with_indices' op on element types '!quant.uniform<i8:f32, 1.000000e-01>', 'i64' cannot be lowered to linalg: needs float or integer elements (dequantize quantized ones first)}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.max_pool_with_indices'}}
  %r, %i = lowbit.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1>>) -> (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>, tensor<1x1x2x2xi64>)
  return %r, %i : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>, tensor<1x1x2x2xi64>
}
