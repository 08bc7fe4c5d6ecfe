// RUN: not quant-compile %s -o %t 2>&1 | FileCheck %s

// The tool reports why an op cannot be lowered, not only that it failed to
// legalize.

// CHECK: error: 'lowbit.matmul' op on element types '!quant.uniform<i8:f32, 1.000000e-01>', '!quant.uniform<i8:f32, 2.000000e-01>', 'f32' cannot be lowered to linalg: quantized operands are not supported yet; dequantize them first (lowbit.dequantize)
// CHECK: error: failed to legalize operation 'lowbit.matmul'
module {
  func.func @main(%a: tensor<2x4xf32> {lowbit.name = "a"}, %b: tensor<4x3xf32> {lowbit.name = "b"}) -> (tensor<2x3xf32> {lowbit.name = "c"}) {
    %qa = lowbit.quantize %a : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.1>>
    %qb = lowbit.quantize %b : (tensor<4x3xf32>) -> tensor<4x3x!quant.uniform<i8:f32, 0.2>>
    %r = lowbit.matmul %qa, %qb : (tensor<2x4x!quant.uniform<i8:f32, 0.1>>, tensor<4x3x!quant.uniform<i8:f32, 0.2>>) -> tensor<2x3xf32>
    return %r : tensor<2x3xf32>
  }
}
