// RUN: quant-opt %s --split-input-file --lowbit-quantize-weights="recipe=%S/Inputs/quantize-weights-recipe.json" | FileCheck %s
// RUN: quant-opt %s --split-input-file --lowbit-quantize-weights="scheme=nf4 recipe=%S/Inputs/quantize-weights-recipe.json" | FileCheck %s
// RUN: quant-opt %s --split-input-file --lowbit-quantize-weights | FileCheck %s --check-prefix=NONE
// RUN: quant-opt %S/Inputs/quantize-weights-group-size.mlir --lowbit-quantize-weights="recipe=%S/Inputs/quantize-weights-fallback-recipe.yaml group-fallback=per-channel" 2>&1 | FileCheck %s --check-prefix=FALLBACK

// A group size that does not divide the reduction dimension is an error
// (lowbit-quantize-weights-invalid.mlir) unless group-fallback=per-channel:
// then the layer is quantized per channel, with a warning. NF4 falls back
// to one absmax group per channel. The scheme name records the fallback.

// FALLBACK: warning: {{.*}}layer 'fc': group size 3 does not divide the reduction dimension (4); quantized per channel instead
// FALLBACK: warning: {{.*}}layer 'conv': group size 3 does not divide the reduction dimension (2); quantized per channel instead
// FALLBACK: warning: {{.*}}layer 'fc_nf4': group size 3 does not divide the reduction dimension (4); quantized per channel instead
// FALLBACK-LABEL: func @group_size
// FALLBACK: quant.scast %{{.*}} : tensor<4x3xi4> to tensor<4x3x!quant.uniform<i4<-7:7>:f32:1, {0.1428571492433548,0.1428571492433548,0.1428571492433548}>>
// FALLBACK: lowbit.scheme = "w4a16-g3+per_channel"
// FALLBACK-LABEL: func @conv_group_size
// FALLBACK: tensor<3x2x1x1x!quant.uniform<i4<-7:7>:f32:0, {0.1428571492433548,0.28571429848670959,0.1428571492433548}>>
// FALLBACK-LABEL: func @nf4_group_size
// FALLBACK: tensor<4x3x!quant.uniform<u4:f32:{0:4, 1:1}, {{\{}}{1.000000e+00, 1.000000e+00, 1.000000e+00}}>>

// The recipe's default is w8a8: int8 symmetric narrow per output channel.
// absmax per column N is 1.0, 1.0, 1.0: scale 1/127; codes round(w * 127).

// NONE-LABEL: func @matmul_w8a8
// NONE-NOT: quant.scast
// CHECK-LABEL: func @matmul_w8a8
// CHECK-SAME: %[[X:.+]]: tensor<2x4xf32>
// CHECK: %[[C:.+]] = lowbit.constant dense<{{\[}}[64, -127, 32], [127, 64, -64], [-32, 95, 127], [13, 25, 38]]> : tensor<4x3xi8>
// CHECK: %[[S:.+]] = quant.scast %[[C]] : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8<-127:127>:f32:1, {0.0078740157186985015,0.0078740157186985015,0.0078740157186985015}>>
// CHECK: %[[W:.+]] = lowbit.dequantize %[[S]] : ({{.*}}) -> tensor<4x3xf32>
// CHECK: lowbit.matmul %[[X]], %[[W]] {lowbit.layer = "fc", lowbit.scheme = "w8a8"}
func.func @matmul_w8a8(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc")
  return %y : tensor<2x3xf32>
}

// -----

// Conv weights [O, I, kh, kw] are quantized along O (axis 0).

// CHECK-LABEL: func @conv_w8a8
// CHECK: %[[C:.+]] = lowbit.constant dense<{{\[}}{{\[}}{{\[}}[32]], {{\[}}[-64]], {{\[}}[16]], {{\[}}[127]]], {{\[}}{{\[}}[127]], {{\[}}[64]], {{\[}}[-64]], {{\[}}[16]]]]> : tensor<2x4x1x1xi8>
// CHECK: quant.scast %[[C]] : tensor<2x4x1x1xi8> to tensor<2x4x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.015748031437397003,0.0078740157186985015}>>
// CHECK: lowbit.conv {{.*}}lowbit.layer = "conv1", lowbit.scheme = "w8a8"
func.func @conv_w8a8(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = lowbit.constant dense<[[[[0.5]], [[-1.0]], [[0.25]], [[2.0]]], [[[1.0]], [[0.5]], [[-0.5]], [[0.125]]]]> : tensor<2x4x1x1xf32>
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x4xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv1")
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Gemm B is [K, N] (per axis 1) or, with transB, [N, K] (per axis 0).

// CHECK-LABEL: func @gemm_w8a8
// CHECK: quant.scast %{{.*}} : tensor<2x3xi8> to tensor<2x3x!quant.uniform<i8<-127:127>:f32:1, {0.0039370078593492508,0.0078740157186985015,0.011811023578047752}>>
// CHECK: quant.scast %{{.*}} : tensor<3x2xi8> to tensor<3x2x!quant.uniform<i8<-127:127>:f32:0, {0.0039370078593492508,0.0078740157186985015,0.011811023578047752}>>
func.func @gemm_w8a8(%x: tensor<4x2xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %b = lowbit.constant dense<[[0.5, 1.0, -1.5], [0.25, -0.5, 0.75]]> : tensor<2x3xf32>
  %bt = lowbit.constant dense<[[0.5, 0.25], [1.0, -0.5], [-1.5, 0.75]]> : tensor<3x2xf32>
  %y = lowbit.gemm %x, %b : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32> loc("gemm")
  %z = lowbit.gemm %x, %bt {transB = true} : (tensor<4x2xf32>, tensor<3x2xf32>) -> tensor<4x3xf32> loc("gemm_t")
  return %y, %z : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// w4a16-g2: int4 symmetric narrow in groups of 2 along K (a sub-channel
// type with blocks {K: 2, N: 1}); each group's scale is its absmax / 7.

// CHECK-LABEL: func @matmul_int4_groups
// CHECK: %[[C:.+]] = lowbit.constant dense<{{\[}}[3, -7, 3], [7, 3, -7], [-7, 7, 7], [3, 2, 2]]> : tensor<4x3xi4>
// CHECK: quant.scast %[[C]] : tensor<4x3xi4> to tensor<4x3x!quant.uniform<i4<-7:7>:f32:{0:2, 1:1}, {{\{}}{0.142857149, 0.142857149, 0.0714285746}, {0.0357142873, 0.107142858, 0.142857149}}>>
// CHECK: lowbit.matmul {{.*}}lowbit.scheme = "w4a16-g2"
func.func @matmul_int4_groups(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc_int4")
  return %y : tensor<2x3xf32>
}

// -----

// Asymmetric uint4 groups: a zero point per group. Group (0, 1) spans
// [-1, 0.5]: scale 1.5 / 15 = 0.1, zero point 10 (printed -6: upstream
// prints sub-channel zero points at the storage width, signless).

// CHECK-LABEL: func @matmul_int4_asymmetric
// CHECK: quant.scast %{{.*}} : tensor<4x3xi4> to tensor<4x3x!quant.uniform<u4:f32:{0:2, 1:1}, {{\{}}{0.0666666701, 1.000000e-01:-6, 5.000000e-02:-6}, {0.0233333334:-5, 5.000000e-02, 0.0666666701}}>>
func.func @matmul_int4_asymmetric(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc_int4_asym")
  return %y : tensor<2x3xf32>
}

// -----

// Conv groups run along the input channels: blocks {O: 1, I: 2}, kernel
// dimensions whole.

// CHECK-LABEL: func @conv_int4_groups
// CHECK: quant.scast %{{.*}} : tensor<2x4x1x1xi4> to tensor<2x4x1x1x!quant.uniform<i4<-7:7>:f32:{0:1, 1:2}, {{\{}}{{\{}}{{\{}}{0.142857149}}, {{\{}}{0.285714298}}}, {{\{}}{{\{}}{0.142857149}}, {{\{}}{0.0714285746}}}}>>
func.func @conv_int4_groups(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = lowbit.constant dense<[[[[0.5]], [[-1.0]], [[0.25]], [[2.0]]], [[[1.0]], [[0.5]], [[-0.5]], [[0.125]]]]> : tensor<2x4x1x1xf32>
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x4xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv_int4")
  return %y : tensor<1x2x4x4xf32>
}

// -----

// NF4: u4 codes into the NF4 table (code 7 is 0, 15 is 1.0, 0 is -1.0;
// printed signless, so 15 reads -1), per-group absmax scales, and the
// codebook on the dequantize.

// CHECK-LABEL: func @matmul_nf4
// CHECK: %[[C:.+]] = lowbit.constant dense<{{\[}}[-4, 0, -4], [-1, -4, 0], [0, -1, -1], [-4, -6, -5]]> : tensor<4x3xi4>
// CHECK: %[[S:.+]] = quant.scast %[[C]] : tensor<4x3xi4> to tensor<4x3x!quant.uniform<u4:f32:{0:2, 1:1}, {{\{}}{1.000000e+00, 1.000000e+00, 5.000000e-01}, {2.500000e-01, 7.500000e-01, 1.000000e+00}}>>
// CHECK: lowbit.dequantize %[[S]] {codebook = #lowbit.codebook<nf4>}
func.func @matmul_nf4(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc_nf4")
  return %y : tensor<2x3xf32>
}

// -----

// FP8 E4M3FN: one scale absmax / 448 = 1 / 448, u8 bit patterns
// (0.5 / scale = 224 = 0x76 = 118; -1.0 / scale = -448 = 0xFE, printed -2).

// CHECK-LABEL: func @matmul_fp8
// CHECK: %[[C:.+]] = lowbit.constant dense<{{\[}}[118, -2, 110], [126, 118, -10], [-18, 122, 126], [99, 107, 112]]> : tensor<4x3xi8>
// CHECK: %[[S:.+]] = quant.scast %[[C]] : tensor<4x3xi8> to tensor<4x3x!quant.uniform<u8:f32, 0.0022321429569274187>>
// CHECK: lowbit.dequantize %[[S]] {codebook = #lowbit.codebook<fp8_e4m3fn>}
func.func @matmul_fp8(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc_fp8")
  return %y : tensor<2x3xf32>
}

// -----

// Ternary (BitNet b1.58): scale mean |w| = 6.35 / 12, codes in i8<-1:1>.

// CHECK-LABEL: func @matmul_ternary
// CHECK: %[[C:.+]] = lowbit.constant dense<{{\[}}[1, -1, 0], [1, 1, -1], [0, 1, 1], [0, 0, 1]]> : tensor<4x3xi8>
// CHECK: quant.scast %[[C]] : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8<-1:1>:f32, 0.52916663885116577>>
func.func @matmul_ternary(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc_ternary")
  return %y : tensor<2x3xf32>
}

// -----

// A recipe rule overriding the preset's weights (per tensor); the scheme
// name says so.

// CHECK-LABEL: func @matmul_per_tensor
// CHECK: quant.scast %{{.*}} : tensor<4x3xi8> to tensor<4x3x!quant.uniform<i8<-127:127>:f32, 0.0078740157186985015>>
// CHECK: lowbit.scheme = "w8a8+custom"
func.func @matmul_per_tensor(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc_tensor")
  return %y : tensor<2x3xf32>
}

// -----

// A layer the recipe keeps float keeps its float weights; it is stamped so
// that the manifest and lowbit-quantize know.

// CHECK-LABEL: func @float_rule
// CHECK: %[[W:.+]] = lowbit.constant dense<{{.*}}> : tensor<4x3xf32>
// CHECK-NOT: quant.scast
// CHECK: lowbit.matmul %{{.*}}, %[[W]] {lowbit.layer = "head", lowbit.scheme = "float"}
func.func @float_rule(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("head")
  return %y : tensor<2x3xf32>
}

// -----

// Layers sharing a weight with the same scheme share its quantized form;
// names are made unique ("fc", "fc#1").

// CHECK-LABEL: func @shared_weight
// CHECK: quant.scast
// CHECK: %[[W:.+]] = lowbit.dequantize
// CHECK-NOT: quant.scast
// CHECK: lowbit.matmul %{{.*}}, %[[W]] {lowbit.layer = "fc", lowbit.scheme = "w8a8"}
// CHECK: lowbit.matmul %{{.*}}, %[[W]] {lowbit.layer = "fc#1", lowbit.scheme = "w8a8"}
func.func @shared_weight(%x: tensor<2x4xf32>, %y: tensor<2x4xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %w = lowbit.constant dense<[[0.5, -1.0, 0.25], [1.0, 0.5, -0.5], [-0.25, 0.75, 1.0], [0.1, 0.2, 0.3]]> : tensor<4x3xf32>
  %a = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc")
  %b = lowbit.matmul %y, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("fc")
  return %a, %b : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Large weights stay blobs (named after the layer, one byte per code, row
// 0 is 16, 36, 64, 102, 127, ...); splats stay splats.

// CHECK-LABEL: func @blob
// CHECK: lowbit.constant dense_resource<big_fc_weight_q> : tensor<4x8xi8>
// CHECK: lowbit.constant dense<127> : tensor<8x8xi8>
// CHECK: big_fc_weight_q: "0x10000000102440667F7F7F7FF0DCC09A81818181081B3559727476777F7F7F7F66402410"
func.func @blob(%x: tensor<2x4xf32>, %y: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %w = lowbit.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0, -8.0], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5], [8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]]> : tensor<4x8xf32>
  %a = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32> loc("big/fc")
  %s = lowbit.constant dense<0.5> : tensor<8x8xf32>
  %b = lowbit.matmul %y, %s : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32> loc("splat")
  return %a, %b : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// Contractions without constant weights are not layers.

// CHECK-LABEL: func @activation_product
// CHECK-NOT: quant.scast
// CHECK: lowbit.matmul %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<4x3xf32>)
func.func @activation_product(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) -> tensor<2x3xf32> {
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("scores")
  return %y : tensor<2x3xf32>
}
