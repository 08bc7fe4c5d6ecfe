// RUN: quant-opt %s --lowbit-cpu-hoist-vector-transfers --split-input-file | FileCheck %s

// The accumulator tile lives in a subview of an output argument (which
// upstream hoisting refuses); it moves out of the reduction loop.

// CHECK-LABEL: func.func @accumulator_in_subview
// CHECK:         %[[SV:.+]] = memref.subview
// CHECK:         %[[INIT:.+]] = vector.transfer_read %[[SV]]
// CHECK:         %[[ACC:.+]] = scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]])
// CHECK-NOT:       vector.transfer_write
// CHECK:         }
// CHECK:         vector.transfer_write %[[ACC]], %[[SV]]
func.func @accumulator_in_subview(%a: memref<64x128xf32>, %out: memref<64x96xf32>, %i: index, %j: index) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  %cst = arith.constant 0.0 : f32
  %sv = memref.subview %out[%i, %j] [8, 32] [1, 1] : memref<64x96xf32> to memref<8x32xf32, strided<[96, 1], offset: ?>>
  scf.for %k = %c0 to %c128 step %c4 {
    %x = vector.transfer_read %a[%i, %k], %cst {in_bounds = [true, true]} : memref<64x128xf32>, vector<8x32xf32>
    %acc = vector.transfer_read %sv[%c0, %c0], %cst {in_bounds = [true, true]} : memref<8x32xf32, strided<[96, 1], offset: ?>>, vector<8x32xf32>
    %sum = arith.addf %x, %acc : vector<8x32xf32>
    vector.transfer_write %sum, %sv[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32, strided<[96, 1], offset: ?>>
  }
  return
}

// -----

// Another access to the same buffer inside the loop blocks hoisting.

// CHECK-LABEL: func.func @other_access_blocks
// CHECK:         scf.for
// CHECK:           vector.transfer_read
// CHECK:           memref.load
// CHECK:           vector.transfer_write
func.func @other_access_blocks(%out: memref<64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %cst = arith.constant 0.0 : f32
  scf.for %k = %c0 to %n step %c1 {
    %acc = vector.transfer_read %out[%c0], %cst {in_bounds = [true]} : memref<64xf32>, vector<8xf32>
    %s = memref.load %out[%c8] : memref<64xf32>
    %b = vector.broadcast %s : f32 to vector<8xf32>
    %sum = arith.addf %acc, %b : vector<8xf32>
    vector.transfer_write %sum, %out[%c0] {in_bounds = [true]} : vector<8xf32>, memref<64xf32>
  }
  return
}
