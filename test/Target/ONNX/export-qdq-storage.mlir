// RUN: rm -rf %t && mkdir -p %t
// RUN: quant-translate --export-qdq %s -o %t/model.onnx
// RUN: %python %S/Inputs/dump_onnx.py %t/model.onnx | FileCheck %s
// ONNX Runtime on the export computes what our compiled graph computes.
// RUN: %python %S/Inputs/random_npy.py %t/x.npy 1,4,3,3 --seed 0 --scale 3
// RUN: %ort_run %t/model.onnx --input x=%t/x.npy --output-dir %t/ort
// RUN: quant-compile %s -o %t/art
// RUN: quant-run %t/art --input x=%t/x.npy --expected y=%t/ort/y.npy --expected conv_codes=%t/ort/conv_codes.npy --rtol 0 --atol 0 | FileCheck %s --check-prefix=EXACT
// EXACT-COUNT-2: ok
// ORT's extended graph optimizations rewrite the weight-only
// DequantizeLinear -> MatMul into a kernel that is about 1% off here (with
// them off it matches to float rounding); a storage bug (the signed
// reading of the u4 codes) would be off by ~15.
// RUN: quant-run %t/art --input x=%t/x.npy --expected z=%t/ort/z.npy --rtol 0 --atol 0.05 | FileCheck %s --check-prefix=CLOSE
// CLOSE: ok

// Storage the QDQ form must get right: unsigned weights (ONNX wants the
// uint8 storage of the zero point's type; storage is signless, so the u8
// code 255 is written -1), 4-bit codes from a blob widened to a byte, a
// narrow result range (i8<-127:127>: QuantizeLinear saturates at
// -128, a Clip on the integers clamps to -127), data movement and requantize
// on quantized tensors, and graph outputs that are a dequantize or a
// storage cast, which keep their names.

// CHECK: opset ai.onnx:17
// CHECK: input x FLOAT
// CHECK: initializer conv_w uint8 [2, 4, 1, 1] {{\[\[\[\[}}130]], {{\[\[}}200]], {{\[\[}}255]], {{\[\[}}0]]], {{\[\[\[}}90]], {{\[\[}}128]], {{\[\[}}200]], {{\[\[}}17]]]]
// CHECK: initializer conv_weight_zero_point uint8 [2] [128, 120]
// CHECK: initializer conv_min int8 [] -127
// CHECK: initializer conv_max int8 [] 127
// CHECK: initializer fc_w uint8 [4, 2] {{\[\[}}7, 8], [15, 1], [9, 3], [0, 15]]
// CHECK: initializer fc_weight_zero_point uint8 [2] [8, 7]
func.func @main(%x: tensor<1x4x3x3xf32> {lowbit.name = "x"})
    -> (tensor<1x4x3x3xf32> {lowbit.name = "y"},
        tensor<1x2x3x3xi8> {lowbit.name = "conv_codes"},
        tensor<1x3x2xf32> {lowbit.name = "z"}) {
  // CHECK: node QuantizeLinear ['x', 'conv_input_scale', 'conv_input_zero_point'] -> ['conv_input']
  %q = lowbit.quantize %x : (tensor<1x4x3x3xf32>) -> tensor<1x4x3x3x!quant.uniform<u8:f32, 0.05:128>> loc("conv_input")
  %w = lowbit.constant dense<[[[[130]], [[200]], [[-1]], [[0]]], [[[90]], [[128]], [[-56]], [[17]]]]> : tensor<2x4x1x1xi8> loc("conv_w")
  %wq = quant.scast %w : tensor<2x4x1x1xi8> to tensor<2x4x1x1x!quant.uniform<u8:f32:0, {0.01:128, 0.02:120}>>
  // CHECK: node DequantizeLinear ['conv_w', 'conv_weight_scale', 'conv_weight_zero_point'] -> ['conv_weight_dequantized'] axis=0
  // CHECK: node Conv ['conv_input_dequantized', 'conv_weight_dequantized'] -> ['conv_conv']
  // CHECK: node QuantizeLinear ['conv_conv', 'conv_scale', 'conv_zero_point'] -> ['conv_unclamped']
  // CHECK: node Clip ['conv_unclamped', 'conv_min', 'conv_max'] -> ['conv']
  %c = lowbit.quantized_conv %q, %wq {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x3x3x!quant.uniform<u8:f32, 0.05:128>>, tensor<2x4x1x1x!quant.uniform<u8:f32:0, {0.01:128, 0.02:120}>>) -> tensor<1x2x3x3x!quant.uniform<i8<-127:127>:f32, 0.1>> loc("conv")
  // CHECK: node Transpose ['conv'] -> ['flip'] perm=[0, 1, 3, 2]
  %t = lowbit.transpose %c {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x3x3x!quant.uniform<i8<-127:127>:f32, 0.1>>) -> tensor<1x2x3x3x!quant.uniform<i8<-127:127>:f32, 0.1>> loc("flip")
  // CHECK: node Concat ['conv', 'flip'] -> ['cat'] axis=1
  %cat = lowbit.concat %c, %t {axis = 1 : i64} : (tensor<1x2x3x3x!quant.uniform<i8<-127:127>:f32, 0.1>>, tensor<1x2x3x3x!quant.uniform<i8<-127:127>:f32, 0.1>>) -> tensor<1x4x3x3x!quant.uniform<i8<-127:127>:f32, 0.1>> loc("cat")
  // CHECK: node DequantizeLinear ['cat', 'requant_scale', 'requant_zero_point'] -> ['requant_dequantized']
  // CHECK: node QuantizeLinear ['requant_dequantized', 'requant_scale_1', 'requant_zero_point_1'] -> ['requant']
  %r = lowbit.requantize %cat : (tensor<1x4x3x3x!quant.uniform<i8<-127:127>:f32, 0.1>>) -> tensor<1x4x3x3x!quant.uniform<u8:f32, 0.3:100>> loc("requant")
  // CHECK: node DequantizeLinear ['requant', 'y_dq_scale', 'y_dq_zero_point'] -> ['y']
  %y = lowbit.dequantize %r : (tensor<1x4x3x3x!quant.uniform<u8:f32, 0.3:100>>) -> tensor<1x4x3x3xf32> loc("y_dq")
  %codes = quant.scast %c : tensor<1x2x3x3x!quant.uniform<i8<-127:127>:f32, 0.1>> to tensor<1x2x3x3xi8>
  %s = lowbit.slice %x {starts = array<i64: 0, 0, 0, 0>, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x3x1xf32> loc("col")
  %f = lowbit.reshape %s : (tensor<1x4x3x1xf32>) -> tensor<1x3x4xf32> loc("rows")
  // Sub-byte blobs hold a code per byte, here zero-extended (u4).
  %m = lowbit.constant dense_resource<fc_w_q> : tensor<4x2xi4> loc("fc_w")
  %mq = quant.scast %m : tensor<4x2xi4> to tensor<4x2x!quant.uniform<u4:f32:1, {0.1:8, 0.05:7}>>
  // CHECK: node DequantizeLinear ['fc_w', 'fc_weight_scale', 'fc_weight_zero_point'] -> ['fc_weight_dequantized'] axis=1
  // CHECK: node MatMul ['rows', 'fc_weight_dequantized'] -> ['z']
  %z = lowbit.quantized_matmul %f, %mq : (tensor<1x3x4xf32>, tensor<4x2x!quant.uniform<u4:f32:1, {0.1:8, 0.05:7}>>) -> tensor<1x3x2xf32> loc("fc")
  // CHECK: node Identity ['conv'] -> ['conv_codes']
  // CHECK: output y FLOAT
  // CHECK: output conv_codes INT8
  // CHECK: output z FLOAT
  return %y, %codes, %z : tensor<1x4x3x3xf32>, tensor<1x2x3x3xi8>, tensor<1x3x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      fc_w_q: "0x0400000007080F010903000F"
    }
  }
#-}
