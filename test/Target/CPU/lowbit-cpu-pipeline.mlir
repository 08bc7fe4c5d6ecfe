// RUN: quant-opt %s --lowbit-cpu-pipeline --split-input-file | FileCheck %s
// RUN: quant-opt %s --lowbit-cpu-pipeline="parallel=false" --split-input-file | FileCheck %s --check-prefix=SERIAL

// A matmul big enough for threads, then a fused bias + tanh + relu: the
// result is one LLVM function taking inputs then the output buffer, with the
// matmul tiles in an OpenMP worksharing loop.

// CHECK-LABEL: llvm.func @main(
// CHECK-SAME:    %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64
// CHECK-NOT:     -> !llvm.struct
// CHECK:         omp.parallel
// CHECK:           omp.wsloop
// CHECK:             omp.loop_nest
// CHECK:               llvm.intr.fmuladd
// CHECK:         llvm.return
// CHECK-NOT:     linalg.
// CHECK-NOT:     memref.

// SERIAL-LABEL: llvm.func @main(
// SERIAL-NOT:     omp.
// SERIAL:         llvm.return
func.func @main(%a: tensor<64x128xf32>, %b: tensor<128x512xf32>,
                %bias: tensor<512xf32>) -> tensor<64x512xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<64x512xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x512xf32>) -> tensor<64x512xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<64x128xf32>, tensor<128x512xf32>)
                      outs(%fill : tensor<64x512xf32>) -> tensor<64x512xf32>
  %act = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>,
                       affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<64x512xf32>, tensor<512xf32>)
      outs(%empty : tensor<64x512xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    %t = math.tanh %s : f32
    %r = arith.maximumf %t, %zero : f32
    linalg.yield %r : f32
  } -> tensor<64x512xf32>
  return %act : tensor<64x512xf32>
}

// -----

// Returning an argument and a constant: both become copies into the
// caller's output buffers (memcpy), and @main returns nothing.

// CHECK-LABEL: llvm.func @main(
// CHECK-NOT:     -> !llvm.struct
// CHECK:         "llvm.intr.memcpy"
// CHECK:         "llvm.intr.memcpy"
// CHECK:         llvm.return
func.func @main(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<3xi32>) {
  %c = arith.constant dense<[1, 2, 3]> : tensor<3xi32>
  return %x, %c : tensor<4x8xf32>, tensor<3xi32>
}
