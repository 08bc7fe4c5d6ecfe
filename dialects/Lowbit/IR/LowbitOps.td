//===- LowbitOps.td - lowbit graph operations --------------*- tablegen -*-===//

#ifndef LOWBIT_OPS_TD
#define LOWBIT_OPS_TD

include "dialects/Lowbit/IR/LowbitAttrs.td"
include "dialects/Lowbit/IR/LowbitDialect.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Dialect/Quant/IR/QuantBase.td"

class Lowbit_Op<string mnemonic, list<Trait> traits = []>
    : Op<Lowbit_Dialect, mnemonic, traits>;

// Float or quantized tensors: most graph ops accept both so that the
// quantizer can retype them in place.
def Lowbit_Tensor : RankedTensorOf<[AnyType]>;
def Lowbit_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Lowbit_QuantTensor : RankedTensorOf<[quant_QuantizedType]>;
def Lowbit_IndexTensor : RankedTensorOf<[I32, I64]>;
def Lowbit_BoolTensor : RankedTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Lowbit_ConstantOp : Lowbit_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "Constant tensor (weights or folded values)";
  let description = [{
    Weights and folded constants. Large weights are `dense_resource` blobs so
    they are never printed or parsed as text.

    ```mlir
    %w = lowbit.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %big = lowbit.constant dense_resource<conv1_weight> : tensor<64x3x3x3xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (ONNX multidirectional broadcasting)
//===----------------------------------------------------------------------===//

class Lowbit_BinaryOp<string mnemonic, list<Trait> traits = []>
    : Lowbit_Op<mnemonic, !listconcat([Pure, ResultsBroadcastableShape],
                                      traits)> {
  let arguments = (ins Lowbit_Tensor:$lhs, Lowbit_Tensor:$rhs);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let description = [{
    Elementwise with numpy-style (ONNX multidirectional) broadcasting: the
    result shape is the broadcast of both operand shapes.

    ```mlir
    %r = lowbit.}] # mnemonic # [{ %a, %b : (tensor<1x8x4xf32>, tensor<4xf32>) -> tensor<1x8x4xf32>
    ```
  }];
}

class Lowbit_ArithBinaryOp<string mnemonic, list<Trait> traits = []>
    : Lowbit_BinaryOp<mnemonic, !listconcat(traits, [SameOperandsElementType,
                                                     SameOperandsAndResultElementType])>;

def Lowbit_AddOp : Lowbit_ArithBinaryOp<"add", [Commutative]> {
  let summary = "Elementwise addition";
  let hasFolder = 1;
}
def Lowbit_SubOp : Lowbit_ArithBinaryOp<"sub"> {
  let summary = "Elementwise subtraction";
}
def Lowbit_MulOp : Lowbit_ArithBinaryOp<"mul", [Commutative]> {
  let summary = "Elementwise multiplication";
  let hasFolder = 1;
}
def Lowbit_DivOp : Lowbit_ArithBinaryOp<"div"> {
  let summary = "Elementwise division (integers truncate toward zero)";
}
def Lowbit_PowOp : Lowbit_BinaryOp<"pow"> {
  let summary = "Elementwise power; the exponent may have another type";
}
def Lowbit_MaxOp : Lowbit_ArithBinaryOp<"max", [Commutative]> {
  let summary = "Elementwise maximum (NaN-propagating for floats)";
}
def Lowbit_MinOp : Lowbit_ArithBinaryOp<"min", [Commutative]> {
  let summary = "Elementwise minimum (NaN-propagating for floats)";
}
def Lowbit_ModOp : Lowbit_ArithBinaryOp<"mod"> {
  let summary = "Elementwise remainder";
  let description = [{
    `fmod = true` gives C `fmod` semantics (sign of the dividend); otherwise
    the integer remainder takes the sign of the divisor, as ONNX `Mod`.
  }];
  let arguments = (ins Lowbit_Tensor:$lhs, Lowbit_Tensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$fmod);
}

def Lowbit_ShiftLeftOp : Lowbit_ArithBinaryOp<"shift_left"> {
  let summary = "Elementwise logical shift left of integers (ONNX BitShift)";
  let description = [{
    `lhs << rhs` with broadcasting; a shift by the bit width or more gives 0.

    ```mlir
    %r = lowbit.shift_left %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
    ```
  }];
  let hasVerifier = 1;
}
def Lowbit_ShiftRightOp : Lowbit_ArithBinaryOp<"shift_right"> {
  let summary = "Elementwise shift right of integers (ONNX BitShift)";
  let description = [{
    `lhs >> rhs` with broadcasting: logical for unsigned element types,
    arithmetic for signed ones; a shift by the bit width or more gives 0
    (or -1 for a negative signed value).

    ```mlir
    %r = lowbit.shift_right %a, %b : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
    ```
  }];
  let hasVerifier = 1;
}

class Lowbit_CompareOp<string mnemonic>
    : Lowbit_BinaryOp<mnemonic, [SameOperandsElementType]> {
  let results = (outs Lowbit_BoolTensor:$output);
}
def Lowbit_EqualOp : Lowbit_CompareOp<"equal"> {
  let summary = "Elementwise equality, i1 result";
}
def Lowbit_LessOp : Lowbit_CompareOp<"less"> {
  let summary = "Elementwise less-than, i1 result";
}
def Lowbit_LessEqualOp : Lowbit_CompareOp<"less_equal"> {
  let summary = "Elementwise less-or-equal, i1 result";
}
def Lowbit_GreaterOp : Lowbit_CompareOp<"greater"> {
  let summary = "Elementwise greater-than, i1 result";
}
def Lowbit_GreaterEqualOp : Lowbit_CompareOp<"greater_equal"> {
  let summary = "Elementwise greater-or-equal, i1 result";
}

class Lowbit_LogicalOp<string mnemonic>
    : Lowbit_BinaryOp<mnemonic, [Commutative]> {
  let arguments = (ins Lowbit_BoolTensor:$lhs, Lowbit_BoolTensor:$rhs);
  let results = (outs Lowbit_BoolTensor:$output);
}
def Lowbit_AndOp : Lowbit_LogicalOp<"and"> { let summary = "Logical and"; }
def Lowbit_OrOp : Lowbit_LogicalOp<"or"> { let summary = "Logical or"; }
def Lowbit_XorOp : Lowbit_LogicalOp<"xor"> { let summary = "Logical xor"; }

def Lowbit_WhereOp : Lowbit_Op<"where", [Pure, ResultsBroadcastableShape]> {
  let summary = "Elementwise select with broadcasting";
  let description = [{
    `output = condition ? lhs : rhs`, all three broadcast together.

    ```mlir
    %r = lowbit.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Lowbit_BoolTensor:$condition, Lowbit_Tensor:$lhs,
                       Lowbit_Tensor:$rhs);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class Lowbit_UnaryOp<string mnemonic, list<Trait> traits = []>
    : Lowbit_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType],
                                      traits)> {
  let arguments = (ins Lowbit_Tensor:$input);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let description = [{
    Elementwise; the result has the operand's type.

    ```mlir
    %r = lowbit.}] # mnemonic # [{ %x : tensor<1x16xf32>
    ```
  }];
}

def Lowbit_AcosOp : Lowbit_UnaryOp<"acos"> { let summary = "Arc cosine"; }
def Lowbit_AsinOp : Lowbit_UnaryOp<"asin"> { let summary = "Arc sine"; }
def Lowbit_AtanOp : Lowbit_UnaryOp<"atan"> { let summary = "Arc tangent"; }
def Lowbit_AbsOp : Lowbit_UnaryOp<"abs"> { let summary = "Absolute value"; }
def Lowbit_CeilOp : Lowbit_UnaryOp<"ceil"> { let summary = "Round up"; }
def Lowbit_CosOp : Lowbit_UnaryOp<"cos"> { let summary = "Cosine"; }
def Lowbit_ErfOp : Lowbit_UnaryOp<"erf"> { let summary = "Error function"; }
def Lowbit_ExpOp : Lowbit_UnaryOp<"exp"> { let summary = "Exponential"; }
def Lowbit_FloorOp : Lowbit_UnaryOp<"floor"> { let summary = "Round down"; }
def Lowbit_LogOp : Lowbit_UnaryOp<"log"> { let summary = "Natural log"; }
def Lowbit_NegOp : Lowbit_UnaryOp<"neg"> { let summary = "Negation"; }
def Lowbit_NotOp : Lowbit_UnaryOp<"not"> {
  let summary = "Logical not";
  let arguments = (ins Lowbit_BoolTensor:$input);
  let results = (outs Lowbit_BoolTensor:$output);
}
def Lowbit_ReciprocalOp : Lowbit_UnaryOp<"reciprocal"> {
  let summary = "1 / x";
}
def Lowbit_ReluOp : Lowbit_UnaryOp<"relu"> { let summary = "max(x, 0)"; }
def Lowbit_RoundOp : Lowbit_UnaryOp<"round"> {
  let summary = "Round half to even";
}
def Lowbit_SigmoidOp : Lowbit_UnaryOp<"sigmoid"> {
  let summary = "1 / (1 + exp(-x))";
}
def Lowbit_SignOp : Lowbit_UnaryOp<"sign"> { let summary = "Sign (-1, 0, 1)"; }
def Lowbit_SinOp : Lowbit_UnaryOp<"sin"> { let summary = "Sine"; }
def Lowbit_SoftplusOp : Lowbit_UnaryOp<"softplus"> {
  let summary = "log(1 + exp(x))";
}
def Lowbit_SqrtOp : Lowbit_UnaryOp<"sqrt"> { let summary = "Square root"; }
def Lowbit_TanhOp : Lowbit_UnaryOp<"tanh"> { let summary = "Hyperbolic tangent"; }
def Lowbit_HardSwishOp : Lowbit_UnaryOp<"hard_swish"> {
  let summary = "x * max(0, min(1, x / 6 + 1 / 2))";
}

def Lowbit_GeluOp : Lowbit_UnaryOp<"gelu"> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `approximate = "none"`: `0.5 x (1 + erf(x / sqrt(2)))`;
    `approximate = "tanh"`: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.

    ```mlir
    %r = lowbit.gelu %x {approximate = "tanh"} : tensor<4x64xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input,
                       DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let hasVerifier = 1;
}

def Lowbit_HardSigmoidOp : Lowbit_UnaryOp<"hard_sigmoid"> {
  let summary = "max(0, min(1, alpha * x + beta))";
  let arguments = (ins Lowbit_Tensor:$input, F32Attr:$alpha, F32Attr:$beta);
}

def Lowbit_LeakyReluOp : Lowbit_UnaryOp<"leaky_relu"> {
  let summary = "x >= 0 ? x : alpha * x";
  let arguments = (ins Lowbit_Tensor:$input, F32Attr:$alpha);
}

def Lowbit_EluOp : Lowbit_UnaryOp<"elu"> {
  let summary = "x >= 0 ? x : alpha * (exp(x) - 1)";
  let arguments = (ins Lowbit_Tensor:$input, F32Attr:$alpha);
}

def Lowbit_ClipOp : Lowbit_UnaryOp<"clip"> {
  let summary = "Clamp to [min, max]; absent bounds are unbounded";
  let description = [{
    ```mlir
    %r = lowbit.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<8xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, OptionalAttr<TypedAttrInterface>:$min,
                       OptionalAttr<TypedAttrInterface>:$max);
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

def Lowbit_MatMulOp : Lowbit_Op<"matmul", [Pure]> {
  let summary = "Batched matrix product with numpy semantics";
  let description = [{
    ONNX `MatMul`: 1-D operands are promoted (and the promoted dimension
    removed from the result), leading batch dimensions broadcast.

    ```mlir
    %r = lowbit.matmul %a, %b : (tensor<2x8x16xf32>, tensor<16x32xf32>) -> tensor<2x8x32xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$lhs, Lowbit_Tensor:$rhs);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_GemmOp : Lowbit_Op<"gemm", [Pure]> {
  let summary = "alpha * op(A) * op(B) + beta * C";
  let description = [{
    ONNX `Gemm` on 2-D operands; `C` is optional and broadcasts to the result.

    ```mlir
    %r = lowbit.gemm %a, %b, %c {transB = true}
        : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$a, Lowbit_Tensor:$b,
                       Optional<Lowbit_Tensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$transA,
                       DefaultValuedAttr<BoolAttr, "false">:$transB);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

class Lowbit_ConvBase<string mnemonic> : Lowbit_Op<mnemonic, [Pure]> {
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_ConvOp : Lowbit_ConvBase<"conv"> {
  let summary = "N-d grouped convolution, NCHW / FCHW";
  let description = [{
    ONNX `Conv` with explicit attributes: `pads` holds all begin pads then
    all end pads; `group` = C = F gives a depthwise convolution. The bias
    is optional.

    ```mlir
    %r = lowbit.conv %x, %w, %b {strides = array<i64: 2, 2>,
                                 dilations = array<i64: 1, 1>,
                                 pads = array<i64: 1, 1, 1, 1>, group = 1 : i64}
        : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_Tensor:$weight,
                       Optional<Lowbit_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<I64Attr, "1">:$group);
}

def Lowbit_ConvTransposeOp : Lowbit_ConvBase<"conv_transpose"> {
  let summary = "N-d grouped transposed convolution, NCHW / CFHW";
  let description = [{
    ONNX `ConvTranspose`, weight layout C x F/group x k...; the result shape is
    given by the result type (output_padding and output_shape resolved at
    import into `pads`).

    ```mlir
    %r = lowbit.conv_transpose %x, %w {strides = array<i64: 2, 2>,
            dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
        : (tensor<1x8x16x16xf32>, tensor<8x4x2x2xf32>) -> tensor<1x4x32x32xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_Tensor:$weight,
                       Optional<Lowbit_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<I64Attr, "1">:$group);
}

class Lowbit_PoolOp<string mnemonic> : Lowbit_Op<mnemonic, [Pure]> {
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Lowbit_MaxPoolOp : Lowbit_PoolOp<"max_pool"> {
  let summary = "N-d max pooling over the spatial dimensions";
  let description = [{
    Window `i` of output position `o` reads input index
    `o * stride - pad_begin + i * dilation`; positions outside the input are
    skipped. The output extent is the result type's (so ONNX `ceil_mode` is
    resolved at import).

    ```mlir
    %r = lowbit.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
                             dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
        : (tensor<1x8x32x32xf32>) -> tensor<1x8x16x16xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads);
}

def Lowbit_MaxPoolWithIndicesOp : Lowbit_Op<"max_pool_with_indices", [Pure]> {
  let summary = "Max pooling that also returns where each maximum came from";
  let description = [{
    As `max_pool`, plus `indices`: the flat index of each selected element in
    the (unpadded) input, row-major over all dimensions when
    `storage_order = 0` and with the last two spatial dimensions swapped
    (column-major) when it is 1, exactly as ONNX `MaxPool`'s second output.
    Ties select the first position in window order.

    ```mlir
    %r, %i = lowbit.max_pool_with_indices %x {kernel_shape = array<i64: 2, 2>,
        strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
        : (tensor<1x8x32x32xf32>) -> (tensor<1x8x16x16xf32>, tensor<1x8x16x16xi64>)
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<I64Attr, "0">:$storage_order);
  let results = (outs Lowbit_Tensor:$output, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Lowbit_AvgPoolOp : Lowbit_PoolOp<"avg_pool"> {
  let summary = "N-d average pooling over the spatial dimensions";
  let description = [{
    As `max_pool`; the divisor counts the in-bounds elements, plus the
    explicit padding when `count_include_pad` is set.

    ```mlir
    %r = lowbit.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                             pads = array<i64: 0, 0, 0, 0>, count_include_pad = false}
        : (tensor<1x8x32x32xf32>) -> tensor<1x8x16x16xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Lowbit_SoftmaxOp : Lowbit_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax along one axis";
  let description = [{
    ```mlir
    %r = lowbit.softmax %x {axis = -1 : i64} : tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$log);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Lowbit_LayerNormOp : Lowbit_Op<"layer_norm", [Pure]> {
  let summary = "Layer normalization over the trailing dimensions from axis";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, statistics over
    dimensions `axis..rank-1`; scale and bias broadcast over them.

    ```mlir
    %r = lowbit.layer_norm %x, %g, %b {axis = -1 : i64, epsilon = 1.0e-05 : f32}
        : (tensor<2x8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_Tensor:$scale,
                       Optional<Lowbit_Tensor>:$bias, I64Attr:$axis,
                       F32Attr:$epsilon);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_BatchNormOp : Lowbit_Op<"batch_norm", [Pure]> {
  let summary = "Inference batch normalization over channel dimension 1";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias` with per-channel
    parameters. Usually folded into the preceding convolution.

    ```mlir
    %r = lowbit.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
        : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_Tensor:$scale,
                       Lowbit_Tensor:$bias, Lowbit_Tensor:$mean,
                       Lowbit_Tensor:$variance, F32Attr:$epsilon);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Lowbit_ReduceOp<string mnemonic, string what>
    : Lowbit_Op<mnemonic, [Pure]> {
  let summary = what # " over the given axes";
  let description = [{
    Axes are normalized (non-negative, sorted, unique) at import; with
    `keepdims` reduced dimensions stay with extent 1.

    ```mlir
    %r = lowbit.}] # mnemonic # [{ %x {axes = array<i64: 2, 3>, keepdims = true}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Lowbit_ReduceSumOp : Lowbit_ReduceOp<"reduce_sum", "Sum">;
def Lowbit_ReduceMeanOp : Lowbit_ReduceOp<"reduce_mean", "Mean">;
def Lowbit_ReduceMaxOp : Lowbit_ReduceOp<"reduce_max", "Maximum">;
def Lowbit_ReduceMinOp : Lowbit_ReduceOp<"reduce_min", "Minimum">;
def Lowbit_ReduceProdOp : Lowbit_ReduceOp<"reduce_prod", "Product">;
def Lowbit_ReduceSumSquareOp : Lowbit_ReduceOp<"reduce_sum_square",
                                               "Sum of squares">;
def Lowbit_ReduceL1Op : Lowbit_ReduceOp<"reduce_l1", "Sum of absolute values">;
def Lowbit_ReduceL2Op : Lowbit_ReduceOp<"reduce_l2", "Euclidean norm">;
def Lowbit_ReduceLogSumExpOp : Lowbit_ReduceOp<"reduce_log_sum_exp",
                                               "log(sum(exp(x)))">;

def Lowbit_ArgMaxOp : Lowbit_Op<"arg_max", [Pure]> {
  let summary = "Index of the maximum along one axis";
  let description = [{
    Ties pick the first index unless `select_last_index`.

    ```mlir
    %r = lowbit.arg_max %x {axis = 1 : i64, keepdims = true}
        : (tensor<2x8xf32>) -> tensor<2x1xi64>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs Lowbit_IndexTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Lowbit_CumSumOp : Lowbit_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  let summary = "Cumulative sum along one axis (ONNX CumSum)";
  let description = [{
    `output[.., i, ..] = sum of input[.., j, ..]` for `j <= i` (`j < i` when
    `exclusive`; `j >= i` / `j > i` when `reverse`). The axis is normalized
    at import.

    ```mlir
    %r = lowbit.cumsum %x {axis = 1 : i64, exclusive = false, reverse = true}
        : tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Lowbit_TopKOp : Lowbit_Op<"top_k", [Pure]> {
  let summary = "The k largest (or smallest) elements along one axis";
  let description = [{
    ONNX `TopK`: `k` is the result extent along the (normalized) axis.
    Results are sorted (largest first, or smallest first when
    `largest = false`); equal values keep the lower index first. `indices`
    are positions along the axis.

    ```mlir
    %v, %i = lowbit.top_k %x {axis = 1 : i64, largest = true}
        : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest);
  let results = (outs Lowbit_Tensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Lowbit_ReshapeOp : Lowbit_Op<"reshape", [Pure]> {
  let summary = "Reinterpret the shape (also Flatten, Squeeze, Unsqueeze)";
  let description = [{
    The element count is preserved; the target shape is the result type.

    ```mlir
    %r = lowbit.reshape %x : (tensor<1x8x4x4xf32>) -> tensor<1x128xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowbit_TransposeOp : Lowbit_Op<"transpose", [Pure]> {
  let summary = "Permute dimensions: result dim i is input dim perm[i]";
  let description = [{
    ```mlir
    %r = lowbit.transpose %x {perm = array<i64: 0, 2, 1>}
        : (tensor<2x8x4xf32>) -> tensor<2x4x8xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowbit_ConcatOp : Lowbit_Op<"concat", [Pure]> {
  let summary = "Concatenate along one axis";
  let description = [{
    ```mlir
    %r = lowbit.concat %a, %b {axis = 1 : i64}
        : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x5x4xf32>
    ```
  }];
  let arguments = (ins Variadic<Lowbit_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowbit_SliceOp : Lowbit_Op<"slice", [Pure]> {
  let summary = "Strided slice: out[i] = in[start + i * step] per dimension";
  let description = [{
    Starts and steps are normalized per dimension at import (steps may be
    negative); the extents are the result type's.

    ```mlir
    %r = lowbit.slice %x {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>}
        : (tensor<4x8xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$steps);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowbit_GatherOp : Lowbit_Op<"gather", [Pure]> {
  let summary = "Gather slices along one axis (ONNX Gather)";
  let description = [{
    Negative indices count from the end of `axis`.

    ```mlir
    %r = lowbit.gather %x, %i {axis = 0 : i64}
        : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_GatherElementsOp : Lowbit_Op<"gather_elements", [Pure]> {
  let summary = "Gather single elements along one axis (ONNX GatherElements)";
  let description = [{
    `output[i0, .., ik, ..] = input[i0, .., indices[i0, .., ik, ..], ..]`
    with `k = axis`; the result has the shape of `indices`. Negative indices
    count from the end of `axis`.

    ```mlir
    %r = lowbit.gather_elements %x, %i {axis = 1 : i64}
        : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_GatherNDOp : Lowbit_Op<"gather_nd", [Pure]> {
  let summary = "Gather slices addressed by index tuples (ONNX GatherND)";
  let description = [{
    The last dimension of `indices` (extent `m`) holds coordinates into the
    input dimensions `batch_dims .. batch_dims + m - 1`; the leading
    `batch_dims` dimensions are shared by input and indices. The result shape
    is `indices.shape[:-1] ++ input.shape[batch_dims + m:]`.

    ```mlir
    %r = lowbit.gather_nd %x, %i {batch_dims = 0 : i64}
        : (tensor<2x2x2xf32>, tensor<2x1xi64>) -> tensor<2x2x2xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_ScatterElementsOp : Lowbit_Op<"scatter_elements", [Pure]> {
  let summary = "Scatter single elements along one axis (ONNX ScatterElements)";
  let description = [{
    A copy of `input` where, for each position `p` of `indices`, the element
    at `p` with coordinate `axis` replaced by `indices[p]` becomes
    `updates[p]` (`reduction = "none"`), or is combined with it (`"add"`,
    `"mul"`, `"max"`, `"min"`). Updates apply in row-major order, so with
    duplicate indices and no reduction the last one wins.

    ```mlir
    %r = lowbit.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "add"}
        : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_IndexTensor:$indices,
                       Lowbit_Tensor:$updates, I64Attr:$axis,
                       DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_ScatterNDOp : Lowbit_Op<"scatter_nd", [Pure]> {
  let summary = "Scatter slices addressed by index tuples (ONNX ScatterND)";
  let description = [{
    A copy of `input` where the slice at each index tuple (last dimension of
    `indices`) is replaced by, or combined with (`reduction`), the matching
    slice of `updates`, in row-major order of the tuples. `updates` has shape
    `indices.shape[:-1] ++ input.shape[m:]`.

    ```mlir
    %r = lowbit.scatter_nd %x, %i, %u {reduction = "none"}
        : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_IndexTensor:$indices,
                       Lowbit_Tensor:$updates,
                       DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_ExpandOp : Lowbit_Op<"expand", [Pure]> {
  let summary = "Broadcast to the result shape";
  let description = [{
    ```mlir
    %r = lowbit.expand %x : (tensor<1x4xf32>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowbit_TileOp : Lowbit_Op<"tile", [Pure]> {
  let summary = "Repeat the input along each dimension";
  let description = [{
    ```mlir
    %r = lowbit.tile %x {repeats = array<i64: 2, 1>} : (tensor<2x4xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Lowbit_PadOp : Lowbit_Op<"pad", [Pure]> {
  let summary = "Pad with a constant, by reflection, or by edge replication";
  let description = [{
    `pads` holds all begin pads then all end pads; negative pads crop.

    ```mlir
    %r = lowbit.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = "constant",
                        value = 0.0 : f32}
        : (tensor<1x3x4x4xf32>) -> tensor<1x3x6x6xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedStrAttr<StrAttr, "constant">:$mode,
                       OptionalAttr<TypedAttrInterface>:$value);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowbit_ResizeOp : Lowbit_Op<"resize", [Pure]> {
  let summary = "Resize by interpolation (ONNX Resize)";
  let description = [{
    Each output coordinate `x_resized` along dimension `d` maps back to an
    input coordinate `x_original`, which is then interpolated per dimension
    (separably, as ONNX's reference does). Output extents are the result
    type's.

    Attributes:
    - `mode`: `nearest`, `linear` or `cubic`.
    - `coordinate_transformation_mode`: how `x_original` is computed, with
      `scale = scales[d]`, `length_original` / `length_resized` the input /
      output extents of `d`, and `length_resized_f = scale * length_original`
      (the possibly fractional extent, snapped to `length_resized` when it
      differs only by the f32 rounding of `scale`):
      - `half_pixel` (default): `(x_resized + 0.5) / scale - 0.5`;
      - `half_pixel_symmetric`: as `half_pixel`, shifted so that the input
        and output centers coincide: `length_original / 2 * (1 -
        length_resized / length_resized_f) + (x_resized + 0.5) / scale - 0.5`;
      - `pytorch_half_pixel`: as `half_pixel`, but `-0.5` when
        `length_resized_f == 1`;
      - `align_corners`: `x_resized * (length_original - 1) /
        (length_resized_f - 1)`, `0` when `length_resized_f == 1`;
      - `asymmetric`: `x_resized / scale`;
      - `tf_half_pixel_for_nn`: `(x_resized + 0.5) / scale`;
      - `tf_crop_and_resize`: with `start = roi[d]`, `end = roi[rank + d]`,
        `start * (length_original - 1) + x_resized * (end - start) *
        (length_original - 1) / (length_resized - 1)`, or
        `0.5 * (start + end) * (length_original - 1)` when
        `length_resized == 1`. An output element any of whose coordinates
        maps outside `[0, length_original - 1]` is `extrapolation_value`.
    - `nearest_mode` (`nearest` only): rounding of a fractional
      `x_original`: `round_prefer_floor` (default), `round_prefer_ceil`,
      `floor` or `ceil`.
    - `cubic_coeff_a` (`cubic` only): the cubic kernel's `A` (default -0.75).
    - `exclude_outside`: taps outside the input get weight 0 and the
      remaining weights are renormalized to sum to 1; otherwise taps are
      clamped to the edge (edge padding).
    - `scales`: the per-dimension factors used by the transforms above (one
      entry per dimension).
    - `roi` (`tf_crop_and_resize` only, required there): the crop box in
      normalized input coordinates, `2 * rank` entries: all starts, then all
      ends (`[0, 1]` is the whole extent). Values outside `[0, 1]` crop
      beyond the input and extrapolate.
    - `extrapolation_value` (`tf_crop_and_resize` only): the value of output
      elements that map outside the input (default 0.0).

    ```mlir
    %r = lowbit.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric",
                           nearest_mode = "floor", scales = array<f32: 1.0, 1.0, 2.0, 2.0>}
        : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
    %c = lowbit.resize %x {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize",
                           roi = array<f32: 0.0, 0.0, 0.4, 0.6, 1.0, 1.0, 1.2, 1.7>,
                           extrapolation_value = 10.0 : f32,
                           scales = array<f32: 1.0, 1.0, 0.75, 0.75>}
        : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input,
                       DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
                       DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
                       DefaultValuedStrAttr<StrAttr, "round_prefer_floor">:$nearest_mode,
                       DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
                       DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                       DenseF32ArrayAttr:$scales,
                       OptionalAttr<DenseF32ArrayAttr>:$roi,
                       DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Lowbit_CastOp : Lowbit_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Convert the element type (ONNX Cast semantics)";
  let description = [{
    Float to integer truncates toward zero; to i1 tests for non-zero.

    ```mlir
    %r = lowbit.cast %x : (tensor<4xf32>) -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Lowbit_Tensor:$input);
  let results = (outs Lowbit_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Lowbit_QuantizeOp : Lowbit_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Float to quantized: clamp(round_half_even(x / scale) + zp)";
  let description = [{
    Exactly ONNX `QuantizeLinear`; the scale(s), zero point(s), storage type
    and granularity (per-tensor, per-axis, sub-channel) come from the
    result's `!quant.uniform` element type.

    With a `codebook`, the stored integer indexes the codebook's value table
    instead: `q = nearest(table, x / scale)` (zero points must be 0 and the
    storage unsigned). This is how NF4 and fp8 are written.

    ```mlir
    %q = lowbit.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1:3>>
    ```
  }];
  let arguments = (ins Lowbit_FloatTensor:$input,
                       OptionalAttr<Lowbit_CodebookAttr>:$codebook);
  let results = (outs Lowbit_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Lowbit_DequantizeOp : Lowbit_Op<"dequantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Quantized to float: (q - zp) * scale";
  let description = [{
    Exactly ONNX `DequantizeLinear`; with a `codebook`,
    `x = table[q] * scale`.

    ```mlir
    %x = lowbit.dequantize %q : (tensor<4x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Lowbit_QuantTensor:$input,
                       OptionalAttr<Lowbit_CodebookAttr>:$codebook);
  let results = (outs Lowbit_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Lowbit_RequantizeOp : Lowbit_Op<"requantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "Change scale / zero point / storage of a quantized tensor";
  let description = [{
    Equivalent to `quantize(dequantize(x))` with the result type's
    parameters, computed without a float round trip where the backend can.

    ```mlir
    %r = lowbit.requantize %q : (tensor<4x!quant.uniform<i32:f32, 0.01>>)
        -> tensor<4x!quant.uniform<i8:f32, 0.1:3>>
    ```
  }];
  let arguments = (ins Lowbit_QuantTensor:$input);
  let results = (outs Lowbit_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Quantized contractions
//===----------------------------------------------------------------------===//

class Lowbit_QuantizedContraction<string mnemonic>
    : Lowbit_Op<mnemonic, [Pure]> {
  let results = (outs Lowbit_Tensor:$output);
  let hasVerifier = 1;
  // Shared by both ops: how operand and result element types select the
  // arithmetic.
  code commonDescription = [{
    The element types select the arithmetic:

    | lhs | rhs (weights) | result | meaning |
    |-----|---------------|--------|---------|
    | `!quant` | `!quant` | `!quant` | integer kernel, requantized epilogue |
    | `!quant` | `!quant` | float | integer kernel, dequantized epilogue |
    | `!quant` | `!quant` | `i32` | raw accumulator (ONNX MatMulInteger) |
    | float | `!quant` | float | weight-only: dequantize inside the loop |
    | float + `dynamic_activations` | `!quant` | float | activations quantized per row at run time (symmetric int8) |

    Integer kernels accumulate `(lhs - lhs_zp) * (rhs - rhs_zp)` in i32 and
    add the optional i32 `bias` (units: lhs scale × rhs scale, as in ONNX
    QLinearConv). The epilogue forms the real value
    `acc * lhs_scale * rhs_scale`, applies `activation`, then quantizes with
    the result type (ONNX QuantizeLinear rounding) or returns it as float.
    Weight-only kernels take a float `bias`. `rhs` may be per tensor, per
    output channel, or sub-channel (groups along the reduction dimension);
    with `weight_codebook` the stored integers index a value table (NF4,
    fp8) scaled per group. No float copy of the weights is ever formed.
  }];
}

def Lowbit_QuantizedMatMulOp : Lowbit_QuantizedContraction<"quantized_matmul"> {
  let summary = "Matrix product on quantized operands with a fused epilogue";
  let description = !strconcat([{
    `lowbit.matmul` (numpy batching) where `rhs` holds quantized weights.
  }], commonDescription, [{

    ```mlir
    %y = lowbit.quantized_matmul %a, %w, %bias {activation = #lowbit.activation<relu>}
        : (tensor<8x64x!quant.uniform<i8:f32, 0.05:-3>>,
           tensor<64x32x!quant.uniform<i8:f32:1, {0.01, 0.02, ...}>>, tensor<32xi32>)
        -> tensor<8x32x!quant.uniform<i8:f32, 0.1:-128>>
    %z = lowbit.quantized_matmul %x, %w4
        : (tensor<8x256xf32>, tensor<256x32x!quant.uniform<i4:f32:{0:128, 1:1}, {{...}}>>)
        -> tensor<8x32xf32>
    ```
  }]);
  let arguments = (ins Lowbit_Tensor:$lhs, Lowbit_QuantTensor:$rhs,
                       Optional<Lowbit_Tensor>:$bias,
                       DefaultValuedAttr<Lowbit_FusedActivationAttr,
                                         "FusedActivation::none">:$activation,
                       OptionalAttr<F32Attr>:$clip_min,
                       OptionalAttr<F32Attr>:$clip_max,
                       OptionalAttr<Lowbit_CodebookAttr>:$weight_codebook,
                       UnitAttr:$dynamic_activations);
  let assemblyFormat = [{
    $lhs `,` $rhs (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Lowbit_QuantizedConvOp : Lowbit_QuantizedContraction<"quantized_conv"> {
  let summary = "N-d grouped convolution on quantized operands with a fused epilogue";
  let description = !strconcat([{
    `lowbit.conv` (NCHW input, FCHW weights, explicit pads) where `weight`
    holds quantized weights (per tensor or per output channel, axis 0).
  }], commonDescription, [{

    ```mlir
    %y = lowbit.quantized_conv %x, %w, %b {strides = array<i64: 1, 1>,
            dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
            group = 1 : i64, activation = #lowbit.activation<relu>}
        : (tensor<1x8x16x16x!quant.uniform<i8:f32, 0.02:4>>,
           tensor<16x8x3x3x!quant.uniform<i8:f32:0, {...}>>, tensor<16xi32>)
        -> tensor<1x16x16x16x!quant.uniform<i8:f32, 0.04:-20>>
    ```
  }]);
  let arguments = (ins Lowbit_Tensor:$input, Lowbit_QuantTensor:$weight,
                       Optional<Lowbit_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<I64Attr, "1">:$group,
                       DefaultValuedAttr<Lowbit_FusedActivationAttr,
                                         "FusedActivation::none">:$activation,
                       OptionalAttr<F32Attr>:$clip_min,
                       OptionalAttr<F32Attr>:$clip_max,
                       OptionalAttr<Lowbit_CodebookAttr>:$weight_codebook,
                       UnitAttr:$dynamic_activations);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

#endif // LOWBIT_OPS_TD
