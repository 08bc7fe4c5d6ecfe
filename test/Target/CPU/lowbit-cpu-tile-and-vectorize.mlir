// RUN: quant-opt %s --lowbit-cpu-tile-and-vectorize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @matmul
// CHECK:         scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 512) step (8, 32)
// CHECK:           vector.transfer_write {{.*}} : vector<8x32xf32>
// CHECK:           scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK:             vector.contract {{.*}} : vector<8x4xf32>, vector<4x32xf32> into vector<8x32xf32>
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
// CHECK:         scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0) to (32, 48, 320) step (8, 1, 16)
// CHECK:           scf.for
// CHECK:             vector.contract {{.*}} into vector<1x8x16xf32>
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
