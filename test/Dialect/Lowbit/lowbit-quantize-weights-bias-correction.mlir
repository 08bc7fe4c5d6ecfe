// RUN: quant-opt %s --lowbit-quantize-weights="scheme=w8a8 stats=%S/Inputs/quantize-weights-bias-correction-stats.json" 2>&1 | FileCheck %s
// RUN: quant-opt %s --lowbit-quantize-weights="scheme=w4a16-g2 group-fallback=per-channel stats=%S/Inputs/quantize-weights-bias-correction-stats.json" 2>&1 | FileCheck %s --check-prefix=INT4
// RUN: quant-opt %s --lowbit-quantize-weights="scheme=w8a8 stats=%S/Inputs/quantize-weights-bias-correction-stats.json bias-correction=false" 2>&1 | FileCheck %s --check-prefix=OFF
// RUN: quant-opt %s --lowbit-quantize-weights="scheme=w8a8" 2>&1 | FileCheck %s --check-prefix=OFF
// RUN: quant-opt %s --lowbit-quantize-weights="scheme=w8a8 stats=%S/Inputs/quantize-weights-bias-correction-stats.json" --lowbit-quantize 2>/dev/null | FileCheck %s --check-prefix=FOLD

// Bias correction: weight rounding shifts each output channel's mean by
// sum (Wq - W)[o, i] * E[x_i]; the pass subtracts that from the bias, using
// the input channel means of the stats file (channel_sum / channel_count).
// The expected biases were computed independently (numpy: the int8/int4
// symmetric rounding, the shift in float64, the bias rounded to float32).

// Layers whose input statistics have no sums, or no statistics, keep their
// bias, with a warning.
// CHECK: warning: {{.*}}layer 'missing': bias not corrected: stats file '{{.*}}quantize-weights-bias-correction-stats.json' has no statistics for its input
// CHECK: warning: stats file '{{.*}}quantize-weights-bias-correction-stats.json' has no per-channel sums for the inputs of 1 layer(s) (first 'old'): their biases are not corrected; recalibrate to collect them
// OFF-NOT: warning

// A conv with a bias: b - shift, shift[o] over the input channels and the
// kernel window. Means 0.75, -0.375.
// CHECK-LABEL: func @conv
// CHECK: %[[B:.+]] = lowbit.constant dense<[0.499763846, -0.248730317]> : tensor<2xf32>
// CHECK: lowbit.conv %{{.*}}, %{{.*}}, %[[B]] {{.*}}lowbit.layer = "conv"
// INT4-LABEL: func @conv
// INT4: %[[B:.+]] = lowbit.constant dense<[0.576071441, -0.273035705]> : tensor<2xf32>
// INT4: lowbit.conv %{{.*}}, %{{.*}}, %[[B]]
// OFF-LABEL: func @conv
// OFF: lowbit.constant dense<[5.000000e-01, -2.500000e-01]> : tensor<2xf32>
// FOLD-LABEL: func @conv
// FOLD: lowbit.quantized_conv
func.func @conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x3xf32> {
  %w = lowbit.constant dense<[[[[0.3, -0.71]], [[0.52, 0.9]]], [[[-0.43, 0.11]], [[0.27, -0.05]]]]> : tensor<2x2x1x2xf32>
  %b = lowbit.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %y = lowbit.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x2xf32>, tensor<2xf32>) -> tensor<1x2x4x3xf32> loc("conv")
  return %y : tensor<1x2x4x3xf32>
}

// A depthwise conv without a bias gets one: -shift, each output channel
// reading its own input channel (means 2.09375, 0.453125). Padding one
// column on the left, the first kernel column reads padding at one output
// column of four: its taps count 3/4.
// CHECK-LABEL: func @depthwise
// CHECK: %[[B:.+]] = lowbit.constant dense<[-0.00440184772, -1.57879869E-4]> : tensor<2xf32>
// CHECK: lowbit.conv %{{.*}}, %{{.*}}, %[[B]] {{.*}}group = 2
// INT4-LABEL: func @depthwise
// INT4: %[[B:.+]] = lowbit.constant dense<[-0.0520446561, -0.00131082605]> : tensor<2xf32>
// OFF-LABEL: func @depthwise
// OFF-NOT: lowbit.constant {{.*}}tensor<2xf32>
// OFF: lowbit.conv %{{.*}}, %{{.*}} {
func.func @depthwise(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = lowbit.constant dense<[[[[0.613, -0.2]]], [[[0.05, 0.377]]]]> : tensor<2x1x1x2xf32>
  %y = lowbit.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 0>, group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x4x4xf32> loc("dw")
  return %y : tensor<1x2x4x4xf32>
}

// A matmul [K, N] without a bias: an add of -shift after it, which
// lowbit-quantize folds into the kernel's bias. Means 1, -2, 0.5 (+ 2^-41),
// 0.25.
// CHECK-LABEL: func @matmul
// CHECK: %[[Y:.+]] = lowbit.matmul {{.*}}lowbit.layer = "fc"
// CHECK: %[[B:.+]] = lowbit.constant dense<[0.00128149241, -3.52375209E-4]> : tensor<2xf32>
// CHECK: %[[Z:.+]] = lowbit.add %[[Y]], %[[B]]
// CHECK: return %[[Z]]
// INT4-LABEL: func @matmul
// INT4: lowbit.constant dense<[-0.0253214315, -0.0645715818]> : tensor<2xf32>
// OFF-LABEL: func @matmul
// OFF-NOT: lowbit.add
// FOLD-LABEL: func @matmul
// FOLD: %[[Y:.+]] = lowbit.quantized_matmul {{.*}}, %{{.*}}, %{{.*}} {
// FOLD-NOT: lowbit.add
// FOLD: return %[[Y]]
func.func @matmul(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = lowbit.constant dense<[[0.41, -0.33], [0.07, 0.95], [-0.6, 0.21], [0.333, -0.777]]> : tensor<4x2xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32> loc("fc")
  return %y : tensor<2x2xf32>
}

// A matmul followed by the add of a constant bias: that constant becomes
// b - shift. Means 0.25, 1.5, -0.5, 1.
// CHECK-LABEL: func @matmul_add
// CHECK: %[[B:.+]] = lowbit.constant dense<[0.126251608, -0.999216914]> : tensor<2xf32>
// CHECK: %[[Y:.+]] = lowbit.matmul {{.*}}lowbit.layer = "fc_add"
// CHECK: lowbit.add %[[Y]], %[[B]]
// CHECK-NOT: lowbit.add
// INT4-LABEL: func @matmul_add
// INT4: lowbit.constant dense<[0.137385726, -1.0146929]> : tensor<2xf32>
// OFF-LABEL: func @matmul_add
// OFF: lowbit.constant dense<[1.250000e-01, -1.000000e+00]> : tensor<2xf32>
func.func @matmul_add(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = lowbit.constant dense<[[0.697, -0.561], [0.119, 1.615], [-1.02, 0.357], [0.5661, -1.3209]]> : tensor<4x2xf32>
  %b = lowbit.constant dense<[0.125, -1.0]> : tensor<2xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32> loc("fc_add")
  %z = lowbit.add %y, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %z : tensor<2x2xf32>
}

// gemm with transB, alpha 2 and beta 0.5: C - alpha * shift / beta, the
// shift summed over K of B [N, K]. Means 0.5, 0.75, -1.5, 0.3125.
// CHECK-LABEL: func @gemm_transposed
// CHECK: %[[C:.+]] = lowbit.constant dense<[0.271427214, 0.734645724]> : tensor<2xf32>
// CHECK: lowbit.gemm %{{.*}}, %{{.*}}, %[[C]] {{.*}}lowbit.layer = "gemm_t"
// INT4-LABEL: func @gemm_transposed
// INT4: lowbit.constant dense<[0.113750048, 1.03285706]> : tensor<2xf32>
func.func @gemm_transposed(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = lowbit.constant dense<[[0.2, -0.9, 0.45, 0.111], [0.6, 0.38, -0.17, 0.99]]> : tensor<2x4xf32>
  %c = lowbit.constant dense<[0.25, 0.75]> : tensor<2xf32>
  %y = lowbit.gemm %x, %w, %c {transB = true, alpha = 2.0 : f32, beta = 0.5 : f32} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<2x2xf32> loc("gemm_t")
  return %y : tensor<2x2xf32>
}

// gemm without C gets one. Means -0.5, 1.25, 0.375, 2.
// CHECK-LABEL: func @gemm_no_c
// CHECK: %[[C:.+]] = lowbit.constant dense<[0.00575787202, -0.00300197629]> : tensor<2xf32>
// CHECK: lowbit.gemm %{{.*}}, %{{.*}}, %[[C]] {{.*}}lowbit.layer = "gemm_noc"
// INT4-LABEL: func @gemm_no_c
// INT4: lowbit.constant dense<[0.0433928668, 0.00446427194]> : tensor<2xf32>
func.func @gemm_no_c(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = lowbit.constant dense<[[0.81, -0.4], [0.123, 0.5], [-0.99, 0.05], [0.3, 0.7]]> : tensor<4x2xf32>
  %y = lowbit.gemm %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32> loc("gemm_noc")
  return %y : tensor<2x2xf32>
}

// Statistics without sums (an older stats file), or none: unchanged.
// CHECK-LABEL: func @uncorrected
// CHECK-NOT: lowbit.add
// CHECK: return
func.func @uncorrected(%x: tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = lowbit.constant dense<[[0.41, -0.33], [0.07, 0.95], [-0.6, 0.21], [0.333, -0.777]]> : tensor<4x2xf32>
  %y = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32> loc("old")
  %z = lowbit.matmul %x, %w : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32> loc("missing")
  return %y, %z : tensor<2x2xf32>, tensor<2x2xf32>
}
