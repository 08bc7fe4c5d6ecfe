// RUN: quant-opt %s --split-input-file | FileCheck %s
// Round trip: every op parses, verifies and prints back to the same form.
// RUN: quant-opt %s --split-input-file | quant-opt --split-input-file | FileCheck %s
// RUN: quant-opt %s --split-input-file --mlir-print-op-generic | quant-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func @constants
func.func @constants() -> (tensor<2xf32>, tensor<2x2xf32>) {
  // CHECK: lowbit.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = lowbit.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: lowbit.constant dense_resource<blob> : tensor<2x2xf32>
  %1 = lowbit.constant dense_resource<blob> : tensor<2x2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// CHECK-LABEL: func @binary
func.func @binary(%a: tensor<1x8x4xf32>, %b: tensor<4xf32>, %i: tensor<4xi64>, %c: tensor<4xi1>) {
  // CHECK: lowbit.add %{{.*}}, %{{.*}} : (tensor<1x8x4xf32>, tensor<4xf32>) -> tensor<1x8x4xf32>
  %0 = lowbit.add %a, %b : (tensor<1x8x4xf32>, tensor<4xf32>) -> tensor<1x8x4xf32>
  // CHECK: lowbit.sub
  %1 = lowbit.sub %a, %b : (tensor<1x8x4xf32>, tensor<4xf32>) -> tensor<1x8x4xf32>
  // CHECK: lowbit.mul
  %2 = lowbit.mul %a, %b : (tensor<1x8x4xf32>, tensor<4xf32>) -> tensor<1x8x4xf32>
  // CHECK: lowbit.div
  %3 = lowbit.div %b, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: lowbit.pow %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xi64>) -> tensor<4xf32>
  %4 = lowbit.pow %b, %i : (tensor<4xf32>, tensor<4xi64>) -> tensor<4xf32>
  // CHECK: lowbit.max
  %5 = lowbit.max %b, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: lowbit.min
  %6 = lowbit.min %b, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: lowbit.mod %{{.*}}, %{{.*}} {fmod = true}
  %7 = lowbit.mod %b, %b {fmod = true} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: lowbit.equal %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %8 = lowbit.equal %b, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: lowbit.less
  %9 = lowbit.less %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
  // CHECK: lowbit.less_equal
  %10 = lowbit.less_equal %b, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: lowbit.greater
  %11 = lowbit.greater %b, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: lowbit.greater_equal
  %12 = lowbit.greater_equal %b, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: lowbit.and
  %13 = lowbit.and %c, %c : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: lowbit.or
  %14 = lowbit.or %c, %c : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: lowbit.xor
  %15 = lowbit.xor %c, %c : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: lowbit.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4xi1>, tensor<1x8x4xf32>, tensor<4xf32>) -> tensor<1x8x4xf32>
  %16 = lowbit.where %c, %a, %b : (tensor<4xi1>, tensor<1x8x4xf32>, tensor<4xf32>) -> tensor<1x8x4xf32>
  return
}

// -----

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<2x3xf32>, %c: tensor<2x3xi1>) {
  // CHECK: lowbit.abs %{{.*}} : tensor<2x3xf32>
  %0 = lowbit.abs %x : tensor<2x3xf32>
  // CHECK: lowbit.ceil
  %1 = lowbit.ceil %x : tensor<2x3xf32>
  // CHECK: lowbit.cos
  %2 = lowbit.cos %x : tensor<2x3xf32>
  // CHECK: lowbit.erf
  %3 = lowbit.erf %x : tensor<2x3xf32>
  // CHECK: lowbit.exp
  %4 = lowbit.exp %x : tensor<2x3xf32>
  // CHECK: lowbit.floor
  %5 = lowbit.floor %x : tensor<2x3xf32>
  // CHECK: lowbit.log
  %6 = lowbit.log %x : tensor<2x3xf32>
  // CHECK: lowbit.neg
  %7 = lowbit.neg %x : tensor<2x3xf32>
  // CHECK: lowbit.not %{{.*}} : tensor<2x3xi1>
  %8 = lowbit.not %c : tensor<2x3xi1>
  // CHECK: lowbit.reciprocal
  %9 = lowbit.reciprocal %x : tensor<2x3xf32>
  // CHECK: lowbit.relu
  %10 = lowbit.relu %x : tensor<2x3xf32>
  // CHECK: lowbit.round
  %11 = lowbit.round %x : tensor<2x3xf32>
  // CHECK: lowbit.sigmoid
  %12 = lowbit.sigmoid %x : tensor<2x3xf32>
  // CHECK: lowbit.sign
  %13 = lowbit.sign %x : tensor<2x3xf32>
  // CHECK: lowbit.sin
  %14 = lowbit.sin %x : tensor<2x3xf32>
  // CHECK: lowbit.softplus
  %15 = lowbit.softplus %x : tensor<2x3xf32>
  // CHECK: lowbit.sqrt
  %16 = lowbit.sqrt %x : tensor<2x3xf32>
  // CHECK: lowbit.tanh
  %17 = lowbit.tanh %x : tensor<2x3xf32>
  // CHECK: lowbit.hard_swish
  %18 = lowbit.hard_swish %x : tensor<2x3xf32>
  // CHECK: lowbit.gelu %{{.*}} {approximate = "tanh"} : tensor<2x3xf32>
  %19 = lowbit.gelu %x {approximate = "tanh"} : tensor<2x3xf32>
  // CHECK: lowbit.gelu %{{.*}} : tensor<2x3xf32>
  %20 = lowbit.gelu %x : tensor<2x3xf32>
  // CHECK: lowbit.hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32}
  %21 = lowbit.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  // CHECK: lowbit.leaky_relu %{{.*}} {alpha = 0.00999999977 : f32}
  %22 = lowbit.leaky_relu %x {alpha = 0.01 : f32} : tensor<2x3xf32>
  // CHECK: lowbit.elu %{{.*}} {alpha = 1.000000e+00 : f32}
  %23 = lowbit.elu %x {alpha = 1.0 : f32} : tensor<2x3xf32>
  // CHECK: lowbit.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
  %24 = lowbit.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  // CHECK: lowbit.clip %{{.*}} {min = 0.000000e+00 : f32}
  %25 = lowbit.clip %x {min = 0.0 : f32} : tensor<2x3xf32>
  return
}

// -----

// CHECK-LABEL: func @linear
func.func @linear(%a: tensor<2x8x16xf32>, %b: tensor<16x32xf32>, %v: tensor<16xf32>,
                  %m: tensor<4x8xf32>, %n: tensor<16x8xf32>, %c: tensor<16xf32>) {
  // CHECK: lowbit.matmul %{{.*}}, %{{.*}} : (tensor<2x8x16xf32>, tensor<16x32xf32>) -> tensor<2x8x32xf32>
  %0 = lowbit.matmul %a, %b : (tensor<2x8x16xf32>, tensor<16x32xf32>) -> tensor<2x8x32xf32>
  // CHECK: lowbit.matmul %{{.*}}, %{{.*}} : (tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8xf32>
  %1 = lowbit.matmul %a, %v : (tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8xf32>
  // CHECK: lowbit.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, transB = true}
  %2 = lowbit.gemm %m, %n, %c {alpha = 0.5 : f32, transB = true} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  // CHECK: lowbit.gemm %{{.*}}, %{{.*}} {transB = true} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %3 = lowbit.gemm %m, %n {transB = true} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return
}

// -----

// CHECK-LABEL: func @convolution
func.func @convolution(%x: tensor<1x8x32x32xf32>, %w: tensor<16x8x3x3xf32>, %b: tensor<16xf32>,
                       %dw: tensor<8x1x3x3xf32>, %tw: tensor<8x4x2x2xf32>, %x1: tensor<1x8x10xf32>,
                       %w1: tensor<4x8x3xf32>) {
  // CHECK: lowbit.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %0 = lowbit.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64}
      : (tensor<1x8x32x32xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<1x16x16x16xf32>
  // Depthwise: group equals the channel count.
  // CHECK: lowbit.conv {{.*}} group = 8 : i64
  %1 = lowbit.conv %x, %dw {strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>, group = 8 : i64}
      : (tensor<1x8x32x32xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x32x32xf32>
  // CHECK: lowbit.conv {{.*}} : (tensor<1x8x10xf32>, tensor<4x8x3xf32>) -> tensor<1x4x8xf32>
  %2 = lowbit.conv %x1, %w1 {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>}
      : (tensor<1x8x10xf32>, tensor<4x8x3xf32>) -> tensor<1x4x8xf32>
  // CHECK: lowbit.conv_transpose
  %3 = lowbit.conv_transpose %x, %tw {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : (tensor<1x8x32x32xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x64x64xf32>
  // CHECK: lowbit.max_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %4 = lowbit.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
      : (tensor<1x8x32x32xf32>) -> tensor<1x8x16x16xf32>
  // CHECK: lowbit.avg_pool %{{.*}} {count_include_pad = true
  %5 = lowbit.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = true}
      : (tensor<1x8x32x32xf32>) -> tensor<1x8x16x16xf32>
  return
}

// -----

// CHECK-LABEL: func @normalization
func.func @normalization(%x: tensor<2x8x64xf32>, %g: tensor<64xf32>, %s: tensor<8xf32>) {
  // CHECK: lowbit.softmax %{{.*}} {axis = -1 : i64} : tensor<2x8x64xf32>
  %0 = lowbit.softmax %x {axis = -1 : i64} : tensor<2x8x64xf32>
  // CHECK: lowbit.softmax %{{.*}} {axis = 2 : i64, log = true}
  %1 = lowbit.softmax %x {axis = 2 : i64, log = true} : tensor<2x8x64xf32>
  // CHECK: lowbit.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = -1 : i64, epsilon = 9.99999974E-6 : f32}
  %2 = lowbit.layer_norm %x, %g, %g {axis = -1 : i64, epsilon = 1.0e-05 : f32}
      : (tensor<2x8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
  // CHECK: lowbit.batch_norm
  %3 = lowbit.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-05 : f32}
      : (tensor<2x8x64xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8x64xf32>
  return
}

// -----

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<1x8x4x4xf32>) {
  // CHECK: lowbit.reduce_sum %{{.*}} {axes = array<i64: 2, 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  %0 = lowbit.reduce_sum %x {axes = array<i64: 2, 3>, keepdims = true} : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  // CHECK: lowbit.reduce_mean %{{.*}} {axes = array<i64: 1>, keepdims = false} : (tensor<1x8x4x4xf32>) -> tensor<1x4x4xf32>
  %1 = lowbit.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : (tensor<1x8x4x4xf32>) -> tensor<1x4x4xf32>
  // CHECK: lowbit.reduce_max
  %2 = lowbit.reduce_max %x {axes = array<i64: 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x1xf32>
  // CHECK: lowbit.reduce_min
  %3 = lowbit.reduce_min %x {axes = array<i64: 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x1xf32>
  // CHECK: lowbit.reduce_prod
  %4 = lowbit.reduce_prod %x {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x8x4x4xf32>) -> tensor<f32>
  // CHECK: lowbit.reduce_sum_square
  %5 = lowbit.reduce_sum_square %x {axes = array<i64: 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x1xf32>
  // CHECK: lowbit.reduce_l1
  %6 = lowbit.reduce_l1 %x {axes = array<i64: 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x1xf32>
  // CHECK: lowbit.reduce_l2
  %7 = lowbit.reduce_l2 %x {axes = array<i64: 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x1xf32>
  // CHECK: lowbit.reduce_log_sum_exp
  %8 = lowbit.reduce_log_sum_exp %x {axes = array<i64: 3>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x1xf32>
  // CHECK: lowbit.arg_max %{{.*}} {axis = 1 : i64, keepdims = false} : (tensor<1x8x4x4xf32>) -> tensor<1x4x4xi64>
  %9 = lowbit.arg_max %x {axis = 1 : i64, keepdims = false} : (tensor<1x8x4x4xf32>) -> tensor<1x4x4xi64>
  return
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<1x8x4x4xf32>, %t: tensor<2x8x4xf32>, %i: tensor<3xi64>, %r: tensor<1x4xf32>) {
  // CHECK: lowbit.reshape %{{.*}} : (tensor<1x8x4x4xf32>) -> tensor<1x128xf32>
  %0 = lowbit.reshape %x : (tensor<1x8x4x4xf32>) -> tensor<1x128xf32>
  // CHECK: lowbit.transpose %{{.*}} {perm = array<i64: 0, 2, 1>}
  %1 = lowbit.transpose %t {perm = array<i64: 0, 2, 1>} : (tensor<2x8x4xf32>) -> tensor<2x4x8xf32>
  // CHECK: lowbit.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x8x4xf32>, tensor<2x8x4xf32>) -> tensor<2x16x4xf32>
  %2 = lowbit.concat %t, %t {axis = 1 : i64} : (tensor<2x8x4xf32>, tensor<2x8x4xf32>) -> tensor<2x16x4xf32>
  // CHECK: lowbit.slice %{{.*}} {starts = array<i64: 0, 7, 1>, steps = array<i64: 1, -2, 2>}
  %3 = lowbit.slice %t {starts = array<i64: 0, 7, 1>, steps = array<i64: 1, -2, 2>} : (tensor<2x8x4xf32>) -> tensor<2x4x2xf32>
  // CHECK: lowbit.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x8x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  %4 = lowbit.gather %t, %i {axis = 1 : i64} : (tensor<2x8x4xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  // CHECK: lowbit.expand %{{.*}} : (tensor<1x4xf32>) -> tensor<3x4xf32>
  %5 = lowbit.expand %r : (tensor<1x4xf32>) -> tensor<3x4xf32>
  // CHECK: lowbit.tile %{{.*}} {repeats = array<i64: 2, 3>} : (tensor<1x4xf32>) -> tensor<2x12xf32>
  %6 = lowbit.tile %r {repeats = array<i64: 2, 3>} : (tensor<1x4xf32>) -> tensor<2x12xf32>
  // CHECK: lowbit.pad %{{.*}} {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.000000e+00 : f32}
  %7 = lowbit.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = "constant", value = 0.0 : f32} : (tensor<1x8x4x4xf32>) -> tensor<1x8x6x6xf32>
  // CHECK: lowbit.pad %{{.*}} {mode = "reflect", pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
  %8 = lowbit.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = "reflect"} : (tensor<1x8x4x4xf32>) -> tensor<1x8x6x6xf32>
  // CHECK: lowbit.resize %{{.*}} {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>}
  %9 = lowbit.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: lowbit.resize %{{.*}} {mode = "linear", scales
  %10 = lowbit.resize %x {mode = "linear", scales = array<f32: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: lowbit.resize %{{.*}} {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 1.000000e+01 : f32, mode = "linear", roi = array<f32: 0.000000e+00, 0.000000e+00, 4.000000e-01, 6.000000e-01, 1.000000e+00, 1.000000e+00, 1.200000e+00, 1.700000e+00>, scales = array<f32: 1.000000e+00, 1.000000e+00, 7.500000e-01, 7.500000e-01>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x3x3xf32>
  %r0 = lowbit.resize %x {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", roi = array<f32: 0.0, 0.0, 0.4, 0.6, 1.0, 1.0, 1.2, 1.7>, extrapolation_value = 10.0 : f32, scales = array<f32: 1.0, 1.0, 0.75, 0.75>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x3x3xf32>
  // CHECK: lowbit.resize %{{.*}} {coordinate_transformation_mode = "tf_half_pixel_for_nn", scales = array<f32: 1.000000e+00, 1.000000e+00, 7.500000e-01, 5.000000e-01>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x3x2xf32>
  %r1 = lowbit.resize %x {mode = "nearest", coordinate_transformation_mode = "tf_half_pixel_for_nn", scales = array<f32: 1.0, 1.0, 0.75, 0.5>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x3x2xf32>
  // CHECK: lowbit.cast %{{.*}} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xi64>
  %11 = lowbit.cast %x : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xi64>
  return
}

// -----

// CHECK-LABEL: func @quantization
func.func @quantization(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // CHECK: lowbit.quantize %{{.*}} : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01:3>>
  %q = lowbit.quantize %x : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32, 0.1:3>>
  // Per-axis along dimension 1.
  // CHECK: lowbit.quantize %{{.*}} : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01,4.000000e-01}>>
  %p = lowbit.quantize %x : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3, 0.4}>>
  // Sub-channel: blocks of 1 x 2.
  // CHECK: lowbit.quantize %{{.*}} : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i4:f32:{1:2}
  %s = lowbit.quantize %x : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i4:f32:{1:2}, {{0.1, 0.2}, {0.3, 0.4}}>>
  // CHECK: lowbit.requantize %{{.*}} : (tensor<2x4x!quant.uniform<i8:f32, 1.000000e-01:3>>) -> tensor<2x4x!quant.uniform<u8:f32, 2.000000e-01:128>>
  %r = lowbit.requantize %q : (tensor<2x4x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<2x4x!quant.uniform<u8:f32, 0.2:128>>
  // CHECK: lowbit.dequantize %{{.*}} : (tensor<2x4x!quant.uniform<u8:f32, 2.000000e-01:128>>) -> tensor<2x4xf32>
  %d = lowbit.dequantize %r : (tensor<2x4x!quant.uniform<u8:f32, 0.2:128>>) -> tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @max_pool_with_indices
func.func @max_pool_with_indices(%x: tensor<1x8x32x32xf32>) {
  // CHECK: lowbit.max_pool_with_indices %{{.*}} {{{.*}}storage_order = 1 : i64{{.*}}} : (tensor<1x8x32x32xf32>) -> (tensor<1x8x16x16xf32>, tensor<1x8x16x16xi64>)
  %0, %1 = lowbit.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, storage_order = 1 : i64}
      : (tensor<1x8x32x32xf32>) -> (tensor<1x8x16x16xf32>, tensor<1x8x16x16xi64>)
  return
}

// -----

// CHECK-LABEL: func @gather_scatter_family
func.func @gather_scatter_family(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>,
                                 %n: tensor<2x1xi64>) {
  // CHECK: lowbit.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %0 = lowbit.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  // CHECK: lowbit.gather_nd %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  %1 = lowbit.gather_nd %x, %n : (tensor<3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  // CHECK: lowbit.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, reduction = "add"} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %2 = lowbit.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  // CHECK: lowbit.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %3 = lowbit.scatter_nd %x, %n, %1 : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

// CHECK-LABEL: func @scan_and_select
func.func @scan_and_select(%x: tensor<3x4xf32>, %a: tensor<3xui8>, %b: tensor<3xui8>) {
  // CHECK: lowbit.cumsum %{{.*}} {axis = 1 : i64, exclusive = true, reverse = true} : tensor<3x4xf32>
  %0 = lowbit.cumsum %x {axis = 1 : i64, exclusive = true, reverse = true} : tensor<3x4xf32>
  // CHECK: lowbit.top_k %{{.*}} {axis = 1 : i64, largest = false} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  %1, %2 = lowbit.top_k %x {axis = 1 : i64, largest = false} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  // CHECK: lowbit.shift_left %{{.*}}, %{{.*}} : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  %3 = lowbit.shift_left %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  // CHECK: lowbit.shift_right %{{.*}}, %{{.*}} : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  %4 = lowbit.shift_right %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  // CHECK: lowbit.acos %{{.*}} : tensor<3x4xf32>
  %5 = lowbit.acos %x : tensor<3x4xf32>
  // CHECK: lowbit.asin %{{.*}} : tensor<3x4xf32>
  %6 = lowbit.asin %x : tensor<3x4xf32>
  // CHECK: lowbit.atan %{{.*}} : tensor<3x4xf32>
  %7 = lowbit.atan %x : tensor<3x4xf32>
  return
}

// -----

// CHECK-LABEL: func @quantized_qmm
func.func @quantized_qmm(%a: tensor<8x64x!quant.uniform<i8:f32, 0.05:-3>>, %w: tensor<64x2x!quant.uniform<i8:f32:1, {0.01, 0.02}>>, %b: tensor<2xi32>) -> tensor<8x2x!quant.uniform<i8:f32, 0.1:-128>> {
  // CHECK: lowbit.quantized_matmul %{{.*}}, %{{.*}}, %{{.*}} {activation = #lowbit.activation<relu>}
  %y = lowbit.quantized_matmul %a, %w, %b {activation = #lowbit.activation<relu>} : (tensor<8x64x!quant.uniform<i8:f32, 0.05:-3>>, tensor<64x2x!quant.uniform<i8:f32:1, {0.01, 0.02}>>, tensor<2xi32>) -> tensor<8x2x!quant.uniform<i8:f32, 0.1:-128>>
  return %y : tensor<8x2x!quant.uniform<i8:f32, 0.1:-128>>
}

// -----

// CHECK-LABEL: func @quantized_w4
func.func @quantized_w4(%x: tensor<8x4xf32>, %w: tensor<4x2x!quant.uniform<u4:f32:{0:2,1:1}, {{0.1, 0.2}, {0.3, 0.4}}>>) -> tensor<8x2xf32> {
  // CHECK: lowbit.quantized_matmul %{{.*}}, %{{.*}} {weight_codebook = #lowbit.codebook<nf4>}
  %y = lowbit.quantized_matmul %x, %w {weight_codebook = #lowbit.codebook<nf4>} : (tensor<8x4xf32>, tensor<4x2x!quant.uniform<u4:f32:{0:2,1:1}, {{0.1, 0.2}, {0.3, 0.4}}>>) -> tensor<8x2xf32>
  // CHECK: lowbit.dequantize %{{.*}} {codebook = #lowbit.codebook<nf4>}
  %d = lowbit.dequantize %w {codebook = #lowbit.codebook<nf4>} : (tensor<4x2x!quant.uniform<u4:f32:{0:2,1:1}, {{0.1, 0.2}, {0.3, 0.4}}>>) -> tensor<4x2xf32>
  return %y : tensor<8x2xf32>
}

// -----

// CHECK-LABEL: func @quantized_conv
func.func @quantized_conv(%x: tensor<1x8x16x16x!quant.uniform<i8:f32, 0.02:4>>, %w: tensor<16x8x3x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x16x16x16xf32> {
  // CHECK: lowbit.quantized_conv %{{.*}}, %{{.*}} {activation = #lowbit.activation<clip>, clip_max = 6.000000e+00 : f32, clip_min = 0.000000e+00 : f32
  %y = lowbit.quantized_conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = #lowbit.activation<clip>, clip_min = 0.0 : f32, clip_max = 6.0 : f32} : (tensor<1x8x16x16x!quant.uniform<i8:f32, 0.02:4>>, tensor<16x8x3x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x16x16x16xf32>
  return %y : tensor<1x16x16x16xf32>
}
