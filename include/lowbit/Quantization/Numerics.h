//===- Numerics.h - Quantization arithmetic shared by every pass -*- C++
//-*-===//
//
// The reference numerics of LowBit: rounding, affine quantize/dequantize with
// exactly ONNX QuantizeLinear/DequantizeLinear semantics, scale and zero-point
// choice, per-channel and per-group weight quantization, int4 packing, NF4,
// FP8 E4M3FN and ternary (BitNet b1.58) codes. Plain C++ on LLVM Support, so
// passes, tools and unit tests all compute the same integers.
//
// Conventions that every function here follows:
//
//  * Quantize is q = clamp(roundHalfToEven(x / scale) + zp, qmin, qmax) where
//    x / scale is a float32 division, as in ONNX's reference implementation
//    and ONNX Runtime's MLAS kernels. Dequantize is (q - zp) * scale in float.
//  * A real zero is always exactly representable: scale/zero-point choice
//    first extends [min, max] to include 0.
//  * Scales are never 0, NaN or infinite; a degenerate range gets scale 1.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_QUANTIZATION_NUMERICS_H
#define LOWBIT_QUANTIZATION_NUMERICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <vector>

namespace lowbit {
namespace quantization {

//===----------------------------------------------------------------------===//
// Rounding and affine quantization
//===----------------------------------------------------------------------===//

/// Rounds to the nearest integer, ties to even (0.5 -> 0, 1.5 -> 2,
/// 2.5 -> 2, -0.5 -> -0, -1.5 -> -2), independently of the floating-point
/// environment's rounding mode. NaN and infinities are returned unchanged and
/// the sign of zero is kept, like `std::nearbyint` in round-to-nearest mode.
float roundHalfToEven(float x);

/// The closed range of integer codes a storage type can hold.
struct IntegerRange {
  int32_t min;
  int32_t max;
};

/// The code range of a `bits`-wide integer (2 <= bits <= 16). Signed types
/// are two's complement, [-2^(b-1), 2^(b-1) - 1]; unsigned ones [0, 2^b - 1].
/// `narrow` drops the lowest code, as TensorFlow's narrow_range and MLIR's
/// `i8<-127:127>` do: signed int8 becomes [-127, 127], uint8 [1, 255].
IntegerRange storageRange(unsigned bits, bool isSigned, bool narrow);

/// An integer quantization format: what `chooseAffineParams` and the weight
/// quantizers need to know about the storage type.
struct IntegerFormat {
  unsigned bits = 8;
  bool isSigned = true;
  /// Zero point fixed at the middle of the range (0 for signed types).
  bool symmetric = false;
  bool narrow = false;

  /// The code range of this format (see `storageRange`).
  IntegerRange getRange() const { return storageRange(bits, isSigned, narrow); }
};

/// Quantizes one value with ONNX QuantizeLinear semantics:
/// clamp(roundHalfToEven(x / scale) + zeroPoint, qmin, qmax), where x / scale
/// is computed in float32 (so results match ONNX Runtime bit for bit).
/// Infinities saturate to qmin/qmax. ONNX leaves NaN unspecified (ONNX
/// Runtime's kernels produce whatever the float-to-int conversion of NaN
/// gives); this returns `zeroPoint` clamped into range, so a NaN
/// dequantizes to 0 rather than to an arbitrary extreme.
/// Requires scale > 0 and finite.
int32_t quantizeAffine(float x, float scale, int32_t zeroPoint, int32_t qmin,
                       int32_t qmax);

/// Dequantizes one code with ONNX DequantizeLinear semantics:
/// (q - zeroPoint) * scale, with the subtraction in integers and the
/// multiplication in float32.
float dequantizeAffine(int32_t q, float scale, int32_t zeroPoint);

/// A scale and zero point: x ~ (q - zeroPoint) * scale.
struct AffineParams {
  float scale;
  int32_t zeroPoint;
};

/// Chooses the scale and zero point that map [min, max] onto the codes of a
/// `bits`-wide integer. This follows ONNX Runtime's quantization tool
/// (`compute_scale_zp` in onnxruntime/python/tools/quantization/
/// quant_utils.py) except where noted:
///
///  * The range is first extended to include 0, so that a real zero (padding,
///    ReLU outputs) is exactly representable.
///  * Asymmetric: scale = (max - min) / (qmax - qmin) and
///    zeroPoint = clamp(roundHalfToEven(qmin - min / scale), qmin, qmax),
///    all in float32, as ONNX Runtime does.
///  * Symmetric: the zero point is the middle of the code range, rounded half
///    to even (0 for signed types, 128 for uint8, as ONNX Runtime), and
///    scale = absmax / min(qmax - zeroPoint, zeroPoint - qmin); for int8 that
///    is absmax / 127 whether or not the range is narrow. ONNX Runtime uses
///    2 * absmax / (qmax - qmin) (absmax / 127.5 for full-range int8), which
///    clips +absmax to 127 after rounding; dividing by the positive half
///    never clips and leaves -128 unused, the convention of TensorRT,
///    PyTorch's symmetric observers with restricted range, and the MLIR
///    `i8<-127:127>` types we emit. For [-127, 127] both agree exactly.
///  * Degenerate ranges (scale below FLT_MIN, e.g. min == max == 0) get
///    scale 1 and the zero point a real 0 maps to (the middle of the range
///    when symmetric, else 0 clamped into range), never a 0/NaN/inf scale.
///    ONNX Runtime also uses scale 1; it sets the zero point to 0 even for
///    symmetric uint8, which would break the "every channel shares the zero
///    point" property that per-channel symmetric kernels rely on.
///  * NaN bounds are treated as 0 and infinite ones as +-FLT_MAX.
AffineParams chooseAffineParams(float min, float max, unsigned bits,
                                bool isSigned, bool symmetric, bool narrow);

/// `chooseAffineParams` for the given format.
AffineParams chooseAffineParams(float min, float max,
                                const IntegerFormat &format);

//===----------------------------------------------------------------------===//
// Per-tensor, per-channel and per-group weight quantization
//===----------------------------------------------------------------------===//

/// How to quantize a weight tensor.
///
/// Elements are split into blocks: block (c, g) holds every element whose
/// index along `axis` is c and whose index along `groupAxis` lies in
/// [g * groupSize, (g + 1) * groupSize). Each block gets its own scale and
/// zero point, chosen by `chooseAffineParams` from the block's min and max.
///
///  * per tensor: axis = -1, groupSize = 0 (one block);
///  * per channel: axis = output-channel axis, groupSize = 0;
///  * per group (sub-channel): axis and groupSize > 0.
///
/// `groupAxis` is the reduction axis. When it is -1 it defaults to 1 if
/// `axis` is 0 (Gemm with transB, Conv [O, I, kh, kw]), to 0 if `axis` is
/// another axis (MatMul B [K, N] with axis 1), and to the last axis for a
/// per-tensor grouping.
struct WeightQuantOptions {
  IntegerFormat format;
  int64_t axis = 0;
  int64_t groupSize = 0;
  int64_t groupAxis = -1;
};

/// The result of `quantizeWeights` or `quantizeNF4`.
struct QuantizedWeights {
  /// One code per element, in the input's row-major order. Integer codes
  /// wider than int8 cannot occur (at most 8 bits); unsigned 8-bit codes are
  /// stored as their bit pattern, so read them with `getCode`.
  std::vector<int8_t> codes;
  /// Scales and zero points as a row-major table indexed
  /// [channel][group]: entry `channel * numGroups + group`. For MLIR's
  /// sub-channel type `!quant.uniform<i4:f32:{0:1, 1:128}, ...>` on a
  /// [N, K] weight with axis 0 and groupAxis 1 this is exactly its scale
  /// tensor of shape [N, K / 128]; when groupAxis < axis (MatMul B [K, N],
  /// axis 1), MLIR's scale tensor is [K / 128, N], the transpose.
  std::vector<float> scales;
  /// Zero points, same layout as `scales`; empty for NF4.
  std::vector<int32_t> zeroPoints;
  int64_t numChannels = 1;
  int64_t numGroups = 1;
  /// The resolved channel axis (-1 per tensor) and reduction axis (-1 when
  /// not grouped).
  int64_t axis = -1;
  int64_t groupAxis = -1;
  /// The block size along every dimension, as in MLIR's sub-channel types:
  /// 1 along `axis`, groupSize along `groupAxis`, the full size elsewhere.
  std::vector<int64_t> blockSizes;
  bool isSigned = true;

  /// The code of element `index` as an integer in the storage range.
  int32_t getCode(size_t index) const {
    return isSigned ? codes[index]
                    : static_cast<int32_t>(static_cast<uint8_t>(codes[index]));
  }
};

/// Quantizes a row-major float tensor of the given shape block by block (see
/// `WeightQuantOptions`). Errors when the data size does not match the
/// shape, an axis is out of range, `groupAxis` equals `axis`, the format is
/// wider than 8 bits, or the group size does not divide the reduction
/// dimension (the message says so, so that the caller can fall back to
/// per-channel).
llvm::Expected<QuantizedWeights>
quantizeWeights(llvm::ArrayRef<float> data, llvm::ArrayRef<int64_t> shape,
                const WeightQuantOptions &options);

/// Dequantizes `quantizeWeights` output back to a row-major float tensor of
/// `shape` (the shape it was quantized with).
std::vector<float> dequantizeWeights(const QuantizedWeights &weights,
                                     llvm::ArrayRef<int64_t> shape);

//===----------------------------------------------------------------------===//
// int4 packing
//===----------------------------------------------------------------------===//

/// Packs 4-bit codes two per byte in the ONNX INT4/UINT4 layout: element 0
/// goes to the low nibble (the 4 least significant bits) of byte 0, element 1
/// to its high nibble, and so on. Only the low 4 bits of each code are kept,
/// so signed (-8..7) and unsigned (0..15) codes pack alike. An odd count
/// leaves the last byte's high nibble 0.
std::vector<uint8_t> packInt4(llvm::ArrayRef<int8_t> codes);

/// Unpacks `count` 4-bit codes packed by `packInt4`, sign-extending them
/// when `isSigned` (0xF -> -1) and zero-extending otherwise (0xF -> 15).
/// Requires packed.size() >= (count + 1) / 2.
std::vector<int8_t> unpackInt4(llvm::ArrayRef<uint8_t> packed, size_t count,
                               bool isSigned);

//===----------------------------------------------------------------------===//
// NF4 (NormalFloat4, QLoRA)
//===----------------------------------------------------------------------===//

/// The 16 NormalFloat4 levels of QLoRA, exactly as bitsandbytes'
/// `dDequantizeNF4` (csrc/kernels.cu): code i decodes to table[i] * absmax.
/// Code 7 is exactly 0.
extern const std::array<float, 16> kNF4Table;

/// The NF4 code nearest to `normalized` (a value already scaled by its
/// block's 1 / absmax), decided exactly as bitsandbytes' `dQuantizeNF4`
/// tree: the thresholds are its float literals (the midpoints between
/// levels, rounded to float) and `x > threshold` picks the upper level, so
/// a value exactly on a threshold takes the lower code. NaN gives code 7
/// (zero).
uint8_t quantizeNF4Value(float normalized);

/// Quantizes a row-major weight tensor to NF4: blocks of `groupSize`
/// consecutive elements along the reduction axis of each channel (see
/// `WeightQuantOptions` for `axis` and `groupAxis`; axis -1 groups the whole
/// tensor along `groupAxis`), each scaled by its absmax. As in bitsandbytes,
/// each value is multiplied by 1 / absmax (not divided by absmax) before
/// the nearest-level search; an all-zero block gets absmax 0 and code 7.
/// `codes` hold 0..15 (pack them with `packInt4`: note that bitsandbytes'
/// own packing puts the first element in the high nibble), `scales` the
/// absmax table [channel][group], `zeroPoints` is empty. Errors as
/// `quantizeWeights` does.
llvm::Expected<QuantizedWeights> quantizeNF4(llvm::ArrayRef<float> data,
                                             llvm::ArrayRef<int64_t> shape,
                                             int64_t axis, int64_t groupSize,
                                             int64_t groupAxis = -1);

/// Dequantizes `quantizeNF4` output: kNF4Table[code] * absmax.
std::vector<float> dequantizeNF4(const QuantizedWeights &weights,
                                 llvm::ArrayRef<int64_t> shape);

//===----------------------------------------------------------------------===//
// FP8 E4M3FN (OCP 8-bit floating point, v1.0)
//===----------------------------------------------------------------------===//

/// The largest finite E4M3FN value, S.1111.110 = 448.
constexpr float kE4M3FNMax = 448.0f;

/// Converts a float to E4M3FN (sign, 4 exponent bits with bias 7, 3 mantissa
/// bits; no infinities; S.1111.111 is NaN; subnormals down to 2^-9), rounding
/// to nearest, ties to even, including among subnormals. Out-of-range values
/// and infinities become +-448 when `saturate` (ONNX QuantizeLinear/Cast
/// with saturate=1, the default) and NaN otherwise; "out of range" means the
/// rounded magnitude would exceed 448, so |x| <= 464 still gives 448 (464 is
/// the tie between 448 and the NaN code and goes to the even 448). NaN
/// gives 0x7F with the input's sign bit, as ONNX's reference does.
uint8_t floatToE4M3FN(float x, bool saturate = true);

/// Decodes an E4M3FN byte exactly (every code is a float32 value).
float e4m3fnToFloat(uint8_t code);

/// The per-tensor scale that maps [-absmax, absmax] onto the E4M3FN range:
/// absmax / 448; 1 for a degenerate (zero, NaN or subnormal-small) absmax.
float chooseFP8Scale(float absmax);

/// Quantizes values with ONNX QuantizeLinear float8 semantics (zero point 0):
/// floatToE4M3FN(x / scale, saturate), x / scale in float32.
std::vector<uint8_t> quantizeFP8(llvm::ArrayRef<float> data, float scale,
                                 bool saturate = true);

//===----------------------------------------------------------------------===//
// Ternary (BitNet b1.58)
//===----------------------------------------------------------------------===//

/// The smallest ternary scale; guards all-zero (or nearly) tensors.
constexpr float kTernaryMinScale = 1e-5f;

/// The absmean scale of BitNet b1.58: mean(|w|), computed in double, and
/// clamped below at `kTernaryMinScale` as the BitNet reference code does
/// (`w.abs().mean().clamp(min=1e-5)`): a clamp rather than an added epsilon,
/// so that the scale of a normal tensor is exactly its mean |w|. NaNs are
/// skipped; an empty array gives kTernaryMinScale.
float ternaryScale(llvm::ArrayRef<float> weights);

/// Ternary codes clamp(roundHalfToEven(w / scale), -1, 1) (division in
/// float32); NaN gives 0.
std::vector<int8_t> quantizeTernary(llvm::ArrayRef<float> weights, float scale);

} // namespace quantization
} // namespace lowbit

#endif // LOWBIT_QUANTIZATION_NUMERICS_H
