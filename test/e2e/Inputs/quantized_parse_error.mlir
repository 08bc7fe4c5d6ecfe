// Not a valid module: %w is never defined.
func.func @main(%x: tensor<2x4xf32> {lowbit.name = "x"}) -> (tensor<2x3xf32> {lowbit.name = "y"}) {
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
