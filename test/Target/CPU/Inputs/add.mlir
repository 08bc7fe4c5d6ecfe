func.func @main(%x: tensor<4xf32> {lowbit.name = "x"}) -> (tensor<4xf32> {lowbit.name = "y"}) {
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
