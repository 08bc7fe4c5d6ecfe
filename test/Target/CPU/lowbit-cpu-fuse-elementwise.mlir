// RUN: quant-opt %s --lowbit-cpu-fuse-elementwise --split-input-file | FileCheck %s

// Elementwise chains fuse as upstream fuses them.

// CHECK-LABEL: func.func @chain
// CHECK:         linalg.generic
// CHECK:           arith.addf
// CHECK:           arith.maximumf
// CHECK-NOT:     linalg.generic
func.func @chain(%x: tensor<64xf32>, %y: tensor<64xf32>) -> tensor<64xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64xf32>
  %sum = linalg.generic {
      indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
      iterator_types = ["parallel"]}
      ins(%x, %y : tensor<64xf32>, tensor<64xf32>) outs(%empty : tensor<64xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<64xf32>
  %relu = linalg.generic {
      indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
      iterator_types = ["parallel"]}
      ins(%sum : tensor<64xf32>) outs(%empty : tensor<64xf32>) {
  ^bb0(%a: f32, %out: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<64xf32>
  return %relu : tensor<64xf32>
}

// -----

// A ReLU feeding a contraction stays a separate op: fused, it would run once
// per reduction step and hide the contraction.

// CHECK-LABEL: func.func @relu_into_contraction
// CHECK:         %[[RELU:.+]] = linalg.generic
// CHECK:           arith.maximumf
// CHECK:         linalg.generic {{.*}} ins(%[[RELU]], %{{.*}} :
// CHECK-NOT:       arith.maximumf
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @relu_into_contraction(%x: tensor<16x32xf32>, %w: tensor<32x8xf32>, %init: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<16x32xf32>
  %relu = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x32xf32>) outs(%empty : tensor<16x32xf32>) {
  ^bb0(%a: f32, %out: f32):
    %r = arith.maximumf %a, %zero : f32
    linalg.yield %r : f32
  } -> tensor<16x32xf32>
  %mm = linalg.generic {
      indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%relu, %w : tensor<16x32xf32>, tensor<32x8xf32>) outs(%init : tensor<16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  return %mm : tensor<16x8xf32>
}

// -----

// Reshapes around a named matmul stay reshapes (views after bufferization):
// folded into it, they would turn it into a generic with unit and split
// loops that tiling no longer treats as a plain matmul.

// CHECK-LABEL: func.func @reshape_around_matmul
// CHECK:         tensor.collapse_shape
// CHECK:         linalg.matmul
// CHECK:         tensor.expand_shape
// CHECK-NOT:     linalg.generic {{.*}}reduction
func.func @reshape_around_matmul(%a: tensor<1x40x120xf32>, %b: tensor<120x360xf32>) -> tensor<1x40x3x120xf32> {
  %zero = arith.constant 0.0 : f32
  %a2 = tensor.collapse_shape %a [[0, 1], [2]] : tensor<1x40x120xf32> into tensor<40x120xf32>
  %e = tensor.empty() : tensor<40x360xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<40x360xf32>) -> tensor<40x360xf32>
  %m = linalg.matmul ins(%a2, %b : tensor<40x120xf32>, tensor<120x360xf32>) outs(%f : tensor<40x360xf32>) -> tensor<40x360xf32>
  %r = tensor.expand_shape %m [[0, 1], [2, 3]] output_shape [1, 40, 3, 120] : tensor<40x360xf32> into tensor<1x40x3x120xf32>
  return %r : tensor<1x40x3x120xf32>
}
