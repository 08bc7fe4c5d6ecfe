// RUN: quant-opt %s --convert-lowbit-to-linalg --split-input-file --verify-diagnostics

// The lowering needs static shapes (the importer specializes them) and
// plain float or integer elements outside quantize/dequantize/requantize;
// anything else is reported on the op, never half converted.

func.func @dynamic(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{failed to legalize operation 'lowbit.relu'}}
  %r = lowbit.relu %a : tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

func.func @quantized_add(%a: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  // expected-error @+1 {{failed to legalize operation 'lowbit.add'}}
  %r = lowbit.add %a, %a : (tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return %r : tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// -----

func.func @integer_avg_pool(%x: tensor<1x1x4x4xi32>) -> tensor<1x1x2x2xi32> {
  // expected-error @+1 {{failed to legalize operation 'lowbit.avg_pool'}}
  %r = lowbit.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xi32>) -> tensor<1x1x2x2xi32>
  return %r : tensor<1x1x2x2xi32>
}

// -----

func.func @integer_softmax(%x: tensor<2x4xi32>) -> tensor<2x4xi32> {
  // expected-error @+1 {{failed to legalize operation 'lowbit.softmax'}}
  %r = lowbit.softmax %x {axis = 1 : i64} : tensor<2x4xi32>
  return %r : tensor<2x4xi32>
}
