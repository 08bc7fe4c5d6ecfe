// RUN: quant-opt %s --split-input-file --lowbit-quantize="recipe=%S/Inputs/quantize-recipe.yaml stats=%S/Inputs/quantize-stats.json" | FileCheck %s
// RUN: quant-opt %s --split-input-file --lowbit-quantize | FileCheck %s --check-prefix=FOLD
// RUN: quant-opt %S/Inputs/quantize-observed-layer.mlir --lowbit-quantize="scheme=w8a8 stats=%S/Inputs/quantize-stats.json observer=mse" | FileCheck %s --check-prefix=MSE
// RUN: quant-opt %S/Inputs/quantize-observed-layer.mlir --lowbit-quantize="recipe=%S/Inputs/quantize-recipe.yaml stats=%S/Inputs/quantize-stats.json observer=mse" | FileCheck %s --check-prefix=MSE
// RUN: quant-opt %S/Inputs/quantize-observed-layer.mlir --lowbit-quantize="recipe=%S/Inputs/quantize-recipe.yaml stats=%S/Inputs/quantize-stats.json" | FileCheck %s --check-prefix=MINMAX
// RUN: quant-opt %S/Inputs/quantize-observed-layer.mlir --lowbit-quantize="scheme=w8a8 stats=%S/Inputs/quantize-stats.json observer=percentile:99.99" | FileCheck %s --check-prefix=PERCENTILE

// The recipe (Inputs/quantize-recipe.yaml) keeps layers float unless a rule
// names them and uses the min-max observer. Layers are the contractions
// stamped by lowbit-quantize-weights (lowbit.layer); the folding tests
// further down carry no stamps, so they are only folded, as an imported
// ONNX QDQ model is. Without scheme or recipe (FOLD) nothing is inserted.

//===----------------------------------------------------------------------===//
// Insertion
//===----------------------------------------------------------------------===//

// Observers (Inputs/quantize-observed-layer.mlir: 2,000,000 values in
// [-2, 2) and one at 25). The `observer` option overrides the recipe's:
// mse clips the outlier (range [-2, 5.5]); the recipe's min-max keeps
// [-2, 25]; the 99.99th percentile cuts at about [-2, 2].

// MSE: lowbit.quantize %{{.*}} : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.029411764815449715:-60>>
// MINMAX: lowbit.quantize %{{.*}} : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.10588235408067703:-109>>
// PERCENTILE: lowbit.quantize %{{.*}} : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.015682373195886612:-1>>

// w8a8: conv1's input gets conv1:input's params (min-max [-2, 1.984375]:
// scale 1/64, zero point 0). conv1's result, after its bias and relu, only
// feeds conv2's input, so it is quantized with conv2:input's params ([0,
// 3.984375]: scale 1/64, zero point -128) and the two kernels chain in
// int8. The float bias becomes i32 in units of s_a * s_w: 0.5 / (1/64 *
// 0.25) = 128, -0.25 / (1/64 * 0.125) = -128.

!w1 = tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>
!w2 = tensor<3x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25, 0.125}>>

// CHECK-LABEL: func @w8a8_chain
// CHECK-SAME: %[[X:.+]]: tensor<1x2x4x4xf32>
// CHECK-DAG: %[[B:.+]] = lowbit.constant dense<[128, -128]> : tensor<2xi32>
// CHECK-DAG: %[[W1:.+]] = quant.scast %{{.*}} : tensor<2x2x1x1xi8> to
// CHECK: %[[Q:.+]] = lowbit.quantize %[[X]] : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.562500e-02>>
// CHECK: %[[Y1:.+]] = lowbit.quantized_conv %[[Q]], %[[W1]], %[[B]] {activation = #lowbit.activation<relu>, {{.*}}lowbit.layer = "conv1", lowbit.scheme = "w8a8"{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.562500e-02:-128>>
// CHECK: %[[W2:.+]] = quant.scast %{{.*}} : tensor<3x2x1x1xi8> to
// CHECK: %[[Y2:.+]] = lowbit.quantized_conv %[[Y1]], %[[W2]] {{.*}}lowbit.layer = "conv2"{{.*}} -> tensor<1x3x4x4xf32>
// CHECK-NOT: lowbit.dequantize
// CHECK: return %[[Y2]]
func.func @w8a8_chain(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %c1 = lowbit.constant dense<[[[[1]], [[-2]]], [[[3]], [[4]]]]> : tensor<2x2x1x1xi8>
  %s1 = quant.scast %c1 : tensor<2x2x1x1xi8> to !w1
  %w1 = lowbit.dequantize %s1 : (!w1) -> tensor<2x2x1x1xf32>
  %b1 = lowbit.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %y1 = lowbit.conv %x, %w1, %b1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "conv1", lowbit.scheme = "w8a8"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r1 = lowbit.relu %y1 : tensor<1x2x4x4xf32>
  %c2 = lowbit.constant dense<[[[[1]], [[2]]], [[[3]], [[4]]], [[[5]], [[6]]]]> : tensor<3x2x1x1xi8>
  %s2 = quant.scast %c2 : tensor<3x2x1x1xi8> to !w2
  %w2 = lowbit.dequantize %s2 : (!w2) -> tensor<3x2x1x1xf32>
  %y2 = lowbit.conv %r1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "conv2", lowbit.scheme = "w8a8"} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %y2 : tensor<1x3x4x4xf32>
}

// -----

// The output quantization sees through data movement: the flatten between
// conv1 and fc then moves int8.

!w1 = tensor<4x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125, 0.25, 0.125}>>
!w2 = tensor<16x2x!quant.uniform<i8<-127:127>:f32:1, {0.5, 0.25}>>

// CHECK-LABEL: func @through_reshape
// CHECK: %[[Y1:.+]] = lowbit.quantized_conv {{.*}} -> tensor<1x4x2x2x!quant.uniform<i8:f32, 1.562500e-02:-128>>
// CHECK: %[[R:.+]] = lowbit.reshape %[[Y1]] : (tensor<1x4x2x2x!quant.uniform<i8:f32, 1.562500e-02:-128>>) -> tensor<1x16x!quant.uniform<i8:f32, 1.562500e-02:-128>>
// CHECK: lowbit.quantized_matmul %[[R]], %{{.*}} {lowbit.layer = "fc", lowbit.scheme = "w8a8"}
func.func @through_reshape(%x: tensor<1x2x2x2xf32>) -> tensor<1x2xf32> {
  %c1 = lowbit.constant dense<1> : tensor<4x2x1x1xi8>
  %s1 = quant.scast %c1 : tensor<4x2x1x1xi8> to !w1
  %w1 = lowbit.dequantize %s1 : (!w1) -> tensor<4x2x1x1xf32>
  %y1 = lowbit.conv %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "conv1", lowbit.scheme = "w8a8"} : (tensor<1x2x2x2xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x2x2xf32>
  %flat = lowbit.reshape %y1 : (tensor<1x4x2x2xf32>) -> tensor<1x16xf32>
  %c2 = lowbit.constant dense<2> : tensor<16x2xi8>
  %s2 = quant.scast %c2 : tensor<16x2xi8> to !w2
  %w2 = lowbit.dequantize %s2 : (!w2) -> tensor<16x2xf32>
  %y2 = lowbit.matmul %flat, %w2 {lowbit.layer = "fc", lowbit.scheme = "w8a8"} : (tensor<1x16xf32>, tensor<16x2xf32>) -> tensor<1x2xf32>
  return %y2 : tensor<1x2xf32>
}

// -----

// Output quantization also looks through max pool (max commutes with a
// monotonic quantize), but dequantize does not sink below it (its lowering
// takes no quantized types yet): the pool runs in float between the two
// int8 kernels.

!w1 = tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>

// CHECK-LABEL: func @through_max_pool
// CHECK: %[[Y1:.+]] = lowbit.quantized_conv {{.*}}lowbit.layer = "conv1"{{.*}} -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.562500e-02:-128>>
// CHECK: %[[D:.+]] = lowbit.dequantize %[[Y1]]
// CHECK: %[[P:.+]] = lowbit.max_pool %[[D]]
// CHECK: %[[Q:.+]] = lowbit.quantize %[[P]] : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.562500e-02:-128>>
// CHECK: lowbit.quantized_conv %[[Q]], {{.*}}lowbit.layer = "conv2"
func.func @through_max_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %c1 = lowbit.constant dense<[[[[1]], [[-2]]], [[[3]], [[4]]]]> : tensor<2x2x1x1xi8>
  %s1 = quant.scast %c1 : tensor<2x2x1x1xi8> to !w1
  %w1 = lowbit.dequantize %s1 : (!w1) -> tensor<2x2x1x1xf32>
  %y1 = lowbit.conv %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "conv1", lowbit.scheme = "w8a8"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %p = lowbit.max_pool %y1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %y2 = lowbit.conv %p, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "conv2", lowbit.scheme = "w8a8"} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y2 : tensor<1x2x2x2xf32>
}

// -----

// A result that is also returned keeps its float epilogue; conv2 quantizes
// it as its input.

!w1 = tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.25, 0.125}>>

// CHECK-LABEL: func @output_also_returned
// CHECK: %[[Y1:.+]] = lowbit.quantized_conv {{.*}}lowbit.layer = "conv1"{{.*}} -> tensor<1x2x4x4xf32>
// CHECK: %[[Q:.+]] = lowbit.quantize %[[Y1]] : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 1.562500e-02:-128>>
// CHECK: %[[Y2:.+]] = lowbit.quantized_conv %[[Q]], {{.*}}lowbit.layer = "conv2"
// CHECK: return %[[Y1]], %[[Y2]]
func.func @output_also_returned(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %c1 = lowbit.constant dense<[[[[1]], [[-2]]], [[[3]], [[4]]]]> : tensor<2x2x1x1xi8>
  %s1 = quant.scast %c1 : tensor<2x2x1x1xi8> to !w1
  %w1 = lowbit.dequantize %s1 : (!w1) -> tensor<2x2x1x1xf32>
  %y1 = lowbit.conv %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "conv1", lowbit.scheme = "w8a8"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y2 = lowbit.conv %y1, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, lowbit.layer = "conv2", lowbit.scheme = "w8a8"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y1, %y2 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// w8a8-dynamic: nothing inserted; the kernel quantizes rows at run time.

!w = tensor<4x3x!quant.uniform<i8<-127:127>:f32:1, {0.25, 0.125, 0.0625}>>

// CHECK-LABEL: func @dynamic
// CHECK-SAME: %[[X:.+]]: tensor<2x4xf32>
// CHECK-NOT: lowbit.quantize
// CHECK: lowbit.quantized_matmul %[[X]], %{{.*}} {dynamic_activations, lowbit.layer = "fc_dynamic", lowbit.scheme = "w8a8-dynamic"} : (tensor<2x4xf32>, {{.*}}) -> tensor<2x3xf32>
// FOLD-LABEL: func @dynamic
// FOLD: lowbit.quantized_matmul %{{.*}}, %{{.*}} {lowbit.layer = "fc_dynamic", lowbit.scheme = "w8a8-dynamic"}
func.func @dynamic(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %c = lowbit.constant dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]> : tensor<4x3xi8>
  %s = quant.scast %c : tensor<4x3xi8> to !w
  %w = lowbit.dequantize %s : (!w) -> tensor<4x3xf32>
  %y = lowbit.matmul %x, %w {lowbit.layer = "fc_dynamic", lowbit.scheme = "w8a8-dynamic"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Weight-only (w4a16-g2): nothing inserted, float activations.

!w = tensor<4x3x!quant.uniform<i4<-7:7>:f32:{0:2, 1:1}, {{0.25, 0.125, 0.0625}, {0.5, 0.25, 0.125}}>>

// CHECK-LABEL: func @weight_only
// CHECK-SAME: %[[X:.+]]: tensor<2x4xf32>
// CHECK-NOT: lowbit.quantize
// CHECK: lowbit.quantized_matmul %[[X]], %{{.*}} {lowbit.layer = "fc_w4", lowbit.scheme = "w4a16-g2"} : (tensor<2x4xf32>, tensor<4x3x!quant.uniform<i4<-7:7>:f32:{0:2, 1:1}
func.func @weight_only(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %c = lowbit.constant dense<[[1, 2, 3], [4, 5, 6], [7, -7, 1], [0, 1, 2]]> : tensor<4x3xi4>
  %s = quant.scast %c : tensor<4x3xi4> to !w
  %w = lowbit.dequantize %s : (!w) -> tensor<4x3xf32>
  %y = lowbit.matmul %x, %w {lowbit.layer = "fc_w4", lowbit.scheme = "w4a16-g2"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// fp8: activations get an fp8 Q/DQ (scale absmax / 448 = 4.48 / 448); no
// kernel takes fp8 x fp8, so the kernel is weight-only on the
// fake-quantized activations.

!w = tensor<4x3x!quant.uniform<u8:f32, 0.0022321428571428571>>

// CHECK-LABEL: func @fp8
// CHECK: %[[Q:.+]] = lowbit.quantize %{{.*}} {codebook = #lowbit.codebook<fp8_e4m3fn>} : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<u8:f32, 0.0099999997764825821>>
// CHECK: %[[D:.+]] = lowbit.dequantize %[[Q]] {codebook = #lowbit.codebook<fp8_e4m3fn>}
// CHECK: lowbit.quantized_matmul %[[D]], %{{.*}} {lowbit.layer = "fc_fp8", lowbit.scheme = "fp8", weight_codebook = #lowbit.codebook<fp8_e4m3fn>}
func.func @fp8(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %c = lowbit.constant dense<[[118, -2, 110], [126, 118, -10], [-18, 122, 126], [99, 107, 112]]> : tensor<4x3xi8>
  %s = quant.scast %c : tensor<4x3xi8> to !w
  %w = lowbit.dequantize %s {codebook = #lowbit.codebook<fp8_e4m3fn>} : (!w) -> tensor<4x3xf32>
  %y = lowbit.matmul %x, %w {lowbit.layer = "fc_fp8", lowbit.scheme = "fp8"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Ternary: int8 symmetric narrow activations (1.27 / 127 = 0.01) times
// i8<-1:1> weights, an integer kernel.

!w = tensor<4x3x!quant.uniform<i8<-1:1>:f32, 0.5>>

// CHECK-LABEL: func @ternary
// CHECK: %[[Q:.+]] = lowbit.quantize %{{.*}} : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8<-127:127>:f32, 0.0099999997764825821>>
// CHECK: lowbit.quantized_matmul %[[Q]], %{{.*}} {lowbit.layer = "fc_ternary", lowbit.scheme = "ternary"}
func.func @ternary(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %c = lowbit.constant dense<[[1, -1, 0], [1, 1, -1], [0, 1, 1], [0, 0, 1]]> : tensor<4x3xi8>
  %s = quant.scast %c : tensor<4x3xi8> to !w
  %w = lowbit.dequantize %s : (!w) -> tensor<4x3xf32>
  %y = lowbit.matmul %x, %w {lowbit.layer = "fc_ternary", lowbit.scheme = "ternary"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// A recipe rule keeps "head" float: it is marked so, and not folded even
// though its weights are dequantized.

!w = tensor<4x3x!quant.uniform<i8<-127:127>:f32:1, {0.25, 0.125, 0.0625}>>

// CHECK-LABEL: func @float_rule
// CHECK: %[[W:.+]] = lowbit.dequantize
// CHECK: lowbit.matmul %{{.*}}, %[[W]] {lowbit.layer = "head", lowbit.scheme = "float"}
// CHECK-NOT: quantized_matmul
func.func @float_rule(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %c = lowbit.constant dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]> : tensor<4x3xi8>
  %s = quant.scast %c : tensor<4x3xi8> to !w
  %w = lowbit.dequantize %s : (!w) -> tensor<4x3xf32>
  %y = lowbit.matmul %x, %w {lowbit.layer = "head", lowbit.scheme = "w8a8"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

//===----------------------------------------------------------------------===//
// Folding
//===----------------------------------------------------------------------===//

// -----

// ONNX Runtime's QDQ conv: DQ(x), DQ(w per axis), DQ(i32 bias with scale
// s_x * s_w) -> conv -> relu -> Q becomes one integer kernel; the bias
// codes are already in units of s_x * s_w and are kept as they are.

!xq = tensor<1x2x4x4x!quant.uniform<u8:f32, 5.000000e-01:128>>
!wq = tensor<3x2x1x1x!quant.uniform<i8:f32:0, {0.25, 0.125, 0.0625}>>
!bq = tensor<3x!quant.uniform<i32:f32:0, {0.125, 0.0625, 0.03125}>>
!yq = tensor<1x3x4x4x!quant.uniform<u8:f32, 2.500000e-01>>

// CHECK-LABEL: func @ort_qdq_conv
// CHECK-SAME: %[[X:.+]]: tensor<1x2x4x4xf32>
// CHECK-DAG: %[[B:.+]] = lowbit.constant dense<[10, -20, 30]> : tensor<3xi32>
// CHECK-DAG: %[[Q:.+]] = lowbit.quantize %[[X]] : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 5.000000e-01:128>>
// CHECK-DAG: %[[W:.+]] = quant.scast %{{.*}} : tensor<3x2x1x1xi8> to tensor<3x2x1x1x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01,6.250000e-02}>>
// CHECK: %[[Y:.+]] = lowbit.quantized_conv %[[Q]], %[[W]], %[[B]] {activation = #lowbit.activation<relu>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : ({{.*}}) -> tensor<1x3x4x4x!quant.uniform<u8:f32, 2.500000e-01>>
// CHECK: %[[D:.+]] = lowbit.dequantize %[[Y]]
// CHECK: return %[[D]]
// FOLD-LABEL: func @ort_qdq_conv
// FOLD: lowbit.quantized_conv {{.*}}activation = #lowbit.activation<relu>
func.func @ort_qdq_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %xq = lowbit.quantize %x : (tensor<1x2x4x4xf32>) -> !xq
  %xd = lowbit.dequantize %xq : (!xq) -> tensor<1x2x4x4xf32>
  %wc = lowbit.constant dense<[[[[1]], [[-2]]], [[[3]], [[4]]], [[[-5]], [[6]]]]> : tensor<3x2x1x1xi8>
  %ws = quant.scast %wc : tensor<3x2x1x1xi8> to !wq
  %wd = lowbit.dequantize %ws : (!wq) -> tensor<3x2x1x1xf32>
  %bc = lowbit.constant dense<[10, -20, 30]> : tensor<3xi32>
  %bs = quant.scast %bc : tensor<3xi32> to !bq
  %bd = lowbit.dequantize %bs : (!bq) -> tensor<3xf32>
  %y = lowbit.conv %xd, %wd, %bd {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %r = lowbit.relu %y : tensor<1x3x4x4xf32>
  %yq = lowbit.quantize %r : (tensor<1x3x4x4xf32>) -> !yq
  %yd = lowbit.dequantize %yq : (!yq) -> tensor<1x3x4x4xf32>
  return %yd : tensor<1x3x4x4xf32>
}

// -----

// A float bias add becomes an i32 bias: roundHalfToEven(b / (s_a * s_w[c]))
// = (0.3125 / 0.125 = 2.5 -> 2, -0.3 / 0.0625 = -4.8 -> -5,
// 0.046875 / 0.03125 = 1.5 -> 2), as ONNX Runtime quantizes biases.

!aq = tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>
!wq = tensor<4x3x!quant.uniform<i8:f32:1, {0.25, 0.125, 0.0625}>>

// CHECK-LABEL: func @bias_add_rounding
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x4x!quant
// CHECK-DAG: %[[B:.+]] = lowbit.constant dense<[2, -5, 2]> : tensor<3xi32>
// CHECK-DAG: %[[W:.+]] = quant.scast
// CHECK: %[[Y:.+]] = lowbit.quantized_matmul %[[A]], %[[W]], %[[B]] : ({{.*}}) -> tensor<2x3xf32>
// CHECK-NOT: lowbit.add
// CHECK: return %[[Y]]
func.func @bias_add_rounding(%a: !aq, %wc: tensor<4x3xi8>) -> tensor<2x3xf32> {
  %ad = lowbit.dequantize %a : (!aq) -> tensor<2x4xf32>
  %ws = quant.scast %wc : tensor<4x3xi8> to !wq
  %wd = lowbit.dequantize %ws : (!wq) -> tensor<4x3xf32>
  %y = lowbit.matmul %ad, %wd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %b = lowbit.constant dense<[0.3125, -0.3, 0.046875]> : tensor<3xf32>
  %z = lowbit.add %y, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %z : tensor<2x3xf32>
}

// -----

// clip and the final quantize fuse into the epilogue.

!aq = tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>
!wq = tensor<4x3x!quant.uniform<i8:f32, 0.25>>
!yq = tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-128>>

// CHECK-LABEL: func @clip_requantize
// CHECK: %[[Y:.+]] = lowbit.quantized_matmul %{{.*}}, %{{.*}} {activation = #lowbit.activation<clip>, clip_max = 6.000000e+00 : f32, clip_min = 0.000000e+00 : f32} : ({{.*}}) -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-02:-128>>
// CHECK-NEXT: return %[[Y]]
func.func @clip_requantize(%a: !aq, %w: !wq) -> !yq {
  %ad = lowbit.dequantize %a : (!aq) -> tensor<2x4xf32>
  %wd = lowbit.dequantize %w : (!wq) -> tensor<4x3xf32>
  %y = lowbit.matmul %ad, %wd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %c = lowbit.clip %y {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  %q = lowbit.quantize %c : (tensor<2x3xf32>) -> !yq
  return %q : !yq
}

// -----

// Weight-only NF4: the codebook moves to the kernel, the bias stays float
// (a [1, 3] bias added on either side).

!wq = tensor<4x3x!quant.uniform<u4:f32:{0:2, 1:1}, {{0.25, 0.125, 0.0625}, {0.5, 0.25, 0.125}}>>

// CHECK-LABEL: func @weight_only_codebook_bias
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32>, %[[W:[^:]+]]: tensor<4x3x!quant
// CHECK: %[[B:.+]] = lowbit.constant dense<[5.000000e-01, -1.500000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK: lowbit.quantized_matmul %[[X]], %[[W]], %[[B]] {weight_codebook = #lowbit.codebook<nf4>} : (tensor<2x4xf32>, {{.*}}, tensor<3xf32>) -> tensor<2x3xf32>
func.func @weight_only_codebook_bias(%x: tensor<2x4xf32>, %w: !wq) -> tensor<2x3xf32> {
  %wd = lowbit.dequantize %w {codebook = #lowbit.codebook<nf4>} : (!wq) -> tensor<4x3xf32>
  %y = lowbit.matmul %x, %wd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %b = lowbit.constant dense<[[0.5, -1.5, 2.0]]> : tensor<1x3xf32>
  %z = lowbit.add %b, %y : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %z : tensor<2x3xf32>
}

// -----

// gemm with transB: constant weights are transposed at compile time (the
// per-axis dimension moves to 1) and C becomes the i32 bias (0.125 /
// (0.5 * 0.25) = 1, ...); per-tensor weights that are not constants get a
// transpose of their integers; per-axis ones stay a gemm.

!aq = tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>
!wq = tensor<3x4x!quant.uniform<i8:f32:0, {0.25, 0.125, 0.0625}>>
!wt = tensor<3x4x!quant.uniform<i8:f32, 0.25>>

// CHECK-LABEL: func @gemm_trans_b
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>, %[[T:[^:]+]]: tensor<3x4x!quant
// CHECK-DAG: %[[B:.+]] = lowbit.constant dense<1> : tensor<3xi32>
// CHECK-DAG: %[[C:.+]] = lowbit.constant dense<{{\[}}[1, 5, 9], [2, 6, 10], [3, 7, 11], [4, 8, 12]]> : tensor<4x3xi8>
// CHECK-DAG: %[[W:.+]] = quant.scast %[[C]] : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8:f32:1, {2.500000e-01,1.250000e-01,6.250000e-02}>>
// CHECK: lowbit.quantized_matmul %[[A]], %[[W]], %[[B]] :
// CHECK: %[[TT:.+]] = lowbit.transpose %[[T]] {perm = array<i64: 1, 0>} : (tensor<3x4x!quant.uniform<i8:f32, 2.500000e-01>>) -> tensor<4x3x!quant.uniform<i8:f32, 2.500000e-01>>
// CHECK: lowbit.quantized_matmul %[[A]], %[[TT]] :
// CHECK: lowbit.gemm {{.*}}transB = true
func.func @gemm_trans_b(%a: !aq, %w: !wt, %v: !wq) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %ad = lowbit.dequantize %a : (!aq) -> tensor<2x4xf32>
  %wc = lowbit.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]> : tensor<3x4xi8>
  %ws = quant.scast %wc : tensor<3x4xi8> to !wq
  %wd = lowbit.dequantize %ws : (!wq) -> tensor<3x4xf32>
  %c = lowbit.constant dense<[0.125, 0.0625, 0.03125]> : tensor<3xf32>
  %y = lowbit.gemm %ad, %wd, %c {transB = true} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %td = lowbit.dequantize %w : (!wt) -> tensor<3x4xf32>
  %z = lowbit.gemm %ad, %td {transB = true} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %vd = lowbit.dequantize %v : (!wq) -> tensor<3x4xf32>
  %u = lowbit.gemm %ad, %vd {transB = true} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y, %z, %u : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Weights grouped along the reduction have no single scale per output
// channel, so no i32 accumulator can take them: the kernel reads the
// dequantized activations in float (weight-only) and the bias stays f32.

!xq = tensor<1x4x2x2x!quant.uniform<i8:f32, 5.000000e-01:-3>>
!wq = tensor<2x4x1x1x!quant.uniform<i4:f32:{0:1, 1:2}, {{{{0.25}}, {{0.125}}}, {{{0.5}}, {{0.0625}}}}>>

// CHECK-LABEL: func @conv_groups_weight_only
// CHECK-DAG: %[[B:.+]] = lowbit.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[X:.+]] = lowbit.dequantize %{{.*}} : (tensor<1x4x2x2x!quant.uniform<i8:f32, 5.000000e-01:-3>>) -> tensor<1x4x2x2xf32>
// CHECK: lowbit.quantized_conv %[[X]], %{{.*}}, %[[B]] {{.*}} -> tensor<1x2x2x2xf32>
func.func @conv_groups_weight_only(%x: !xq, %w: !wq) -> tensor<1x2x2x2xf32> {
  %xd = lowbit.dequantize %x : (!xq) -> tensor<1x4x2x2xf32>
  %wd = lowbit.dequantize %w : (!wq) -> tensor<2x4x1x1xf32>
  %b = lowbit.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %y = lowbit.conv %xd, %wd, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x2x2xf32>, tensor<2x4x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// A bias that is not a constant cannot become i32 at compile time: it stays
// a float add (broadcast along the channel dimension) after the kernel.

!xq = tensor<1x4x2x2x!quant.uniform<i8:f32, 5.000000e-01:-3>>
!wq = tensor<2x4x1x1x!quant.uniform<i8:f32:0, {0.25, 0.125}>>

// CHECK-LABEL: func @conv_runtime_bias
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x4x2x2x!quant.uniform<i8:f32, 5.000000e-01:-3>>, %[[W:[^:]+]]: tensor<2x4x1x1x!quant.uniform<i8:f32:0, {2.500000e-01,1.250000e-01}>>, %[[B:[^:]+]]: tensor<2xf32>
// CHECK: %[[Y:.+]] = lowbit.quantized_conv %[[X]], %[[W]] {dilations
// CHECK: %[[R:.+]] = lowbit.reshape %[[B]] : (tensor<2xf32>) -> tensor<2x1x1xf32>
// CHECK: lowbit.add %[[Y]], %[[R]] : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
func.func @conv_runtime_bias(%x: !xq, %w: !wq, %b: tensor<2xf32>) -> tensor<1x2x2x2xf32> {
  %xd = lowbit.dequantize %x : (!xq) -> tensor<1x4x2x2xf32>
  %wd = lowbit.dequantize %w : (!wq) -> tensor<2x4x1x1xf32>
  %y = lowbit.conv %xd, %wd, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x2x2xf32>, tensor<2x4x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// quantize(dequantize(x)) is x for the same type, a requantize for
// another; codebook values are left alone.

!q1 = tensor<4x!quant.uniform<i8:f32, 5.000000e-01:-3>>
!q2 = tensor<4x!quant.uniform<u8:f32, 2.500000e-01:128>>
!c = tensor<4x!quant.uniform<u8:f32, 1.000000e-02>>

// CHECK-LABEL: func @quantize_of_dequantize
// CHECK-SAME: %[[A:[^:]+]]: tensor<4x!quant
// CHECK: %[[R:.+]] = lowbit.requantize %[[A]] : (tensor<4x!quant.uniform<i8:f32, 5.000000e-01:-3>>) -> tensor<4x!quant.uniform<u8:f32, 2.500000e-01:128>>
// CHECK: %[[D:.+]] = lowbit.dequantize %{{.*}} {codebook = #lowbit.codebook<fp8_e4m3fn>}
// CHECK: %[[P:.+]] = lowbit.quantize %[[D]] :
// CHECK: return %[[A]], %[[R]], %[[P]]
func.func @quantize_of_dequantize(%a: !q1, %b: !c) -> (!q1, !q2, !c) {
  %d = lowbit.dequantize %a : (!q1) -> tensor<4xf32>
  %same = lowbit.quantize %d : (tensor<4xf32>) -> !q1
  %other = lowbit.quantize %d : (tensor<4xf32>) -> !q2
  %e = lowbit.dequantize %b {codebook = #lowbit.codebook<fp8_e4m3fn>} : (!c) -> tensor<4xf32>
  %plain = lowbit.quantize %e : (tensor<4xf32>) -> !c
  return %same, %other, %plain : !q1, !q2, !c
}

// -----

// dequantize sinks below reshape, transpose and slice, which then move
// int8; the final quantize cancels.

!q = !quant.uniform<i8:f32, 5.000000e-01:-3>

// CHECK-LABEL: func @sink_data_movement
// CHECK-SAME: %[[X:.+]]: tensor<2x3x4x!quant
// CHECK: %[[R:.+]] = lowbit.reshape %[[X]] : (tensor<2x3x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>) -> tensor<6x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// CHECK: %[[T:.+]] = lowbit.transpose %[[R]] {perm = array<i64: 1, 0>} : ({{.*}}) -> tensor<4x6x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// CHECK: %[[S:.+]] = lowbit.slice %[[T]] {{.*}} -> tensor<4x2x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// CHECK-NEXT: return %[[S]]
func.func @sink_data_movement(%x: tensor<2x3x4x!q>) -> tensor<4x2x!q> {
  %d = lowbit.dequantize %x : (tensor<2x3x4x!q>) -> tensor<2x3x4xf32>
  %r = lowbit.reshape %d : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %t = lowbit.transpose %r {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %s = lowbit.slice %t {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : (tensor<4x6xf32>) -> tensor<4x2xf32>
  %q = lowbit.quantize %s : (tensor<4x2xf32>) -> tensor<4x2x!q>
  return %q : tensor<4x2x!q>
}

// -----

// concat moves int8 when all its inputs share one per-tensor type.

!q = !quant.uniform<i8:f32, 5.000000e-01:-3>
!p = !quant.uniform<i8:f32, 2.500000e-01>

// CHECK-LABEL: func @sink_concat
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x2x!quant.uniform<i8:f32, 5.000000e-01:-3>>, %[[B:[^:]+]]: tensor<2x3x!quant
// CHECK-DAG: %[[SAME:.+]] = lowbit.concat %[[A]], %[[B]] {axis = 1 : i64} : ({{.*}}) -> tensor<2x5x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// CHECK-DAG: %[[D:.+]] = lowbit.dequantize %[[SAME]]
// CHECK-DAG: %[[MIXED:.+]] = lowbit.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x5xf32>
// CHECK: return %[[D]], %[[MIXED]]
func.func @sink_concat(%a: tensor<2x2x!q>, %b: tensor<2x3x!q>, %c: tensor<2x3x!p>) -> (tensor<2x5xf32>, tensor<2x5xf32>) {
  %ad = lowbit.dequantize %a : (tensor<2x2x!q>) -> tensor<2x2xf32>
  %bd = lowbit.dequantize %b : (tensor<2x3x!q>) -> tensor<2x3xf32>
  %cd = lowbit.dequantize %c : (tensor<2x3x!p>) -> tensor<2x3xf32>
  %same = lowbit.concat %ad, %bd {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x5xf32>
  %mixed = lowbit.concat %ad, %cd {axis = 1 : i64} : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x5xf32>
  return %same, %mixed : tensor<2x5xf32>, tensor<2x5xf32>
}

// -----

// An activation is fused only when the kernel's float result has no other
// user.

!aq = tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>
!wq = tensor<4x3x!quant.uniform<i8:f32, 0.25>>

// CHECK-LABEL: func @shared_result_stays
// CHECK: %[[Y:.+]] = lowbit.quantized_matmul %{{.*}}, %{{.*}} : (
// CHECK: %[[R:.+]] = lowbit.relu %[[Y]]
// CHECK: return %[[Y]], %[[R]]
func.func @shared_result_stays(%a: !aq, %w: !wq) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %ad = lowbit.dequantize %a : (!aq) -> tensor<2x4xf32>
  %wd = lowbit.dequantize %w : (!wq) -> tensor<4x3xf32>
  %y = lowbit.matmul %ad, %wd : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %r = lowbit.relu %y : tensor<2x3xf32>
  return %y, %r : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Float weights: nothing to fold.

!aq = tensor<2x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>

// CHECK-LABEL: func @float_weights_stay
// CHECK: lowbit.dequantize
// CHECK: lowbit.matmul
// CHECK-NOT: quantized_matmul
func.func @float_weights_stay(%a: !aq) -> tensor<2x3xf32> {
  %ad = lowbit.dequantize %a : (!aq) -> tensor<2x4xf32>
  %w = lowbit.constant dense<1.0> : tensor<4x3xf32>
  %y = lowbit.matmul %ad, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
