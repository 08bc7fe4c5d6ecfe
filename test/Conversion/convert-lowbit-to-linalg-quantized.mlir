// RUN: quant-opt %s --split-input-file --convert-lowbit-to-linalg | FileCheck %s
// RUN: quant-opt %s --split-input-file --convert-lowbit-to-linalg \
// RUN:   --canonicalize --lowbit-cpu-fuse-elementwise --canonicalize --cse \
// RUN:   --lowbit-cpu-tile-and-vectorize | FileCheck %s --check-prefix=FUSED

// Quantized contractions (quantized_matmul, quantized_conv), quantize and
// dequantize with codebooks, and quant.scast. See docs/IR-Contract.md.

// Integer kernel: one contraction generic on the stored codes, accumulating
// from the bias; the epilogue adds -za * colsum(w) (folded at compile time:
// 3 * [16, 20]), scales by sa * sw[n] / sy (rounded to f32 at compile time),
// applies relu to the real value, rounds half to even and saturates.
// CHECK-DAG: #[[$LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$RHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[$COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @int8_per_channel_relu
// CHECK-SAME: (%[[A:.+]]: tensor<3x4xi8>, %[[BIAS:.+]]: tensor<2xi32>) -> tensor<3x2xi8>
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1, 2], [3, 4], [5, 6], [7, 8]]> : tensor<4x2xi8>
// CHECK: %[[INIT:.+]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<2xi32>) outs(%{{.*}} : tensor<3x2xi32>)
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[A]], %[[W]] : tensor<3x4xi8>, tensor<4x2xi8>) outs(%[[INIT]] : tensor<3x2xi32>)
// CHECK-NEXT: ^bb0(%[[X:.+]]: i8, %[[Y:.+]]: i8, %[[S:.+]]: i32):
// CHECK-NEXT: %[[XE:.+]] = arith.extsi %[[X]] : i8 to i32
// CHECK-NEXT: %[[YE:.+]] = arith.extsi %[[Y]] : i8 to i32
// CHECK-NEXT: %[[P:.+]] = arith.muli %[[XE]], %[[YE]] : i32
// CHECK-NEXT: %[[SUM:.+]] = arith.addi %[[S]], %[[P]] : i32
// CHECK-NEXT: linalg.yield %[[SUM]] : i32
// CHECK-DAG: %[[OFFSET:.+]] = arith.constant dense<{{\[\[}}48, 60]]> : tensor<1x2xi32>
// CHECK-DAG: %[[MULT:.+]] = arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$ROW]], #[[$COL]], #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%[[ACC]], %[[OFFSET]], %[[MULT]] : tensor<3x2xi32>, tensor<1x2xi32>, tensor<2xf32>) outs(%{{.*}} : tensor<3x2xi8>)
// CHECK: arith.addi
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.mulf
// CHECK: arith.maximumf
// CHECK: math.roundeven
// CHECK: arith.constant -1.280000e+02 : f32
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.fptosi %{{.*}} : f32 to i8
func.func @int8_per_channel_relu(%a: tensor<3x4x!quant.uniform<i8:f32, 0.5:-3>>, %bias: tensor<2xi32>) -> tensor<3x2x!quant.uniform<i8:f32, 0.25:-128>> {
  %c = lowbit.constant dense<[[1, 2], [3, 4], [5, 6], [7, 8]]> : tensor<4x2xi8>
  %w = quant.scast %c : tensor<4x2xi8> to tensor<4x2x!quant.uniform<i8:f32:1, {0.25, 0.125}>>
  %y = lowbit.quantized_matmul %a, %w, %bias {activation = #lowbit.activation<relu>} : (tensor<3x4x!quant.uniform<i8:f32, 0.5:-3>>, tensor<4x2x!quant.uniform<i8:f32:1, {0.25, 0.125}>>, tensor<2xi32>) -> tensor<3x2x!quant.uniform<i8:f32, 0.25:-128>>
  return %y : tensor<3x2x!quant.uniform<i8:f32, 0.25:-128>>
}

// -----

// Unsigned codes are re-biased to signed ones (xor 0x80, zero points - 128):
// the CPU pipeline turns contraction generics into named matmuls, which
// sign-extend. Non-constant weights get their -za * colsum from a
// reduction, zb != 0 needs the row sums of the activations.
// CHECK-LABEL: func.func @u8_per_tensor_float_clip
// CHECK-SAME: (%[[A:.+]]: tensor<3x4xi8>, %[[W:.+]]: tensor<4x2xi8>) -> tensor<3x2xf32>
// CHECK: %[[SA:.+]] = linalg.generic {{.*}} ins(%[[A]] : tensor<3x4xi8>)
// CHECK: arith.xori %{{.*}}, %{{.*}} : i8
// CHECK: %[[SW:.+]] = linalg.generic {{.*}} ins(%[[W]] : tensor<4x2xi8>)
// CHECK: arith.xori
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[SA]], %[[SW]] : tensor<3x4xi8>, tensor<4x2xi8>)
// CHECK-NOT: arith.extui
// CHECK: arith.extsi
// CHECK: arith.extsi
// CHECK: %[[COLS:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[SW]] : tensor<4x2xi8>)
// CHECK: arith.constant -118 : i32
// CHECK: %[[ROWS:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[SA]] : tensor<3x4xi8>)
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %{{.*}}, %{{.*}} : tensor<3x2xi32>, tensor<1x2xi32>, tensor<3x1xi32>) outs(%{{.*}} : tensor<3x2xf32>)
// CHECK-DAG: arith.constant -125 : i32
// CHECK-DAG: arith.constant -472 : i32
// CHECK: arith.constant 1.250000e-01 : f32
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.minimumf %{{.*}}, %{{.*}} : f32
func.func @u8_per_tensor_float_clip(%a: tensor<3x4x!quant.uniform<u8:f32, 0.5:10>>, %w: tensor<4x2x!quant.uniform<u8:f32, 0.25:3>>) -> tensor<3x2xf32> {
  %y = lowbit.quantized_matmul %a, %w {activation = #lowbit.activation<clip>, clip_min = -1.0 : f32, clip_max = 6.0 : f32} : (tensor<3x4x!quant.uniform<u8:f32, 0.5:10>>, tensor<4x2x!quant.uniform<u8:f32, 0.25:3>>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A raw i32 result without zero points is the contraction itself.
// CHECK-LABEL: func.func @i32_accumulator
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<3x2xi32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[ACC]] : tensor<3x2xi32>
func.func @i32_accumulator(%a: tensor<3x4x!quant.uniform<i8:f32, 1.0>>, %w: tensor<4x2x!quant.uniform<i8:f32, 1.0>>) -> tensor<3x2xi32> {
  %y = lowbit.quantized_matmul %a, %w : (tensor<3x4x!quant.uniform<i8:f32, 1.0>>, tensor<4x2x!quant.uniform<i8:f32, 1.0>>) -> tensor<3x2xi32>
  return %y : tensor<3x2xi32>
}

// -----

// Batched weights: (m, batch, n, k) loops, so that no named batch_matmul
// (whose i8 vector.contract MLIR 22 cannot lower) is formed.
// CHECK-DAG: #[[$BLHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, d3)>
// CHECK-DAG: #[[$BRHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[$BOUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, d2)>
// CHECK-LABEL: func.func @batched_weights
// CHECK: linalg.generic {indexing_maps = [#[[$BLHS]], #[[$BRHS]], #[[$BOUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @batched_weights(%a: tensor<2x3x4x!quant.uniform<i8:f32, 1.0>>, %w: tensor<2x4x5x!quant.uniform<i8:f32, 1.0>>) -> tensor<2x3x5xi32> {
  %y = lowbit.quantized_matmul %a, %w : (tensor<2x3x4x!quant.uniform<i8:f32, 1.0>>, tensor<2x4x5x!quant.uniform<i8:f32, 1.0>>) -> tensor<2x3x5xi32>
  return %y : tensor<2x3x5xi32>
}

// -----

// Weight-only int4 in groups of 4 along K: the constant is packed two codes
// per byte along K (element 2j in the low nibble), read through a floordiv
// map; the body picks the nibble by the parity of the K index, dequantizes
// with the group's scale and zero point and accumulates in f32 from the
// bias. The relu is an elementwise epilogue.
// CHECK-DAG: #[[$PACKED:.+]] = affine_map<(d0, d1, d2) -> (d2 floordiv 2, d1)>
// CHECK-DAG: #[[$GROUP:.+]] = affine_map<(d0, d1, d2) -> (d2 floordiv 4, d1)>
// CHECK-LABEL: func.func @int4_weight_only_groups
// CHECK-DAG: %[[PACK:.+]] = arith.constant dense<{{\[\[}}49, -50], [117, -118], [32, 49], [100, 117]]> : tensor<4x2xi8>
// CHECK-DAG: %[[SCALES:.+]] = arith.constant dense<{{\[\[}}5.000000e-01, 2.500000e-01], [1.250000e-01, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[ZPS:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00], [0.000000e+00, -1.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [#{{.*}}, #[[$PACKED]], #[[$GROUP]], #[[$GROUP]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[PACK]], %[[SCALES]], %[[ZPS]] : tensor<3x8xf32>, tensor<4x2xi8>, tensor<2x2xf32>, tensor<2x2xf32>)
// CHECK-NEXT: ^bb0(%[[X:.+]]: f32, %[[BYTE:.+]]: i8, %[[S:.+]]: f32, %[[Z:.+]]: f32, %[[OUT:.+]]: f32):
// CHECK: %[[K:.+]] = linalg.index 2 : index
// CHECK: arith.andi %[[K]], %{{.*}} : index
// CHECK: %[[TOP:.+]] = arith.shli %[[BYTE]], %{{.*}} : i8
// CHECK: %[[CODE:.+]] = arith.shrsi %[[TOP]], %{{.*}} : i8
// CHECK: %[[F:.+]] = arith.sitofp %[[CODE]] : i8 to f32
// CHECK: %[[C:.+]] = arith.subf %[[F]], %[[Z]] : f32
// CHECK: %[[W:.+]] = arith.mulf %[[C]], %[[S]] : f32
// CHECK: %[[P:.+]] = arith.mulf %[[X]], %[[W]] : f32
// CHECK: arith.addf %[[OUT]], %[[P]] : f32
// CHECK: linalg.generic {{.*}} ins(%[[ACC]] : tensor<3x2xf32>)
// CHECK: arith.maximumf
func.func @int4_weight_only_groups(%x: tensor<3x8xf32>, %bias: tensor<2xf32>) -> tensor<3x2xf32> {
  %c = lowbit.constant dense<[[1, -2], [3, -4], [5, -6], [7, -8], [0, 1], [2, 3], [4, 5], [6, 7]]> : tensor<8x2xi4>
  %w = quant.scast %c : tensor<8x2xi4> to tensor<8x2x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5:1, 0.25:0}, {0.125:0, 2.0:-1}}>>
  %y = lowbit.quantized_matmul %x, %w, %bias {activation = #lowbit.activation<relu>} : (tensor<3x8xf32>, tensor<8x2x!quant.uniform<i4:f32:{0:4, 1:1}, {{0.5:1, 0.25:0}, {0.125:0, 2.0:-1}}>>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// NF4: the unsigned nibble indexes the 16 QLoRA levels, scaled per channel.
// CHECK-LABEL: func.func @nf4
// CHECK-DAG: %[[PACK:.+]] = arith.constant dense<{{\[\[}}112, -113], [49, -50]]> : tensor<2x2xi8>
// CHECK-DAG: %[[TABLE:.+]] = arith.constant dense<[-1.000000e+00, -0.6961928, {{.*}}, 1.000000e+00]> : tensor<16xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[PACK]], %{{.*}} : tensor<3x4xf32>, tensor<2x2xi8>, tensor<2xf32>)
// CHECK: arith.shrui
// CHECK: %[[NIBBLE:.+]] = arith.andi %{{.*}}, %{{.*}} : i8
// CHECK: %[[WIDE:.+]] = arith.extui %[[NIBBLE]] : i8 to i32
// CHECK: %[[INDEX:.+]] = arith.index_castui %[[WIDE]] : i32 to index
// CHECK: tensor.extract %[[TABLE]][%[[INDEX]]] : tensor<16xf32>
func.func @nf4(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %c = lowbit.constant dense<[[0, 15], [7, 8], [1, 14], [3, 12]]> : tensor<4x2xi4>
  %w = quant.scast %c : tensor<4x2xi4> to tensor<4x2x!quant.uniform<u4:f32:1, {0.5, 0.25}>>
  %y = lowbit.quantized_matmul %x, %w {weight_codebook = #lowbit.codebook<nf4>} : (tensor<3x4xf32>, tensor<4x2x!quant.uniform<u4:f32:1, {0.5, 0.25}>>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Dynamic: per-row absmax (a reduction), scale = absmax / 127 (1 for 0),
// symmetric int8 codes, the integer kernel, then
// float(acc) * scale[m] * sw[n] + bias.
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
// CHECK: %[[ABSMAX:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[ROWS]] : tensor<6x8xf32>)
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: %[[SCALE:.+]] = linalg.generic {{.*}} ins(%[[ABSMAX]] : tensor<6xf32>)
// CHECK: arith.cmpf oeq
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.select
// CHECK: %[[Q:.+]] = linalg.generic {{.*}} ins(%[[ROWS]], %[[SCALE]] : tensor<6x8xf32>, tensor<6xf32>) outs(%{{.*}} : tensor<6x8xi8>)
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.constant -1.270000e+02 : f32
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Q]], %{{.*}} : tensor<6x8xi8>, tensor<8x4xi8>)
// CHECK: %[[SCALES:.+]] = tensor.expand_shape %[[SCALE]]
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %[[SCALES]], %{{.*}}, %{{.*}} : tensor<6x4xi32>, tensor<6x1xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @dynamic(%x: tensor<2x3x8xf32>, %w: tensor<8x4x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125, 1.0}>>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %y = lowbit.quantized_matmul %x, %w, %b {dynamic_activations} : (tensor<2x3x8xf32>, tensor<8x4x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125, 1.0}>>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// Grouped conv (2 groups): the input is padded with its zero point (128, as
// the i8 bit pattern -128) so that padding contributes nothing; one generic
// over (n, g, f, oh, ow, c, kh, kw) subtracts the zero points in its body
// (convolutions are recognized by their maps) and accumulates from the
// bias; the epilogue scales per channel ([G, Fg] tables) and clips.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6, d4 + d7)>
// CHECK-DAG: #[[$FILTER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[$CONVOUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[$CHANNEL:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2)>
// CHECK-LABEL: func.func @conv_grouped
// CHECK: %[[ZP:.+]] = arith.constant -128 : i8
// CHECK: %[[PADDED:.+]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZP]] : i8
// CHECK: %[[IN:.+]] = tensor.expand_shape %[[PADDED]] {{.*}} into tensor<1x2x2x7x7xi8>
// CHECK: %[[W:.+]] = tensor.expand_shape %{{.*}} into tensor<2x3x2x3x3xi8>
// CHECK: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[$CHANNEL]], #{{.*}}]
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[$IN]], #[[$FILTER]], #[[$CONVOUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[IN]], %[[W]] : tensor<1x2x2x7x7xi8>, tensor<2x3x2x3x3xi8>) outs(%[[INIT]] : tensor<1x2x3x5x5xi32>)
// CHECK: arith.extui
// CHECK: arith.extsi
// CHECK: arith.constant 128 : i32
// CHECK: arith.subi
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$CHANNEL]], #{{.*}}], {{.*}} ins(%[[ACC]], %{{.*}} : tensor<1x2x3x5x5xi32>, tensor<2x3xf32>)
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x5x5xf32> into tensor<1x6x5x5xf32>
func.func @conv_grouped(%x: tensor<1x4x5x5x!quant.uniform<u8:f32, 0.5:128>>, %w: tensor<6x2x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25, 0.125, 0.5, 0.25, 0.125}>>, %b: tensor<6xi32>) -> tensor<1x6x5x5xf32> {
  %y = lowbit.quantized_conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64, activation = #lowbit.activation<clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32} : (tensor<1x4x5x5x!quant.uniform<u8:f32, 0.5:128>>, tensor<6x2x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25, 0.125, 0.5, 0.25, 0.125}>>, tensor<6xi32>) -> tensor<1x6x5x5xf32>
  return %y : tensor<1x6x5x5xf32>
}

// -----

// Depthwise (group = channels): the same generic with Cg = Fg = 1.
// CHECK-LABEL: func.func @conv_depthwise
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x1x7x7xi8>, tensor<4x1x1x3x3xi8>) outs(%{{.*}} : tensor<1x4x1x3x3xi32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x1x3x3xi8>)
// CHECK: math.roundeven
// CHECK: arith.fptoui %{{.*}} : f32 to i8
func.func @conv_depthwise(%x: tensor<1x4x6x6x!quant.uniform<i8:f32, 0.5:2>>, %w: tensor<4x1x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25, 0.5, 0.25}>>) -> tensor<1x4x3x3x!quant.uniform<u8:f32, 0.25:0>> {
  %y = lowbit.quantized_conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, group = 4 : i64} : (tensor<1x4x6x6x!quant.uniform<i8:f32, 0.5:2>>, tensor<4x1x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25, 0.5, 0.25}>>) -> tensor<1x4x3x3x!quant.uniform<u8:f32, 0.25:0>>
  return %y : tensor<1x4x3x3x!quant.uniform<u8:f32, 0.25:0>>
}

// -----

// Constant int4 conv weights pack along (c, kh, kw) per filter (18 codes in
// 9 bytes); an unread tensor.empty of the window keeps the kh, kw loop
// bounds derivable, as linalg's pooling ops do.
// CHECK-DAG: #[[$PACKEDCONV:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, ((d5 * 3 + d6) * 3 + d7) floordiv 2)>
// CHECK-DAG: #[[$WINDOW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d6, d7)>
// CHECK-LABEL: func.func @conv_int4_packed
// CHECK-DAG: %[[PACK:.+]] = arith.constant dense<{{\[\[\[}}33, 67, 101, -9, -34, -68, -102, 8, 33]]]> : tensor<1x1x9xi8>
// CHECK-DAG: %[[WINDOWSHAPE:.+]] = tensor.empty() : tensor<3x3xi8>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$PACKEDCONV]], #[[$WINDOW]], #{{.*}}], {{.*}} ins(%{{.*}}, %[[PACK]], %[[WINDOWSHAPE]] : tensor<1x1x2x6x6xf32>, tensor<1x1x9xi8>, tensor<3x3xi8>)
// CHECK: linalg.index 5
// CHECK: linalg.index 6
// CHECK: linalg.index 7
func.func @conv_int4_packed(%x: tensor<1x2x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %c = lowbit.constant dense<[[[[1, 2, 3], [4, 5, 6], [7, -1, -2]], [[-3, -4, -5], [-6, -7, -8], [0, 1, 2]]]]> : tensor<1x2x3x3xi4>
  %w = quant.scast %c : tensor<1x2x3x3xi4> to tensor<1x2x3x3x!quant.uniform<i4:f32, 0.5>>
  %y = lowbit.quantized_conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<1x2x3x3x!quant.uniform<i4:f32, 0.5>>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

// quant.scast only reinterprets storage.
// CHECK-LABEL: func.func @scast
// CHECK-SAME: (%[[X:.+]]: tensor<4xi8>)
// CHECK-NEXT: return %[[X]] : tensor<4xi8>
func.func @scast(%x: tensor<4xi8>) -> tensor<4xi8> {
  %q = quant.scast %x : tensor<4xi8> to tensor<4x!quant.uniform<u8:f32, 0.5:128>>
  %s = quant.scast %q : tensor<4x!quant.uniform<u8:f32, 0.5:128>> to tensor<4xi8>
  return %s : tensor<4xi8>
}

// -----

// CHECK-LABEL: func.func @dequantize_fp8
// CHECK: %[[TABLE:.+]] = arith.constant dense<"0x0000000000000{{.*}}"> : tensor<256xf32>
// CHECK: linalg.generic
// CHECK: %[[WIDE:.+]] = arith.extui %{{.*}} : i8 to i32
// CHECK: %[[INDEX:.+]] = arith.index_castui %[[WIDE]] : i32 to index
// CHECK: %[[V:.+]] = tensor.extract %[[TABLE]][%[[INDEX]]] : tensor<256xf32>
// CHECK: arith.mulf %[[V]], %{{.*}} : f32
func.func @dequantize_fp8(%q: tensor<4x!quant.uniform<u8:f32, 0.5>>) -> tensor<4xf32> {
  %d = lowbit.dequantize %q {codebook = #lowbit.codebook<fp8_e4m3fn>} : (tensor<4x!quant.uniform<u8:f32, 0.5>>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// Quantizing to NF4 counts the level midpoints strictly below x / scale.
// CHECK-LABEL: func.func @quantize_nf4
// CHECK-SAME: -> tensor<4xi4>
// CHECK: arith.divf
// CHECK: arith.constant -0.84809637 : f32
// CHECK: arith.cmpf ogt
// CHECK: arith.constant 0.861478447 : f32
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf uno
// CHECK: arith.trunci %{{.*}} : i32 to i4
func.func @quantize_nf4(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<u4:f32, 0.5>> {
  %q = lowbit.quantize %x {codebook = #lowbit.codebook<nf4>} : (tensor<4xf32>) -> tensor<4x!quant.uniform<u4:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<u4:f32, 0.5>>
}

// -----

// The CPU pipeline fuses the epilogue into the contraction's tiles: inside
// each 8x32 thread tile, the k loop of i8 vector.contracts accumulating in
// i32, then the requantization on the accumulator tile, then the store.
// FUSED-LABEL: func.func @fused_epilogue
// FUSED: scf.forall ({{.*}}) = (0, 0) to (16, 64) step (8, 32)
// FUSED: scf.for
// FUSED: vector.contract {{.*}} : vector<8x4xi8>, vector<4x32xi8> into vector<8x32xi32>
// FUSED: scf.yield
// FUSED-NOT: scf.forall
// FUSED: arith.sitofp %{{.*}} : vector<8x32xi32> to vector<8x32xf32>
// FUSED: arith.maximumf
// FUSED: math.roundeven
// FUSED: arith.fptosi %{{.*}} : vector<8x32xf32> to vector<8x32xi8>
// FUSED: vector.transfer_write
// FUSED: scf.forall.in_parallel
// FUSED-NOT: linalg.generic
// FUSED: return
func.func @fused_epilogue(%a: tensor<16x32x!quant.uniform<i8:f32, 0.5>>, %w: tensor<32x64x!quant.uniform<i8:f32, 0.25>>, %b: tensor<64xi32>) -> tensor<16x64x!quant.uniform<i8:f32, 0.5:-10>> {
  %y = lowbit.quantized_matmul %a, %w, %b {activation = #lowbit.activation<relu>} : (tensor<16x32x!quant.uniform<i8:f32, 0.5>>, tensor<32x64x!quant.uniform<i8:f32, 0.25>>, tensor<64xi32>) -> tensor<16x64x!quant.uniform<i8:f32, 0.5:-10>>
  return %y : tensor<16x64x!quant.uniform<i8:f32, 0.5:-10>>
}

// -----

// Sub-channel zero points are stored in the storage width: u4 10 is read as
// 10, not as the i4 bits of -6.
// CHECK-LABEL: func.func @unsigned_sub_channel_zero_points
// CHECK: arith.constant dense<[1.000000e+01, 3.000000e+00]> : tensor<2xf32>
func.func @unsigned_sub_channel_zero_points(%q: tensor<2x2x!quant.uniform<u4:f32:{0:2,1:1}, {{0.1:10, 0.2:3}}>>) -> tensor<2x2xf32> {
  %d = lowbit.dequantize %q : (tensor<2x2x!quant.uniform<u4:f32:{0:2,1:1}, {{0.1:10, 0.2:3}}>>) -> tensor<2x2xf32>
  return %d : tensor<2x2xf32>
}
