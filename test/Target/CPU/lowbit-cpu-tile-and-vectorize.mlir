// RUN: quant-opt %s --lowbit-cpu-tile-and-vectorize --split-input-file | FileCheck %s

// Thread tiles of several register tiles (8x64: 64 of them for the threads
// to share), 8x32 register tiles inside, the fill fused into them.

// CHECK-LABEL: func.func @matmul
// CHECK:         scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 512) step (8, 64)
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK:             vector.transfer_write {{.*}} : vector<8x32xf32>
// CHECK:             scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK:               vector.contract {{.*}} : vector<8x4xf32>, vector<4x32xf32> into vector<8x32xf32>
// CHECK-NOT:     linalg.matmul
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x512xf32>) -> tensor<64x512xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x512xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x512xf32>) -> tensor<64x512xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<64x128xf32>, tensor<128x512xf32>)
                      outs(%fill : tensor<64x512xf32>) -> tensor<64x512xf32>
  return %mm : tensor<64x512xf32>
}

// -----

// 3x3 convolution: threads over (f, oh, ow) tiles, window loops tiled to 1
// so that it decomposes into a 1-D convolution that vectorizes.

// CHECK-LABEL: func.func @conv
// CHECK:         scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (32, 48) step (8, 3)
// CHECK:           scf.for
// CHECK:             scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C16:.+]] iter_args
// CHECK:               vector.contract {{.*}} into vector<1x8x16xf32>
// CHECK-NOT:     linalg.conv_2d_nchw_fchw
func.func @conv(%x: tensor<1x16x50x322xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x48x320xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x32x48x320xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x32x48x320xf32>) -> tensor<1x32x48x320xf32>
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x16x50x322xf32>, tensor<32x16x3x3xf32>)
      outs(%fill : tensor<1x32x48x320xf32>) -> tensor<1x32x48x320xf32>
  return %conv : tensor<1x32x48x320xf32>
}

// -----

// Small elementwise ops stay on one thread; tile sizes divide the extents
// (40 -> 10) so that every tile is static.

// CHECK-LABEL: func.func @small_elementwise
// CHECK-NOT:     scf.forall
// CHECK:         scf.for
// CHECK:           math.exp {{.*}} : vector<1x10xf32>
func.func @small_elementwise(%x: tensor<4x40xf32>) -> tensor<4x40xf32> {
  %empty = tensor.empty() : tensor<4x40xf32>
  %e = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x40xf32>) outs(%empty : tensor<4x40xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  } -> tensor<4x40xf32>
  return %e : tensor<4x40xf32>
}

// -----

// Epilogue fusion: the bias broadcast (the accumulator's init) and the ReLU
// that consumes the convolution run inside the convolution's tiles, in one
// pass over the output.

// CHECK-LABEL: func.func @conv_bias_relu
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall (%[[F:.+]], %{{.*}}) = (0, 0) to (32, 48) step (8, 3)
// CHECK:           vector.transfer_read %{{.*}}[%[[F]]], {{.*}} : tensor<32xf32>, vector<1x8x1x16xf32>
// CHECK:           vector.contract {{.*}} into vector<1x8x16xf32>
// CHECK:           arith.maximumf {{.*}} : vector<1x8x1x16xf32>
// CHECK:           scf.forall.in_parallel
// CHECK-NOT:     linalg.
func.func @conv_bias_relu(%x: tensor<1x16x48x320xf32>, %w: tensor<32x16x1x1xf32>, %b: tensor<32xf32>) -> tensor<1x32x48x320xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x32x48x320xf32>
  %bias = linalg.generic {
      indexing_maps = [affine_map<(n, f, h, w) -> (f)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<32xf32>) outs(%empty : tensor<1x32x48x320xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x32x48x320xf32>
  %conv = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x16x48x320xf32>, tensor<32x16x1x1xf32>)
      outs(%bias : tensor<1x32x48x320xf32>) -> tensor<1x32x48x320xf32>
  %relu = linalg.generic {
      indexing_maps = [affine_map<(n, f, h, w) -> (n, f, h, w)>, affine_map<(n, f, h, w) -> (n, f, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x32x48x320xf32>) outs(%empty : tensor<1x32x48x320xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x32x48x320xf32>
  return %relu : tensor<1x32x48x320xf32>
}

// -----

// An extent without a divisor near the register tile (6625 = 5^2 * 265)
// is split: 6624 columns in full 32-wide tiles, then the last column.

// CHECK-LABEL: func.func @matmul_awkward_extent
// CHECK:         scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (40, 6624) step (8, 288)
// CHECK:           vector.contract {{.*}} : vector<8x4xf32>, vector<4x32xf32> into vector<8x32xf32>
// CHECK:         tensor.insert_slice %{{.*}}[0, 0] [40, 6624] [1, 1]
// CHECK:         vector.contract {{.*}} : vector<8x4xf32>, vector<4x1xf32> into vector<8x1xf32>
// CHECK:         tensor.insert_slice %{{.*}}[0, 6624] [40, 1] [1, 1]
func.func @matmul_awkward_extent(%a: tensor<40x120xf32>, %b: tensor<120x6625xf32>) -> tensor<40x6625xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<40x6625xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<40x6625xf32>) -> tensor<40x6625xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<40x120xf32>, tensor<120x6625xf32>)
                      outs(%fill : tensor<40x6625xf32>) -> tensor<40x6625xf32>
  return %mm : tensor<40x6625xf32>
}

// -----

// A matmul written as a generic with unit loops becomes a matmul on
// collapsed operands, whose vectorization reads the operand tiles directly.

// CHECK-LABEL: func.func @generic_matmul_unit_dims
// CHECK:         tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2], [3]] : tensor<1x1x40x120xf32> into tensor<40x120xf32>
// CHECK:         scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (40, 256) step (8, 32)
// CHECK:           vector.transfer_read {{.*}} : tensor<40x120xf32>, vector<8x4xf32>
// CHECK:           vector.transfer_read {{.*}} : tensor<120x256xf32>, vector<4x32xf32>
// CHECK:           vector.contract {{.*}} into vector<8x32xf32>
// CHECK:         tensor.expand_shape
func.func @generic_matmul_unit_dims(%a: tensor<1x1x40x120xf32>, %b: tensor<120x256xf32>, %init: tensor<1x1x40x256xf32>) -> tensor<1x1x40x256xf32> {
  %r = linalg.generic {
      indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>,
                       affine_map<(d0, d1, d2, d3, d4) -> (d4, d3)>,
                       affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<1x1x40x120xf32>, tensor<120x256xf32>) outs(%init : tensor<1x1x40x256xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %z, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x1x40x256xf32>
  return %r : tensor<1x1x40x256xf32>
}

// -----

// NCHW depthwise convolution: window loops tiled to 1; without its unit loops
// the tile is elementwise and vectorizes along the output width.

// CHECK-LABEL: func.func @depthwise
// CHECK:         scf.forall
// CHECK:           scf.for
// CHECK:             scf.for
// CHECK:               vector.transfer_read {{.*}} : tensor<1x64x20x84xf32>, vector<8x16xf32>
// CHECK:               arith.mulf {{.*}} : vector<8x16xf32>
// CHECK:               arith.addf {{.*}} : vector<8x16xf32>
// CHECK-NOT:     linalg.depthwise_conv_2d_nchw_chw
func.func @depthwise(%x: tensor<1x64x20x84xf32>, %w: tensor<64x5x5xf32>, %init: tensor<1x64x16x80xf32>) -> tensor<1x64x16x80xf32> {
  %r = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x64x20x84xf32>, tensor<64x5x5xf32>) outs(%init : tensor<1x64x16x80xf32>) -> tensor<1x64x16x80xf32>
  return %r : tensor<1x64x16x80xf32>
}

// -----

// tensor.pad becomes a fresh padded tensor (not tensor.empty, which CSE
// would share between pads) with only its border filled, one slab per
// padded side, and a vectorized copy into its interior.

// CHECK-LABEL: func.func @pad
// CHECK:         %[[ALLOC:.+]] = bufferization.alloc_tensor() : tensor<1x64x16x84xf32>
// CHECK:         tensor.extract_slice %[[ALLOC]][0, 0, 0, 0] [1, 64, 2, 84]
// CHECK:           vector.transfer_write {{.*}} : vector<1x1x1x14xf32>
// CHECK:         %[[TOP:.+]] = tensor.insert_slice {{.*}} into %[[ALLOC]][0, 0, 0, 0] [1, 64, 2, 84]
// CHECK:         %[[BOTTOM:.+]] = tensor.insert_slice {{.*}} into %[[TOP]][0, 0, 14, 0] [1, 64, 2, 84]
// CHECK:         %[[LEFT:.+]] = tensor.insert_slice {{.*}} into %[[BOTTOM]][0, 0, 2, 0] [1, 64, 12, 2]
// CHECK:         %[[FILLED:.+]] = tensor.insert_slice {{.*}} into %[[LEFT]][0, 0, 2, 82] [1, 64, 12, 2]
// CHECK:         %[[INTERIOR:.+]] = tensor.extract_slice %[[FILLED]][0, 0, 2, 2] [1, 64, 12, 80]
// CHECK:         %[[COPIED:.+]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[INTERIOR]])
// CHECK:           vector.transfer_read {{.*}} : tensor<1x64x12x80xf32>, vector<1x1x1x16xf32>
// CHECK:         tensor.insert_slice %[[COPIED]] into %[[FILLED]][0, 0, 2, 2] [1, 64, 12, 80]
// CHECK-NOT:     tensor.pad
func.func @pad(%x: tensor<1x64x12x80xf32>) -> tensor<1x64x16x84xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 2, 2] high[0, 0, 2, 2] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x64x12x80xf32> to tensor<1x64x16x84xf32>
  return %p : tensor<1x64x16x84xf32>
}

// -----

// A padded value computed into a tensor.empty is computed into the interior
// of the padded tensor instead: the pad copies nothing.

// CHECK-LABEL: func.func @pad_producer_in_place
// CHECK:         %[[ALLOC:.+]] = bufferization.alloc_tensor() : tensor<1x64x16x84xf32>
// CHECK:         %[[FILLED:.+]] = tensor.insert_slice {{.*}}[0, 0, 2, 82] [1, 64, 12, 2]
// CHECK:         %[[INTERIOR:.+]] = tensor.extract_slice %[[FILLED]][0, 0, 2, 2] [1, 64, 12, 80]
// CHECK:         %[[RELU:.+]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[INTERIOR]])
// CHECK:           arith.maximumf {{.*}} : vector<1x1x1x16xf32>
// CHECK:         tensor.insert_slice %[[RELU]] into %[[FILLED]][0, 0, 2, 2] [1, 64, 12, 80]
// CHECK-NOT:     tensor.pad
// CHECK-NOT:     scf.forall
func.func @pad_producer_in_place(%x: tensor<1x64x12x80xf32>) -> tensor<1x64x16x84xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x64x12x80xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x64x12x80xf32>) outs(%e : tensor<1x64x12x80xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x64x12x80xf32>
  %p = tensor.pad %r low[0, 0, 2, 2] high[0, 0, 2, 2] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x64x12x80xf32> to tensor<1x64x16x84xf32>
  return %p : tensor<1x64x16x84xf32>
}
