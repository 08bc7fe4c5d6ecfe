//===- Passes.td - lowbit graph transformations ------------*- tablegen -*-===//

#ifndef LOWBIT_TRANSFORMS_PASSES_TD
#define LOWBIT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowbitFoldBatchNormPass : Pass<"lowbit-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "Fold inference batch normalization into the preceding conv";
  let description = [{
    `batch_norm(conv(x, W, b))` with constant parameters becomes
    `conv(x, W * s, (b - mean) * s + beta)` where
    `s = gamma / sqrt(var + epsilon)` per output channel. The conv must have
    no other users. Remaining batch norms stay for the lowering.
  }];
  let dependentDialects = ["lowbit::LowbitDialect"];
}

def LowbitQuantizePass : Pass<"lowbit-quantize", "mlir::ModuleOp"> {
  let summary = "Insert activation quantization and fold Q/DQ into quantized ops";
  let description = [{
    Two phases.

    **Insertion** (only with `scheme` or `recipe`). For every quantizable
    layer (see QuantizableLayers.h) whose resolved scheme quantizes
    activations statically (w8a8, w4a8, ternary, fp8), the activation range
    is chosen from the `<layer>:input` statistics of the `stats` file by the
    observer (the `observer` option, else the recipe's)
    and `dequantize(quantize(x))` is inserted on the activation operand.
    When a static layer's result (after a fusible bias add / relu / clip)
    reaches only static layers' activation operands, possibly through
    reshape, transpose, slice, concat or max pool, with one set of
    parameters, `quantize -> dequantize` with those parameters is also
    inserted on its output, so that folding chains integer kernels. Dynamic
    schemes mark the layer `lowbit.dynamic_activations`; weight-only schemes
    insert nothing; float layers are marked `lowbit.scheme = "float"` and
    left alone.

    **Folding** (always; also how imported ONNX QDQ models are lowered):

    * `conv/matmul/gemm(dequantize(a), dequantize(w))` becomes
      `quantized_conv/quantized_matmul` with a float result (integer
      kernel, when `w` has one scale per output channel); a float
      activation, or weights grouped along the reduction, give a
      weight-only kernel (codebooks carried over); gemm with `transB` gets
      its constant weights transposed.
    * a bias (conv bias, gemm `C`, or a following `add` of a constant
      per-output-channel vector, float or `dequantize`d i32) becomes the op's
      `bias`: `roundHalfToEven(b / (s_a * s_w[c]))` in i32 for integer
      kernels (an i32 bias whose scale is already `s_a * s_w[c]` is taken
      as is), float for weight-only ones;
    * a following `relu` / `clip` becomes the op's `activation`;
    * `quantize(quantized_op)` gives the op a quantized result;
    * `quantize(dequantize(x))` becomes `x` or `requantize(x)`;
    * `dequantize` moves past reshape, transpose, slice and concat of
      per-tensor quantized values so they move integers.

    Folded graphs compute exactly what the Q/DQ graph computes under the
    ONNX QDQ integer contract. Anything else stays float.
  }];
  let options = [
    Option<"scheme", "scheme", "std::string", /*default=*/"\"\"",
           "Preset applied to every layer (w8a8, w4a16-g128, nf4, ...)">,
    Option<"recipe", "recipe", "std::string", /*default=*/"\"\"",
           "Recipe file (JSON or YAML); wins over `scheme`">,
    Option<"stats", "stats", "std::string", /*default=*/"\"\"",
           "Calibration statistics file (JSON) for static activations">,
    Option<"observer", "observer", "std::string", /*default=*/"\"\"",
           "Range method overriding the recipe's: minmax, percentile[:P], "
           "mse, entropy">
  ];
  let dependentDialects = ["lowbit::LowbitDialect",
                           "mlir::quant::QuantDialect"];
}

def LowbitQuantizeWeightsPass : Pass<"lowbit-quantize-weights", "mlir::ModuleOp"> {
  let summary = "Quantize the constant weights of quantizable layers (RTN)";
  let description = [{
    For every quantizable layer whose resolved scheme is not `float`, the
    constant weight is rounded to the scheme's format and replaced by
    `dequantize(quant.scast(constant storage))`, so the function is
    preserved up to weight rounding and `lowbit-quantize` can fold it:

    * int: per output channel (conv axis 0, matmul `[K, N]` axis N, gemm
      `B` per output channel respecting `transB`), per tensor, or in groups
      along the reduction dimension (sub-channel type), symmetric or with
      zero points; 4-bit weights use `i4`/`u4` storage;
    * `nf4`: `u4` codes with `codebook = #lowbit.codebook<nf4>` and per-group
      absmax scales in a sub-channel type;
    * `fp8_e4m3`: `u8` bit patterns with `codebook =
      #lowbit.codebook<fp8_e4m3fn>` and one per-tensor scale;
    * `ternary`: BitNet b1.58 absmean codes in `i8<-1:1>` storage.

    A group size that does not divide the reduction dimension is an error
    naming the layer; with `group-fallback=per-channel` the layer gets
    per-channel weights and a warning instead. Each layer is stamped with
    `lowbit.layer` (its name) and `lowbit.scheme` (the scheme's name).

    With `stats=<file>` (calibration statistics with per-channel sums of
    the `<layer>:input` activations), bias correction (Nagel et al.,
    "Data-Free Quantization", the empirical variant) removes the mean
    shift weight rounding causes: per output channel the bias is lowered
    by `sum (Wq - W)[o, c, k] * E[x_c]` over the input channels of the
    output channel's group and the kernel window (padding ignored), or
    `sum_k (Wq - W)[k, n] * E[x_k]` for matmul and gemm. A conv without
    bias gets one; a matmul gets an `add` of a constant that folding turns
    into the kernel's bias. `bias-correction=false` turns it off.
  }];
  let options = [
    Option<"scheme", "scheme", "std::string", /*default=*/"\"\"",
           "Preset applied to every layer (w8a8, w4a16-g128, nf4, ...)">,
    Option<"recipe", "recipe", "std::string", /*default=*/"\"\"",
           "Recipe file (JSON or YAML); wins over `scheme`">,
    Option<"groupFallback", "group-fallback", "std::string",
           /*default=*/"\"error\"",
           "When a group size does not divide the reduction dimension: "
           "error, or per-channel (with a warning)">,
    Option<"stats", "stats", "std::string", /*default=*/"\"\"",
           "Calibration statistics file (JSON) whose per-channel input "
           "means drive bias correction">,
    Option<"biasCorrection", "bias-correction", "bool", /*default=*/"true",
           "Correct each quantized layer's bias for the mean shift of its "
           "weight rounding (needs `stats`)">
  ];
  let dependentDialects = ["lowbit::LowbitDialect",
                           "mlir::quant::QuantDialect"];
}

#endif // LOWBIT_TRANSFORMS_PASSES_TD
