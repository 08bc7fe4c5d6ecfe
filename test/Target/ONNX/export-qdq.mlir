// RUN: quant-translate --export-qdq %s -o %t.onnx
// RUN: %python %S/Inputs/dump_onnx.py %t.onnx | FileCheck %s

// A quantized conv with a requantized, relu-fused result, then a reshape on
// int8 and a weight-only... per-channel int8 matmul with a float result:
// each becomes the QDQ pattern ONNX Runtime fuses.

// CHECK: opset ai.onnx:17
// CHECK: input x FLOAT
func.func @main(%x: tensor<1x2x4x4xf32> {lowbit.name = "x"}) -> (tensor<1x3xf32> {lowbit.name = "y"}) {
  // CHECK: node QuantizeLinear ['x', 'conv1_input_scale', 'conv1_input_zero_point'] -> ['conv1_input']
  %q = lowbit.quantize %x : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.05:-3>> loc("conv1_input")
  %w = lowbit.constant dense<[[[[1]], [[-2]]], [[[3]], [[4]]], [[[-5]], [[6]]]]> : tensor<3x2x1x1xi8> loc("conv1_w")
  %wq = quant.scast %w : tensor<3x2x1x1xi8> to tensor<3x2x1x1x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>
  %b = lowbit.constant dense<[10, -20, 30]> : tensor<3xi32> loc("conv1_b")
  // CHECK: node DequantizeLinear ['conv1_input', {{.*}}] -> ['conv1_input_dequantized']
  // CHECK: node DequantizeLinear ['conv1_w', 'conv1_weight_scale', 'conv1_weight_zero_point'] -> ['conv1_weight_dequantized'] axis=0
  // CHECK: node DequantizeLinear ['conv1_b', 'conv1_bias_scale', 'conv1_bias_zero_point'] -> ['conv1_bias_dequantized'] axis=0
  // CHECK: node Conv ['conv1_input_dequantized', 'conv1_weight_dequantized', 'conv1_bias_dequantized'] -> ['conv1_conv'] strides=[1, 1] dilations=[1, 1] pads=[0, 0, 0, 0] group=1
  // CHECK: node Relu ['conv1_conv'] -> ['conv1_relu']
  // CHECK: node QuantizeLinear ['conv1_relu', 'conv1_scale', 'conv1_zero_point'] -> ['conv1']
  %c = lowbit.quantized_conv %q, %wq, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = #lowbit.activation<relu>} : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.05:-3>>, tensor<3x2x1x1x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>, tensor<3xi32>) -> tensor<1x3x4x4x!quant.uniform<i8:f32, 0.2:-128>> loc("conv1")
  // CHECK: node Reshape ['conv1', 'flatten_shape'] -> ['flatten']
  %r = lowbit.reshape %c : (tensor<1x3x4x4x!quant.uniform<i8:f32, 0.2:-128>>) -> tensor<1x48x!quant.uniform<i8:f32, 0.2:-128>> loc("flatten")
  %m = lowbit.constant dense<1> : tensor<48x3xi8> loc("fc_w")
  %mq = quant.scast %m : tensor<48x3xi8> to tensor<48x3x!quant.uniform<i8:f32:1, {0.01, 0.02, 0.03}>>
  // CHECK: node DequantizeLinear ['fc_w', 'fc_weight_scale', 'fc_weight_zero_point'] -> ['fc_weight_dequantized'] axis=1
  // CHECK: node MatMul ['fc_input_dequantized', 'fc_weight_dequantized'] -> ['y']
  %y = lowbit.quantized_matmul %r, %mq : (tensor<1x48x!quant.uniform<i8:f32, 0.2:-128>>, tensor<48x3x!quant.uniform<i8:f32:1, {0.01, 0.02, 0.03}>>) -> tensor<1x3xf32> loc("fc")
  // CHECK: output y FLOAT
  return %y : tensor<1x3xf32>
}
