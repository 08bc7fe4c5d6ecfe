// A hand-written quantized model for quant-compile: int8 activations in
// their storage type, per-channel int8 weights, i32 bias, float output.
func.func @main(%x: tensor<2x4xi8> {lowbit.name = "x"}) -> (tensor<2x3xf32> {lowbit.name = "y"}) {
  %xq = quant.scast %x : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8:f32, 0.5:1>>
  %w = lowbit.constant dense<[[1, -2, 3], [4, 5, -6], [-7, 8, 9], [10, -11, 12]]> : tensor<4x3xi8>
  %wq = quant.scast %w : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8:f32:1, {0.25, 0.5, 0.125}>>
  %b = lowbit.constant dense<[4, -8, 16]> : tensor<3xi32>
  %y = lowbit.quantized_matmul %xq, %wq, %b : (tensor<2x4x!quant.uniform<i8:f32, 0.5:1>>, tensor<4x3x!quant.uniform<i8:f32:1, {0.25, 0.5, 0.125}>>, tensor<3xi32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
