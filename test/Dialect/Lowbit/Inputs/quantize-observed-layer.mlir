// One layer whose input statistics have a histogram of 2,000,000 values in
// [-2, 2) and one outlier at 25; for the observer tests in
// lowbit-quantize.mlir.

!w = tensor<4x3x!quant.uniform<i8<-127:127>:f32:1, {0.25, 0.125, 0.0625}>>

func.func @observed(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %c = lowbit.constant dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]> : tensor<4x3xi8>
  %s = quant.scast %c : tensor<4x3xi8> to !w
  %w = lowbit.dequantize %s : (!w) -> tensor<4x3xf32>
  %y = lowbit.matmul %x, %w {lowbit.layer = "observed"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
