// RUN: quant-opt %s --convert-lowbit-to-linalg --split-input-file --verify-diagnostics

// What the quantized lowerings reject, reported on the op with its element
// types and why (see LoweringFailure.h).

func.func @dynamic_shape(%a: tensor<?x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x2x!quant.uniform<i8:f32, 0.25>>) -> tensor<?x2xf32> {
  // expected-error @+2 {{'lowbit.quantized_matmul' op on element types '!quant.uniform<i8:f32, 5.000000e-01>', '!quant.uniform<i8:f32, 2.500000e-01>', 'f32' cannot be lowered to linalg: needs statically shaped tensors}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.quantized_matmul'}}
  %y = lowbit.quantized_matmul %a, %w : (tensor<?x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x2x!quant.uniform<i8:f32, 0.25>>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// An i32 accumulator has one scale per output channel.
func.func @integer_kernel_with_groups(%a: tensor<3x4x!quant.uniform<i8:f32, 0.5>>, %w: tensor<4x2x!quant.uniform<i8:f32:{0:2, 1:1}, {{0.1, 0.2}, {0.3, 0.4}}>>) -> tensor<3x2xf32> {
  // expected-error @+2 {{cannot be lowered to linalg: integer kernels need one weight scale per output channel; weight groups along other dimensions need float activations (weight-only)}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.quantized_matmul'}}
  %y = lowbit.quantized_matmul %a, %w : (tensor<3x4x!quant.uniform<i8:f32, 0.5>>, tensor<4x2x!quant.uniform<i8:f32:{0:2, 1:1}, {{0.1, 0.2}, {0.3, 0.4}}>>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @dynamic_groups(%x: tensor<3x4xf32>, %w: tensor<4x2x!quant.uniform<i8:f32:{0:2, 1:1}, {{0.1, 0.2}, {0.3, 0.4}}>>) -> tensor<3x2xf32> {
  // expected-error @+2 {{integer kernels need one weight scale per output channel}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.quantized_matmul'}}
  %y = lowbit.quantized_matmul %x, %w {dynamic_activations} : (tensor<3x4xf32>, tensor<4x2x!quant.uniform<i8:f32:{0:2, 1:1}, {{0.1, 0.2}, {0.3, 0.4}}>>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @dynamic_conv(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{cannot be lowered to linalg: dynamic_activations is only supported on quantized_matmul}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.quantized_conv'}}
  %y = lowbit.quantized_conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dynamic_activations} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

func.func @codebook_zero_point(%x: tensor<3x4xf32>, %w: tensor<4x2x!quant.uniform<u4:f32, 0.5:8>>) -> tensor<3x2xf32> {
  // expected-error @+2 {{cannot be lowered to linalg: codebook values are scaled, not shifted: the zero points must be 0}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.quantized_matmul'}}
  %y = lowbit.quantized_matmul %x, %w {weight_codebook = #lowbit.codebook<nf4>} : (tensor<3x4xf32>, tensor<4x2x!quant.uniform<u4:f32, 0.5:8>>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @fp8_in_four_bits(%q: tensor<4x!quant.uniform<u4:f32, 0.5>>) -> tensor<4xf32> {
  // expected-error @+2 {{'lowbit.dequantize' op on element types '!quant.uniform<u4:f32, 5.000000e-01>', 'f32' cannot be lowered to linalg: fp8_e4m3fn codes need 8-bit storage}}
  // expected-error @+1 {{failed to legalize operation 'lowbit.dequantize'}}
  %d = lowbit.dequantize %q {codebook = #lowbit.codebook<fp8_e4m3fn>} : (tensor<4x!quant.uniform<u4:f32, 0.5>>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}
