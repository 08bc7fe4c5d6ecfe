// RUN: quant-opt %s --convert-lowbit-to-linalg --split-input-file | FileCheck %s
// RUN: quant-opt %s --split-input-file --convert-lowbit-to-linalg \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata \
// RUN:   --lower-affine --convert-math-to-libm --convert-to-llvm \
// RUN:   --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM

// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW0:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW0]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
// LLVM-LABEL: llvm.func @add_broadcast(
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %r = lowbit.add %a, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// CHECK-DAG: #[[$SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @div_unsigned
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<i8>) -> tensor<4xi8>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$SCALAR]], #{{.*}}]
// CHECK: arith.divui %{{.*}}, %{{.*}} : i8
// LLVM-LABEL: llvm.func @div_unsigned(
func.func @div_unsigned(%a: tensor<4xui8>, %b: tensor<ui8>) -> tensor<4xui8> {
  %r = lowbit.div %a, %b : (tensor<4xui8>, tensor<ui8>) -> tensor<4xui8>
  return %r : tensor<4xui8>
}

// -----

// Bool tensors are stored as i8 holding 0 or 1; linalg bodies compute on i1.
// CHECK-LABEL: func.func @compare_where
// CHECK: %[[C:.+]] = linalg.generic
// CHECK: %[[GT:.+]] = arith.cmpf ogt
// CHECK: %[[GT8:.+]] = arith.extui %[[GT]] : i1 to i8
// CHECK: linalg.yield %[[GT8]] : i8
// CHECK: -> tensor<4xi8>
// CHECK: linalg.generic {{.*}} ins(%[[C]], %{{.*}}, %{{.*}} : tensor<4xi8>, tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[IN:.+]]: i8,
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i8
// CHECK: %[[COND:.+]] = arith.cmpi ne, %[[IN]], %[[ZERO]] : i8
// CHECK: arith.select %[[COND]]
// LLVM-LABEL: llvm.func @compare_where(
func.func @compare_where(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %c = lowbit.greater %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %r = lowbit.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @bool_logic
// CHECK-SAME: (%{{.*}}: tensor<2x3xi8>, %{{.*}}: tensor<3xi8>) -> tensor<2x3xi8>
// CHECK: ^bb0(%[[A:.+]]: i8, %[[B:.+]]: i8, %{{.*}}: i8):
// CHECK-DAG: %[[A1:.+]] = arith.cmpi ne, %[[A]], %{{.*}} : i8
// CHECK-DAG: %[[B1:.+]] = arith.cmpi ne, %[[B]], %{{.*}} : i8
// CHECK: %[[X:.+]] = arith.xori %[[A1]], %[[B1]] : i1
// CHECK: arith.extui %[[X]] : i1 to i8
// CHECK: ^bb0(%[[N:.+]]: i8, %{{.*}}: i8):
// CHECK: %[[N1:.+]] = arith.cmpi ne, %[[N]], %{{.*}} : i8
// CHECK: %[[NOT:.+]] = arith.xori %[[N1]], %{{.*}} : i1
// CHECK: arith.extui %[[NOT]] : i1 to i8
// CHECK: return %{{.*}} : tensor<2x3xi8>
// LLVM-LABEL: llvm.func @bool_logic(
func.func @bool_logic(%a: tensor<2x3xi1>, %b: tensor<3xi1>) -> tensor<2x3xi1> {
  %x = lowbit.xor %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %r = lowbit.not %x : tensor<2x3xi1>
  return %r : tensor<2x3xi1>
}

// -----

// CHECK-LABEL: func.func @bool_constant_pad
// CHECK-SAME: -> tensor<5xi8>
// CHECK-DAG: %[[C:.+]] = arith.constant dense<[1, 0, 1]> : tensor<3xi8>
// CHECK-DAG: %[[TRUE:.+]] = arith.constant 1 : i8
// CHECK: tensor.pad %[[C]] low[1] high[1]
// CHECK: tensor.yield %[[TRUE]] : i8
func.func @bool_constant_pad() -> tensor<5xi1> {
  %c = lowbit.constant dense<[true, false, true]> : tensor<3xi1>
  %r = lowbit.pad %c {pads = array<i64: 1, 1>, mode = "constant", value = true} : (tensor<3xi1>) -> tensor<5xi1>
  return %r : tensor<5xi1>
}

// -----

// CHECK-LABEL: func.func @cast_bool
// CHECK-SAME: (%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xf32>)
// CHECK: %[[NZ:.+]] = arith.cmpf une
// CHECK: arith.extui %[[NZ]] : i1 to i8
// CHECK: ^bb0(%[[IN:.+]]: i8, %{{.*}}: f32):
// CHECK: %[[B:.+]] = arith.cmpi ne, %[[IN]], %{{.*}} : i8
// CHECK: arith.uitofp %[[B]] : i1 to f32
func.func @cast_bool(%a: tensor<4xf32>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xf32>) {
  %r0 = lowbit.cast %a : (tensor<4xf32>) -> tensor<4xi1>
  %r1 = lowbit.cast %b : (tensor<4xi1>) -> tensor<4xf32>
  return %r0, %r1 : tensor<4xi1>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_min_bool
// CHECK: %[[ONE:.+]] = arith.constant 1 : i8
// CHECK: linalg.fill ins(%[[ONE]] : i8)
// CHECK: arith.minui %{{.*}}, %{{.*}} : i8
func.func @reduce_min_bool(%a: tensor<2x3xi1>) -> tensor<2xi1> {
  %r = lowbit.reduce_min %a {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi1>) -> tensor<2xi1>
  return %r : tensor<2xi1>
}

// -----

// CHECK-LABEL: func.func @cast_to_unsigned
// CHECK-SAME: -> tensor<4xi8>
// CHECK: arith.fptoui %{{.*}} : f32 to i8
// LLVM-LABEL: llvm.func @cast_to_unsigned(
func.func @cast_to_unsigned(%a: tensor<4xf32>) -> tensor<4xui8> {
  %r = lowbit.cast %a : (tensor<4xf32>) -> tensor<4xui8>
  return %r : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @gelu_tanh
// CHECK: arith.constant 4.471500e-02 : f32
// CHECK: math.tanh
// LLVM-LABEL: llvm.func @gelu_tanh(
func.func @gelu_tanh(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = lowbit.gelu %a {approximate = "tanh"} : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @clip_unsigned
// CHECK: arith.maxui
// CHECK: arith.minui
// LLVM-LABEL: llvm.func @clip_unsigned(
func.func @clip_unsigned(%a: tensor<4xui8>) -> tensor<4xui8> {
  %r = lowbit.clip %a {min = 10 : ui8, max = 250 : ui8} : tensor<4xui8>
  return %r : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @matmul_2d
// CHECK: %[[FILL:.+]] = linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x4xf32>, tensor<4x5xf32>) outs(%[[FILL]] : tensor<3x5xf32>)
// LLVM-LABEL: llvm.func @matmul_2d(
func.func @matmul_2d(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %r = lowbit.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_batch_rhs_2d
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: linalg.matmul {{.*}} -> tensor<6x5xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, 3, 5]
// LLVM-LABEL: llvm.func @matmul_batch_rhs_2d(
func.func @matmul_batch_rhs_2d(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %r = lowbit.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %r : tensor<2x3x5xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_batch
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2x4x5xf32>)
// LLVM-LABEL: llvm.func @matmul_batch(
func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %r = lowbit.matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %r : tensor<2x3x5xf32>
}

// -----

// CHECK-DAG: #[[$LHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[$RHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-LABEL: func.func @matmul_batch_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
// LLVM-LABEL: llvm.func @matmul_batch_broadcast(
func.func @matmul_batch_broadcast(%a: tensor<2x1x3x4xf32>, %b: tensor<3x4x5xf32>) -> tensor<2x3x3x5xf32> {
  %r = lowbit.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x3x5xf32>
  return %r : tensor<2x3x3x5xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_vector
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 4]
// CHECK: linalg.matmul
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x5xf32> into tensor<5xf32>
// LLVM-LABEL: llvm.func @matmul_vector(
func.func @matmul_vector(%a: tensor<4xf32>, %b: tensor<4x5xf32>) -> tensor<5xf32> {
  %r = lowbit.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %r : tensor<5xf32>
}

// -----

// CHECK-LABEL: func.func @gemm
// CHECK: linalg.transpose ins(%{{.*}} : tensor<4x3xf32>) outs(%{{.*}} : tensor<3x4xf32>) permutation = [1, 0]
// CHECK: linalg.transpose ins(%{{.*}} : tensor<5x4xf32>) outs(%{{.*}} : tensor<4x5xf32>) permutation = [1, 0]
// CHECK: %[[MM:.+]] = linalg.matmul
// CHECK: linalg.generic {{.*}} ins(%[[MM]], %{{.*}} : tensor<3x5xf32>, tensor<5xf32>)
// CHECK: arith.constant 5.000000e-01
// CHECK: arith.constant 2.000000e+00
// LLVM-LABEL: llvm.func @gemm(
func.func @gemm(%a: tensor<4x3xf32>, %b: tensor<5x4xf32>, %c: tensor<5xf32>) -> tensor<3x5xf32> {
  %r = lowbit.gemm %a, %b, %c {alpha = 0.5 : f32, beta = 2.0 : f32, transA = true, transB = true} : (tensor<4x3xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}

// -----

// CHECK-DAG: #[[$CHAN:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv2d_bias
// CHECK: %[[PAD:.+]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[BIAS:.+]] = linalg.generic {indexing_maps = [#[[$CHAN]], #{{.*}}]
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %{{.*}} : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[BIAS]] : tensor<1x4x4x4xf32>)
// LLVM-LABEL: llvm.func @conv2d_bias(
func.func @conv2d_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %r = lowbit.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %r : tensor<1x4x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_depthwise
// CHECK: tensor.collapse_shape %{{.*}} : tensor<4x1x3x3xf32> into tensor<4x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw
// LLVM-LABEL: llvm.func @conv2d_depthwise(
func.func @conv2d_depthwise(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %r = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_grouped
// CHECK: tensor.expand_shape {{.*}} into tensor<1x2x2x8x8xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<2x3x2x3x3xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x6x6x6xf32>
// LLVM-LABEL: llvm.func @conv2d_grouped(
func.func @conv2d_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %r = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %r : tensor<1x6x6x6xf32>
}

// -----

// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 2 + d5 * 2)>
// CHECK-DAG: #[[$W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-LABEL: func.func @conv1d_grouped
// CHECK: tensor.pad %{{.*}} low[0, 0, 1] high[0, 0, 0]
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$W]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// LLVM-LABEL: llvm.func @conv1d_grouped(
func.func @conv1d_grouped(%x: tensor<1x4x10xf32>, %w: tensor<6x2x3xf32>) -> tensor<1x6x4xf32> {
  %r = lowbit.conv %x, %w {strides = array<i64: 2>, dilations = array<i64: 2>, pads = array<i64: 1, 0>, group = 2 : i64} : (tensor<1x4x10xf32>, tensor<6x2x3xf32>) -> tensor<1x6x4xf32>
  return %r : tensor<1x6x4xf32>
}

// -----

// CHECK-DAG: #[[$FLIP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 2, -d4 + 2)>
// CHECK-LABEL: func.func @conv_transpose
// CHECK: %[[ZEROS:.+]] = linalg.fill {{.*}} -> tensor<1x2x5x5xf32>
// CHECK: %[[DILATED:.+]] = tensor.insert_slice %{{.*}} into %[[ZEROS]][0, 0, 0, 0] [1, 2, 3, 3] [1, 1, 2, 2]
// CHECK: %[[PAD:.+]] = tensor.pad %[[DILATED]] low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: linalg.generic {indexing_maps = [#[[$FLIP]], #{{.*}}]
// CHECK: %[[W:.+]] = tensor.collapse_shape {{.*}} into tensor<4x2x3x3xf32>
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[PAD]], %[[W]] :
// LLVM-LABEL: llvm.func @conv_transpose(
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %r = lowbit.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

// CHECK-LABEL: func.func @max_pool
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEGINF]]
// CHECK: linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// LLVM-LABEL: llvm.func @max_pool(
func.func @max_pool(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  %r = lowbit.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// One reduction carries the maximum and its flat index in the unpadded input;
// window positions in the padding are skipped.
// CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[$WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @max_pool_with_indices
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[PADDED:.+]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[VALUES:.+]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: %[[NONE:.+]] = arith.constant -1 : i64
// CHECK: %[[INDICES:.+]] = linalg.fill ins(%[[NONE]] : i64)
// CHECK: %[[R:.+]]:2 = linalg.generic {indexing_maps = [#[[$IN]], #[[$WIN]], #[[$OUT]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[PADDED]], %{{.*}} : tensor<1x2x7x7xf32>, tensor<3x3xf32>) outs(%[[VALUES]], %[[INDICES]] : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi slt
// CHECK: arith.index_cast %{{.*}} : index to i64
// CHECK: arith.cmpf ogt
// CHECK: linalg.yield
// CHECK: return %[[R]]#0, %[[R]]#1
// LLVM-LABEL: llvm.func @max_pool_with_indices(
func.func @max_pool_with_indices(%x: tensor<1x2x5x5xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>) {
  %r, %i = lowbit.max_pool_with_indices %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, storage_order = 1 : i64} : (tensor<1x2x5x5xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
  return %r, %i : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>
}

// -----

// CHECK-LABEL: func.func @avg_pool_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: %[[SUM:.+]] = linalg.pooling_nchw_sum
// CHECK: %[[COUNTS:.+]] = arith.constant dense<[3.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[COUNTS]], %{{.*}} :
// CHECK: arith.mulf
// CHECK: arith.divf
// LLVM-LABEL: llvm.func @avg_pool_ceil(
func.func @avg_pool_ceil(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %r = lowbit.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = false} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %r : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @softmax
// CHECK: %[[MAX:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}}, %[[MAX]] :
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]], %[[SUM]] :
// CHECK: math.exp
// CHECK: arith.divf
// LLVM-LABEL: llvm.func @softmax(
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %r = lowbit.softmax %x {axis = -1 : i64} : tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[SQ:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[SUM]] :
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[SUM]], %[[SQ]], %{{.*}}, %{{.*}} : tensor<2x8x16xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<16xf32>, tensor<16xf32>)
// CHECK: arith.constant 9.99999974E-6 : f32
// CHECK: math.sqrt
// LLVM-LABEL: llvm.func @layer_norm(
func.func @layer_norm(%x: tensor<2x8x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<2x8x16xf32> {
  %r = lowbit.layer_norm %x, %g, %b {axis = -1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  return %r : tensor<2x8x16xf32>
}

// -----

// CHECK-DAG: #[[$CHAN:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$CHAN]], #[[$CHAN]], #[[$CHAN]], #[[$CHAN]], #{{.*}}]
// CHECK: math.sqrt
// LLVM-LABEL: llvm.func @batch_norm(
func.func @batch_norm(%x: tensor<1x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %r = lowbit.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %r : tensor<1x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_mean_keepdims
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.constant 1.600000e+01 : f32
// CHECK: arith.divf
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] output_shape [1, 8, 1, 1]
// LLVM-LABEL: llvm.func @reduce_mean_keepdims(
func.func @reduce_mean_keepdims(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32> {
  %r = lowbit.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = true} : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  return %r : tensor<1x8x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_max_unsigned
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i8
// CHECK: linalg.fill ins(%[[ZERO]] : i8)
// CHECK: arith.maxui
// LLVM-LABEL: llvm.func @reduce_max_unsigned(
func.func @reduce_max_unsigned(%x: tensor<4x5xui8>) -> tensor<4xui8> {
  %r = lowbit.reduce_max %x {axes = array<i64: 1>, keepdims = false} : (tensor<4x5xui8>) -> tensor<4xui8>
  return %r : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @arg_max
// CHECK: %[[R:.+]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<2x8xf32>) outs(%{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xi64>)
// CHECK: linalg.index 1
// CHECK: arith.cmpf ogt
// CHECK: tensor.expand_shape %[[R]]#1
// LLVM-LABEL: llvm.func @arg_max(
func.func @arg_max(%x: tensor<2x8xf32>) -> tensor<2x1xi64> {
  %r = lowbit.arg_max %x {axis = 1 : i64, keepdims = true} : (tensor<2x8xf32>) -> tensor<2x1xi64>
  return %r : tensor<2x1xi64>
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<1x8x4x4xf32> into tensor<1x128xf32>
// LLVM-LABEL: llvm.func @reshape(
func.func @reshape(%x: tensor<1x8x4x4xf32>) -> tensor<1x128xf32> {
  %r = lowbit.reshape %x : (tensor<1x8x4x4xf32>) -> tensor<1x128xf32>
  return %r : tensor<1x128xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_general
// CHECK: tensor.collapse_shape {{.*}} into tensor<6xf32>
// CHECK: tensor.expand_shape {{.*}} into tensor<3x2xf32>
// LLVM-LABEL: llvm.func @reshape_general(
func.func @reshape_general(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %r = lowbit.reshape %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %r : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x8x4xf32>) outs(%{{.*}} : tensor<2x4x8xf32>) permutation = [0, 2, 1]
// LLVM-LABEL: llvm.func @transpose(
func.func @transpose(%x: tensor<2x8x4xf32>) -> tensor<2x4x8xf32> {
  %r = lowbit.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x8x4xf32>) -> tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK: %[[E:.+]] = tensor.empty() : tensor<1x5x4xf32>
// CHECK: %[[A:.+]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0, 0] [1, 2, 4] [1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, 2, 0] [1, 3, 4] [1, 1, 1]
// LLVM-LABEL: llvm.func @concat(
func.func @concat(%a: tensor<1x2x4xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x5x4xf32> {
  %r = lowbit.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x5x4xf32>
  return %r : tensor<1x5x4xf32>
}

// -----

// CHECK-LABEL: func.func @slice_positive
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [4, 3] [1, 2] : tensor<4x8xf32> to tensor<4x3xf32>
// LLVM-LABEL: llvm.func @slice_positive(
func.func @slice_positive(%x: tensor<4x8xf32>) -> tensor<4x3xf32> {
  %r = lowbit.slice %x {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

// CHECK-DAG: #[[$REV:.+]] = affine_map<(d0, d1) -> (d0, d1 * -3 + 7)>
// CHECK-LABEL: func.func @slice_negative
// CHECK: linalg.generic {indexing_maps = [#[[$REV]], #{{.*}}]
// LLVM-LABEL: llvm.func @slice_negative(
func.func @slice_negative(%x: tensor<4x8xf32>) -> tensor<4x3xf32> {
  %r = lowbit.slice %x {starts = array<i64: 0, 7>, steps = array<i64: 1, -3>} : (tensor<4x8xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[X:.+]]: tensor<10x4xf32>, %[[I:.+]]: tensor<3xi64>)
// CHECK: linalg.generic {{.*}} ins(%[[I]] : tensor<3xi64>)
// CHECK: arith.index_cast
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: tensor.extract %[[X]]
// LLVM-LABEL: llvm.func @gather(
func.func @gather(%x: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  %r = lowbit.gather %x, %i {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %r : tensor<3x4xf32>
}

// -----

// CHECK-DAG: #[[$ROW0:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic {indexing_maps = [#[[$ROW0]], #{{.*}}]
// LLVM-LABEL: llvm.func @expand(
func.func @expand(%x: tensor<1x4xf32>) -> tensor<3x4xf32> {
  %r = lowbit.expand %x : (tensor<1x4xf32>) -> tensor<3x4xf32>
  return %r : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @tile
// CHECK: linalg.broadcast ins(%{{.*}} : tensor<2x4xf32>) outs(%{{.*}} : tensor<2x2x1x4xf32>) dimensions = [0, 2]
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2, 3]] : tensor<2x2x1x4xf32> into tensor<4x4xf32>
// LLVM-LABEL: llvm.func @tile(
func.func @tile(%x: tensor<2x4xf32>) -> tensor<4x4xf32> {
  %r = lowbit.tile %x {repeats = array<i64: 2, 1>} : (tensor<2x4xf32>) -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}

// -----

// CHECK-LABEL: func.func @pad_constant
// CHECK: %[[VALUE:.+]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[CROP:.+]] = tensor.extract_slice %{{.*}}[0, 0, 0, 1] [1, 3, 4, 3] [1, 1, 1, 1]
// CHECK: tensor.pad %[[CROP]] low[0, 0, 1, 0] high[0, 0, 1, 2]
// CHECK: tensor.yield %[[VALUE]]
// LLVM-LABEL: llvm.func @pad_constant(
func.func @pad_constant(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x6x5xf32> {
  %r = lowbit.pad %x {pads = array<i64: 0, 0, 1, -1, 0, 0, 1, 2>, mode = "constant", value = 0.5 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x5xf32>
  return %r : tensor<1x3x6x5xf32>
}

// -----

// CHECK-LABEL: func.func @pad_reflect
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: tensor.extract
// LLVM-LABEL: llvm.func @pad_reflect(
func.func @pad_reflect(%x: tensor<3x4xf32>) -> tensor<5x4xf32> {
  %r = lowbit.pad %x {pads = array<i64: 1, 0, 1, 0>, mode = "reflect"} : (tensor<3x4xf32>) -> tensor<5x4xf32>
  return %r : tensor<5x4xf32>
}

// -----

// CHECK-LABEL: func.func @resize_nearest
// CHECK: %[[ROWS:.+]] = arith.constant dense<[0, 0, 1, 1, 2, 2, 3, 3]> : tensor<8xi64>
// CHECK: linalg.generic {{.*}} ins(%[[ROWS]], %{{.*}} : tensor<8xi64>, tensor<8xi64>)
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x8x4x4xf32>
// LLVM-LABEL: llvm.func @resize_nearest(
func.func @resize_nearest(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32> {
  %r = lowbit.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
  return %r : tensor<1x8x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @resize_linear
// CHECK: arith.constant dense<[0, 0, 0, 1]> : tensor<4xi64>
// CHECK: arith.constant dense<[2.500000e-01, 7.500000e-01, 2.500000e-01, 7.500000e-01]> : tensor<4xf32>
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract
// LLVM-LABEL: llvm.func @resize_linear(
func.func @resize_linear(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %r = lowbit.resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel", scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %r : tensor<1x1x4x4xf32>
}

// -----

// Rows map to 0.4*3 + [0, 1, 2]*0.8*3/2 = [1.2, 2.4, 3.6] (3.6 > 3 extrapolates),
// columns to 0.6*3 + [0, 1, 2]*1.1*3/2 = [1.8, 3.45, 5.1] (the last two do).
// CHECK-LABEL: func.func @resize_tf_crop_and_resize
// CHECK-DAG: %[[ROWS_OUT:.+]] = arith.constant dense<[0, 0, 1]> : tensor<3xi64>
// CHECK-DAG: %[[COLS_OUT:.+]] = arith.constant dense<[0, 1, 1]> : tensor<3xi64>
// CHECK: linalg.generic {{.*}} ins({{.*}}%[[ROWS_OUT]], {{.*}}%[[COLS_OUT]] :
// CHECK: ^bb0(
// CHECK: %[[R:.+]] = arith.cmpi ne
// CHECK: %[[C:.+]] = arith.cmpi ne
// CHECK: %[[OUT:.+]] = arith.ori %[[R]], %[[C]] : i1
// CHECK-COUNT-4: tensor.extract
// CHECK: %[[SUM:.+]] = arith.addf
// CHECK: %[[E:.+]] = arith.constant 1.000000e+01 : f32
// CHECK: %[[V:.+]] = arith.select %[[OUT]], %[[E]], %[[SUM]] : f32
// CHECK: linalg.yield %[[V]]
// LLVM-LABEL: llvm.func @resize_tf_crop_and_resize(
func.func @resize_tf_crop_and_resize(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32> {
  %r = lowbit.resize %x {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", roi = array<f32: 0.0, 0.0, 0.4, 0.6, 1.0, 1.0, 1.2, 1.7>, extrapolation_value = 10.0 : f32, scales = array<f32: 1.0, 1.0, 0.75, 0.75>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
  return %r : tensor<1x1x3x3xf32>
}

// -----

// Inside the roi nothing extrapolates: no mask, no select. Rows map to
// [0, 1.5, 3]; the columns' [0, 1] roi over 4 -> 4 is the identity.
// CHECK-LABEL: func.func @resize_tf_crop_and_resize_inside
// CHECK: arith.constant dense<[0, 1, 2]> : tensor<3xi64>
// CHECK: arith.constant dense<[0.000000e+00, 5.000000e-01, 0.000000e+00]> : tensor<3xf32>
// CHECK: arith.constant dense<[0, 2, 3]> : tensor<3xi64>
// CHECK: linalg.generic {{.*}} ins(%{{[^)]*}} : tensor<3xi64>, tensor<3xf32>, tensor<3xi64>, tensor<3xf32>)
// CHECK-NOT: arith.select
// CHECK: linalg.yield
// LLVM-LABEL: llvm.func @resize_tf_crop_and_resize_inside(
func.func @resize_tf_crop_and_resize_inside(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x4xf32> {
  %r = lowbit.resize %x {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", roi = array<f32: 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0>, scales = array<f32: 1.0, 1.0, 0.75, 1.0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x4xf32>
  return %r : tensor<1x1x3x4xf32>
}

// -----

// Rows map to ([0, 1, 2] + 0.5) / 0.75 = [0.67, 2, 3.33] -> [1, 2, 3],
// columns to ([0, 1] + 0.5) / 0.5 = [1, 3] (round_prefer_floor).
// CHECK-LABEL: func.func @resize_tf_half_pixel_for_nn
// CHECK-DAG: %[[ROWS:.+]] = arith.constant dense<[1, 2, 3]> : tensor<3xi64>
// CHECK-DAG: %[[COLS:.+]] = arith.constant dense<[1, 3]> : tensor<2xi64>
// CHECK: linalg.generic {{.*}} ins(%[[ROWS]], %[[COLS]] : tensor<3xi64>, tensor<2xi64>)
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x1x4x4xf32>
// LLVM-LABEL: llvm.func @resize_tf_half_pixel_for_nn(
func.func @resize_tf_half_pixel_for_nn(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x2xf32> {
  %r = lowbit.resize %x {mode = "nearest", coordinate_transformation_mode = "tf_half_pixel_for_nn", scales = array<f32: 1.0, 1.0, 0.75, 0.5>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x2xf32>
  return %r : tensor<1x1x3x2xf32>
}

// -----

// CHECK-LABEL: func.func @quantize
// CHECK-SAME: -> tensor<4xi8>
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.addf
// CHECK: arith.constant -1.280000e+02 : f32
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: arith.maxnumf
// CHECK: arith.minnumf
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// LLVM-LABEL: llvm.func @quantize(
func.func @quantize(%x: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1:3>> {
  %r = lowbit.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1:3>>
  return %r : tensor<4x!quant.uniform<i8:f32, 0.1:3>>
}

// -----

// CHECK-DAG: #[[$AXIS:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @dequantize_per_axis
// CHECK-SAME: (%[[Q:.+]]: tensor<2x3xi8>) -> tensor<2x3xf32>
// CHECK-DAG: %[[SCALES:.+]] = arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[ZPS:.+]] = arith.constant dense<[1.280000e+02, 1.000000e+02]> : tensor<2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$AXIS]], #[[$AXIS]], #{{.*}}], {{.*}} ins(%[[Q]], %[[SCALES]], %[[ZPS]] :
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK: arith.subf
// CHECK: arith.mulf
// LLVM-LABEL: llvm.func @dequantize_per_axis(
func.func @dequantize_per_axis(%q: tensor<2x3x!quant.uniform<u8:f32:0, {0.5:128, 0.25:100}>>) -> tensor<2x3xf32> {
  %r = lowbit.dequantize %q : (tensor<2x3x!quant.uniform<u8:f32:0, {0.5:128, 0.25:100}>>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @requantize
// CHECK-SAME: (%{{.*}}: tensor<4xi32>) -> tensor<4xi8>
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// LLVM-LABEL: llvm.func @requantize(
func.func @requantize(%q: tensor<4x!quant.uniform<i32:f32, 0.01>>) -> tensor<4x!quant.uniform<i8:f32, 0.1:3>> {
  %r = lowbit.requantize %q : (tensor<4x!quant.uniform<i32:f32, 0.01>>) -> tensor<4x!quant.uniform<i8:f32, 0.1:3>>
  return %r : tensor<4x!quant.uniform<i8:f32, 0.1:3>>
}

// -----

// CHECK-LABEL: func.func @constant_unsigned
// CHECK-SAME: -> tensor<2xi8>
// CHECK: arith.constant dense<[1, -1]> : tensor<2xi8>
// LLVM-LABEL: llvm.func @constant_unsigned(
func.func @constant_unsigned() -> tensor<2xui8> {
  %c = lowbit.constant dense<[1, 255]> : tensor<2xui8>
  return %c : tensor<2xui8>
}

// -----

// CHECK-LABEL: func.func @gather_elements
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<3x4xf32>
// LLVM-LABEL: llvm.func @gather_elements(
func.func @gather_elements(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %0 = lowbit.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @gather_nd
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<2x1xi64>
// CHECK: tensor.extract %{{.*}} : tensor<3x4xf32>
// LLVM-LABEL: llvm.func @gather_nd(
func.func @gather_nd(%x: tensor<3x4xf32>, %i: tensor<2x1xi64>) -> tensor<2x4xf32> {
  %0 = lowbit.gather_nd %x, %i : (tensor<3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Scatters reduce over the updates in order, so duplicates apply in turn.
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.addf
// CHECK: arith.select
// LLVM-LABEL: llvm.func @scatter_elements_add(
func.func @scatter_elements_add(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %0 = lowbit.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @scatter_nd_mul
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// LLVM-LABEL: llvm.func @scatter_nd_mul(
func.func @scatter_nd_mul(%x: tensor<3x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> tensor<3x4xf32> {
  %0 = lowbit.scatter_nd %x, %i, %u {reduction = "mul"} : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @cumsum_reverse_exclusive
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpi sgt
// CHECK: arith.addf
// LLVM-LABEL: llvm.func @cumsum_reverse_exclusive(
func.func @cumsum_reverse_exclusive(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = lowbit.cumsum %x {axis = 1 : i64, exclusive = true, reverse = true} : tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @top_k
// CHECK: %[[RANKS:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic {{.*}}ins(%[[RANKS]], %{{.*}} : tensor<3x4xi64>, tensor<3x4xf32>) outs(%{{.*}}, %{{.*}} : tensor<3x2xf32>, tensor<3x2xi64>)
// LLVM-LABEL: llvm.func @top_k(
func.func @top_k(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %0, %1 = lowbit.top_k %x {axis = 1 : i64} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %0, %1 : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// CHECK-LABEL: func.func @shifts_unsigned
// CHECK: arith.shli
// CHECK: arith.select
// CHECK: arith.shrui
// LLVM-LABEL: llvm.func @shifts_unsigned(
func.func @shifts_unsigned(%a: tensor<3xui8>, %b: tensor<3xui8>) -> (tensor<3xui8>, tensor<3xui8>) {
  %0 = lowbit.shift_left %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  %1 = lowbit.shift_right %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %0, %1 : tensor<3xui8>, tensor<3xui8>
}

// -----

// CHECK-LABEL: func.func @inverse_trig
// CHECK: math.acos
// CHECK: math.asin
// CHECK: math.atan
// LLVM-LABEL: llvm.func @inverse_trig(
func.func @inverse_trig(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = lowbit.acos %x : tensor<4xf32>
  %1 = lowbit.asin %x : tensor<4xf32>
  %2 = lowbit.atan %x : tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
