// RUN: quant-opt %s --lowbit-cpu-profile-ops 2>%t.map | FileCheck %s
// RUN: FileCheck %s --check-prefix=MAP < %t.map

// CHECK:       func.func private @lowbit_profile_tick(i64)
// CHECK-LABEL: func.func @main
// CHECK:         %[[START:.+]] = arith.constant -1 : i64
// CHECK-NEXT:    call @lowbit_profile_tick(%[[START]]) : (i64) -> ()
// CHECK:         tensor.pad
// CHECK:         } : tensor<1x4x4x4xf32> to tensor<1x4x6x6xf32>
// CHECK-NEXT:    %[[PAD:.+]] = arith.constant 0 : i64
// CHECK-NEXT:    call @lowbit_profile_tick(%[[PAD]])
// CHECK:         linalg.generic
// CHECK:         } -> tensor<1x4x6x6xf32>
// CHECK-NEXT:    %[[RELU:.+]] = arith.constant 1 : i64
// CHECK-NEXT:    call @lowbit_profile_tick(%[[RELU]])
// CHECK-NEXT:    return

// MAP: lowbit-profile 0 tensor.pad tensor<1x4x6x6xf32>
// MAP: lowbit-profile 1 linalg.generic loops 1 4 6 6 [maximumf ]
func.func @main(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x4xf32> to tensor<1x4x6x6xf32>
  %empty = tensor.empty() : tensor<1x4x6x6xf32>
  %r = linalg.generic {
      indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%p : tensor<1x4x6x6xf32>) outs(%empty : tensor<1x4x6x6xf32>) {
  ^bb0(%a: f32, %out: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}
