//===- QuantizationNumericsTest.cpp - Rounding, scales, codes -------------===//
//
// Pins the reference numerics: ONNX QuantizeLinear/DequantizeLinear (vectors
// copied from the ONNX backend tests), ONNX Runtime's scale choice, blocked
// weight quantization, int4 packing, NF4, FP8 E4M3FN and ternary codes.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Quantization/Numerics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace lowbit::quantization;

namespace {

std::string errorOf(llvm::Error error) {
  return llvm::toString(std::move(error));
}

//===----------------------------------------------------------------------===//
// Rounding and affine quantization
//===----------------------------------------------------------------------===//

TEST(QuantizationNumerics, RoundHalfToEven) {
  EXPECT_EQ(roundHalfToEven(0.5f), 0.0f);
  EXPECT_EQ(roundHalfToEven(1.5f), 2.0f);
  EXPECT_EQ(roundHalfToEven(2.5f), 2.0f);
  EXPECT_EQ(roundHalfToEven(3.5f), 4.0f);
  EXPECT_EQ(roundHalfToEven(-1.5f), -2.0f);
  EXPECT_EQ(roundHalfToEven(-2.5f), -2.0f);
  EXPECT_EQ(roundHalfToEven(0.49999997f), 0.0f);
  EXPECT_EQ(roundHalfToEven(0.50000006f), 1.0f);
  EXPECT_EQ(roundHalfToEven(-0.7f), -1.0f);
  EXPECT_EQ(roundHalfToEven(8388607.5f), 8388608.0f);
  EXPECT_EQ(roundHalfToEven(16777216.0f), 16777216.0f);
  // -0.5 rounds to -0, keeping the sign like nearbyint.
  float negativeZero = roundHalfToEven(-0.5f);
  EXPECT_EQ(negativeZero, 0.0f);
  EXPECT_TRUE(std::signbit(negativeZero));
  EXPECT_TRUE(std::isnan(roundHalfToEven(NAN)));
  EXPECT_EQ(roundHalfToEven(INFINITY), INFINITY);
}

TEST(QuantizationNumerics, StorageRange) {
  IntegerRange int8 = storageRange(8, true, false);
  EXPECT_EQ(int8.min, -128);
  EXPECT_EQ(int8.max, 127);
  IntegerRange narrowInt8 = storageRange(8, true, true);
  EXPECT_EQ(narrowInt8.min, -127);
  EXPECT_EQ(narrowInt8.max, 127);
  IntegerRange uint8 = storageRange(8, false, false);
  EXPECT_EQ(uint8.min, 0);
  EXPECT_EQ(uint8.max, 255);
  IntegerRange narrowUint8 = storageRange(8, false, true);
  EXPECT_EQ(narrowUint8.min, 1);
  EXPECT_EQ(narrowUint8.max, 255);
  IntegerRange int4 = storageRange(4, true, false);
  EXPECT_EQ(int4.min, -8);
  EXPECT_EQ(int4.max, 7);
  IntegerRange uint4 = storageRange(4, false, false);
  EXPECT_EQ(uint4.min, 0);
  EXPECT_EQ(uint4.max, 15);
  IntegerRange ternary = storageRange(2, true, true);
  EXPECT_EQ(ternary.min, -1);
  EXPECT_EQ(ternary.max, 1);
  IntegerRange int16 = storageRange(16, true, false);
  EXPECT_EQ(int16.min, -32768);
  EXPECT_EQ(int16.max, 32767);
}

TEST(QuantizationNumerics, QuantizeAffineSaturates) {
  EXPECT_EQ(quantizeAffine(1000.0f, 1.0f, 0, -128, 127), 127);
  EXPECT_EQ(quantizeAffine(-1000.0f, 1.0f, 0, -128, 127), -128);
  EXPECT_EQ(quantizeAffine(-1000.0f, 1.0f, 0, -127, 127), -127);
  EXPECT_EQ(quantizeAffine(127.5f, 1.0f, 0, -128, 127), 127);
  EXPECT_EQ(quantizeAffine(-128.5f, 1.0f, 0, -128, 127), -128);
  EXPECT_EQ(quantizeAffine(INFINITY, 0.5f, 3, 0, 255), 255);
  EXPECT_EQ(quantizeAffine(-INFINITY, 0.5f, 3, 0, 255), 0);
  EXPECT_EQ(quantizeAffine(3e38f, 1e-30f, 0, -128, 127), 127);
  // The zero point shifts before clamping.
  EXPECT_EQ(quantizeAffine(-10.0f, 1.0f, 5, 0, 255), 0);
  EXPECT_EQ(quantizeAffine(-5.0f, 1.0f, 5, 0, 255), 0);
  EXPECT_EQ(quantizeAffine(-4.0f, 1.0f, 5, 0, 255), 1);
  // Ties to even happen before the zero point is added: 2.5 -> 2, + 1.
  EXPECT_EQ(quantizeAffine(5.0f, 2.0f, 1, 0, 255), 3);
  // NaN gives the zero point (dequantizes to 0).
  EXPECT_EQ(quantizeAffine(NAN, 1.0f, 7, 0, 255), 7);
  EXPECT_EQ(quantizeAffine(NAN, 1.0f, -3, -128, 127), -3);
}

/// ONNX backend test test_quantizelinear (opset 13): uint8, per tensor.
TEST(QuantizationNumerics, OnnxQuantizeLinear) {
  const float x[] = {0.0f, 2.0f, 3.0f, 1000.0f, -254.0f, -1000.0f};
  const int32_t expected[] = {128, 129, 130, 255, 1, 0};
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(quantizeAffine(x[i], 2.0f, 128, 0, 255), expected[i])
        << "element " << i;
}

/// ONNX backend test test_quantizelinear_axis: x[1, 3, 3, 2], per-channel
/// along axis 1.
TEST(QuantizationNumerics, OnnxQuantizeLinearAxis) {
  const float x[] = {-162.0f, 10.0f,   -100.0f, 232.0f,  -20.0f,  -50.0f,
                     -76.0f,  0.0f,    0.0f,    252.0f,  32.0f,   -44.0f,
                     245.0f,  -485.0f, -960.0f, -270.0f, -375.0f, -470.0f};
  const float scales[] = {2.0f, 4.0f, 5.0f};
  const int32_t zeroPoints[] = {84, 24, 196};
  const int32_t expected[] = {3,  89, 34, 200, 74, 59, 5,   24,  24,
                              87, 32, 13, 245, 99, 4,  142, 121, 102};
  for (size_t i = 0; i < 18; ++i) {
    size_t channel = i / 6;
    EXPECT_EQ(
        quantizeAffine(x[i], scales[channel], zeroPoints[channel], 0, 255),
        expected[i])
        << "element " << i;
  }
}

/// ONNX backend tests test_dequantizelinear and test_dequantizelinear_axis.
TEST(QuantizationNumerics, OnnxDequantizeLinear) {
  const int32_t q[] = {0, 3, 128, 255};
  const float expected[] = {-256.0f, -250.0f, 0.0f, 254.0f};
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(dequantizeAffine(q[i], 2.0f, 128), expected[i]);

  const int32_t qAxis[] = {3,  89, 34, 200, 74, 59, 5,   24,  24,
                           87, 32, 13, 245, 99, 4,  142, 121, 102};
  const float scales[] = {2.0f, 4.0f, 5.0f};
  const int32_t zeroPoints[] = {84, 24, 196};
  const float expectedAxis[] = {-162.0f, 10.0f,   -100.0f, 232.0f,  -20.0f,
                                -50.0f,  -76.0f,  0.0f,    0.0f,    252.0f,
                                32.0f,   -44.0f,  245.0f,  -485.0f, -960.0f,
                                -270.0f, -375.0f, -470.0f};
  for (size_t i = 0; i < 18; ++i)
    EXPECT_EQ(dequantizeAffine(qAxis[i], scales[i / 6], zeroPoints[i / 6]),
              expectedAxis[i]);
}

TEST(QuantizationNumerics, ChooseAffineParamsMatchesOnnxRuntime) {
  // The cases of ONNX Runtime's test_quant_util.py (compute_scale_zp).
  AffineParams symmetric = chooseAffineParams(-1.0f, 2.0f, 8, true, true, true);
  EXPECT_EQ(symmetric.zeroPoint, 0);
  EXPECT_EQ(symmetric.scale, 2.0f / 127.0f);

  AffineParams asymmetric =
      chooseAffineParams(-1.0f, 2.0f, 8, true, false, true);
  EXPECT_EQ(asymmetric.zeroPoint, -42);
  EXPECT_EQ(asymmetric.scale, 3.0f / 254.0f);

  AffineParams asymmetricUint8 =
      chooseAffineParams(-1.0f, 2.0f, 8, false, false, false);
  EXPECT_EQ(asymmetricUint8.zeroPoint, 85);
  EXPECT_EQ(asymmetricUint8.scale, 3.0f / 255.0f);

  // Symmetric uint8: ONNX Runtime's zero point 128, but scale absmax / 127
  // (ONNX Runtime: 2 * absmax / 255), so +absmax maps to 255 unclipped.
  AffineParams symmetricUint8 =
      chooseAffineParams(-1.0f, 2.0f, 8, false, true, false);
  EXPECT_EQ(symmetricUint8.zeroPoint, 128);
  EXPECT_EQ(symmetricUint8.scale, 2.0f / 127.0f);
  EXPECT_EQ(quantizeAffine(2.0f, symmetricUint8.scale, 128, 0, 255), 255);
  EXPECT_EQ(quantizeAffine(-2.0f, symmetricUint8.scale, 128, 0, 255), 1);
}

TEST(QuantizationNumerics, ChooseAffineParamsConventions) {
  // Symmetric full-range int8 divides by 127 too: nothing clips.
  AffineParams full = chooseAffineParams(-3.0f, 1.0f, 8, true, true, false);
  EXPECT_EQ(full.zeroPoint, 0);
  EXPECT_EQ(full.scale, 3.0f / 127.0f);
  EXPECT_EQ(quantizeAffine(-3.0f, full.scale, 0, -128, 127), -127);

  AffineParams int4 = chooseAffineParams(-0.5f, 0.7f, 4, true, true, false);
  EXPECT_EQ(int4.scale, 0.7f / 7.0f);

  // The range always includes 0, so a real zero is exact.
  AffineParams positive =
      chooseAffineParams(2.0f, 10.0f, 8, true, false, false);
  EXPECT_EQ(positive.zeroPoint, -128);
  EXPECT_EQ(positive.scale, 10.0f / 255.0f);
  EXPECT_EQ(quantizeAffine(0.0f, positive.scale, positive.zeroPoint, -128, 127),
            -128);
  AffineParams negative =
      chooseAffineParams(-10.0f, -2.0f, 8, false, false, false);
  EXPECT_EQ(negative.zeroPoint, 255);
  EXPECT_EQ(quantizeAffine(0.0f, negative.scale, negative.zeroPoint, 0, 255),
            255);
  AffineParams mixed = chooseAffineParams(-0.3f, 5.1f, 8, false, false, false);
  int32_t zero = quantizeAffine(0.0f, mixed.scale, mixed.zeroPoint, 0, 255);
  EXPECT_EQ(zero, mixed.zeroPoint);
  EXPECT_EQ(dequantizeAffine(zero, mixed.scale, mixed.zeroPoint), 0.0f);
}

TEST(QuantizationNumerics, ChooseAffineParamsDegenerate) {
  for (bool symmetric : {false, true}) {
    for (bool isSigned : {false, true}) {
      AffineParams params =
          chooseAffineParams(0.0f, 0.0f, 8, isSigned, symmetric, false);
      EXPECT_EQ(params.scale, 1.0f);
      int32_t expectedZero = symmetric && !isSigned ? 128 : 0;
      EXPECT_EQ(params.zeroPoint, expectedZero);
    }
  }
  // Narrow uint8 cannot hold 0 as a code; 0 is clamped to 1.
  EXPECT_EQ(chooseAffineParams(0.0f, 0.0f, 8, false, false, true).zeroPoint, 1);
  // A range below FLT_MIN per step is degenerate as well.
  EXPECT_EQ(chooseAffineParams(-1e-40f, 1e-40f, 8, true, true, true).scale,
            1.0f);
  // NaN bounds count as 0, infinities as the largest float.
  EXPECT_EQ(chooseAffineParams(NAN, NAN, 8, true, false, false).scale, 1.0f);
  AffineParams huge =
      chooseAffineParams(-INFINITY, INFINITY, 8, true, false, false);
  EXPECT_TRUE(std::isfinite(huge.scale));
  EXPECT_GT(huge.scale, 0.0f);
}

//===----------------------------------------------------------------------===//
// Blocked weight quantization
//===----------------------------------------------------------------------===//

WeightQuantOptions makeOptions(unsigned bits, bool isSigned, bool symmetric,
                               bool narrow, int64_t axis, int64_t groupSize = 0,
                               int64_t groupAxis = -1) {
  WeightQuantOptions options;
  options.format = IntegerFormat{bits, isSigned, symmetric, narrow};
  options.axis = axis;
  options.groupSize = groupSize;
  options.groupAxis = groupAxis;
  return options;
}

TEST(QuantizationNumerics, PerChannelWeights) {
  // [2, 4], output channels along axis 0.
  const std::vector<float> data = {-1.0f, 0.3f,  0.25f, 1.0f,
                                   3.0f,  -4.0f, 0.0f,  1.0f};
  auto result =
      quantizeWeights(data, {2, 4}, makeOptions(8, true, true, true, 0));
  ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
  EXPECT_EQ(result->numChannels, 2);
  EXPECT_EQ(result->numGroups, 1);
  EXPECT_EQ(result->blockSizes, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(result->scales, (std::vector<float>{1.0f / 127, 4.0f / 127}));
  EXPECT_EQ(result->zeroPoints, (std::vector<int32_t>{0, 0}));
  EXPECT_EQ(result->codes,
            (std::vector<int8_t>{-127, 38, 32, 127, 95, -127, 0, 32}));
  std::vector<float> restored = dequantizeWeights(*result, {2, 4});
  for (size_t i = 0; i < data.size(); ++i)
    EXPECT_NEAR(restored[i], data[i], result->scales[i / 4] / 2);
}

TEST(QuantizationNumerics, PerTensorUnsignedWeights) {
  const std::vector<float> data = {-1.0f, 0.0f, 2.0f, 1.2f};
  auto result =
      quantizeWeights(data, {4}, makeOptions(8, false, false, false, -1));
  ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
  ASSERT_EQ(result->scales.size(), 1u);
  EXPECT_EQ(result->scales[0], 3.0f / 255);
  EXPECT_EQ(result->zeroPoints[0], 85);
  // uint8 codes above 127 are stored as bit patterns; getCode decodes them.
  EXPECT_EQ(result->getCode(0), 0);
  EXPECT_EQ(result->getCode(1), 85);
  EXPECT_EQ(result->getCode(2), 255);
  EXPECT_EQ(result->getCode(3), 187);
}

TEST(QuantizationNumerics, PerGroupWeightsAlongRows) {
  // Gemm-style [N = 2, K = 8] with groups of 4 along K (axis 1).
  std::vector<float> data(16);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<float>(i) * (i % 3 == 0 ? -0.25f : 0.5f);
  auto result =
      quantizeWeights(data, {2, 8}, makeOptions(4, true, true, true, 0, 4));
  ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
  EXPECT_EQ(result->groupAxis, 1);
  EXPECT_EQ(result->numChannels, 2);
  EXPECT_EQ(result->numGroups, 2);
  EXPECT_EQ(result->blockSizes, (std::vector<int64_t>{1, 4}));
  ASSERT_EQ(result->scales.size(), 4u);
  for (int64_t channel = 0; channel < 2; ++channel) {
    for (int64_t group = 0; group < 2; ++group) {
      float absmax = 0.0f;
      for (int64_t k = group * 4; k < group * 4 + 4; ++k)
        absmax = std::max(absmax, std::fabs(data[channel * 8 + k]));
      EXPECT_EQ(result->scales[channel * 2 + group], absmax / 7.0f)
          << "block " << channel << ", " << group;
    }
  }
  for (int8_t code : result->codes) {
    EXPECT_GE(code, -7);
    EXPECT_LE(code, 7);
  }
}

TEST(QuantizationNumerics, PerGroupWeightsAlongColumns) {
  // MatMul-style B [K = 8, N = 3]: channels along axis 1, groups along K.
  std::mt19937 random(7);
  std::uniform_real_distribution<float> uniform(-2.0f, 3.0f);
  std::vector<float> data(24);
  for (float &value : data)
    value = uniform(random);
  auto result =
      quantizeWeights(data, {8, 3}, makeOptions(4, false, false, false, 1, 4));
  ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
  EXPECT_EQ(result->groupAxis, 0);
  EXPECT_EQ(result->blockSizes, (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(result->numChannels, 3);
  EXPECT_EQ(result->numGroups, 2);
  std::vector<float> restored = dequantizeWeights(*result, {8, 3});
  for (int64_t k = 0; k < 8; ++k) {
    for (int64_t n = 0; n < 3; ++n) {
      size_t block = n * 2 + k / 4;
      size_t index = k * 3 + n;
      EXPECT_NEAR(restored[index], data[index],
                  result->scales[block] * 0.5001f);
      EXPECT_GE(result->getCode(index), 0);
      EXPECT_LE(result->getCode(index), 15);
    }
  }
}

TEST(QuantizationNumerics, WeightQuantizationErrors) {
  std::vector<float> data(2 * 100, 1.0f);
  auto notDividing =
      quantizeWeights(data, {2, 100}, makeOptions(4, true, true, true, 0, 128));
  ASSERT_FALSE(bool(notDividing));
  EXPECT_EQ(errorOf(notDividing.takeError()),
            "group size 128 does not divide dimension 1 (size 100) of weight "
            "shape [2, 100]");

  auto badSize =
      quantizeWeights(data, {3, 100}, makeOptions(8, true, true, true, 0));
  ASSERT_FALSE(bool(badSize));
  EXPECT_EQ(errorOf(badSize.takeError()),
            "weight data has 200 elements but shape [3, 100] holds 300");

  auto badAxis =
      quantizeWeights(data, {2, 100}, makeOptions(8, true, true, true, 2));
  ASSERT_FALSE(bool(badAxis));
  EXPECT_EQ(errorOf(badAxis.takeError()),
            "channel axis 2 is out of range for weight shape [2, 100]");

  auto sameAxis = quantizeWeights(data, {2, 100},
                                  makeOptions(8, true, true, true, 1, 10, 1));
  ASSERT_FALSE(bool(sameAxis));
  EXPECT_NE(errorOf(sameAxis.takeError()).find("is the channel axis"),
            std::string::npos);

  auto tooWide =
      quantizeWeights(data, {2, 100}, makeOptions(16, true, true, true, 0));
  ASSERT_FALSE(bool(tooWide));
  EXPECT_EQ(errorOf(tooWide.takeError()),
            "cannot quantize weights to 16 bits: weight codes are 2 to 8 bits "
            "wide");
}

//===----------------------------------------------------------------------===//
// int4 packing
//===----------------------------------------------------------------------===//

TEST(QuantizationNumerics, PackInt4LowNibbleFirst) {
  const std::vector<int8_t> codes = {1, -2, 7, -8, 0};
  std::vector<uint8_t> packed = packInt4(codes);
  // Element 0 in the low nibble (ONNX INT4); the odd tail pads with 0.
  EXPECT_EQ(packed, (std::vector<uint8_t>{0xE1, 0x87, 0x00}));
  EXPECT_EQ(unpackInt4(packed, 5, /*isSigned=*/true), codes);
  EXPECT_EQ(unpackInt4(packed, 5, /*isSigned=*/false),
            (std::vector<int8_t>{1, 14, 7, 8, 0}));

  EXPECT_EQ(packInt4({15, 0, 3}), (std::vector<uint8_t>{0x0F, 0x03}));
  EXPECT_EQ(packInt4({}), std::vector<uint8_t>{});
}

TEST(QuantizationNumerics, PackInt4RoundTrip) {
  for (bool isSigned : {true, false}) {
    for (size_t count : {1u, 2u, 7u, 16u, 33u}) {
      std::vector<int8_t> codes(count);
      for (size_t i = 0; i < count; ++i)
        codes[i] = static_cast<int8_t>(isSigned ? int(i * 5 % 16) - 8
                                                : int(i * 7 % 16));
      std::vector<uint8_t> packed = packInt4(codes);
      EXPECT_EQ(packed.size(), (count + 1) / 2);
      EXPECT_EQ(unpackInt4(packed, count, isSigned), codes)
          << "count " << count << ", signed " << isSigned;
    }
  }
}

//===----------------------------------------------------------------------===//
// NF4
//===----------------------------------------------------------------------===//

TEST(QuantizationNumerics, NF4Table) {
  // bitsandbytes' dDequantizeNF4 (csrc/kernels.cu), code 0 to 15.
  const float expected[16] = {-1.0f,
                              -0.6961928009986877f,
                              -0.5250730514526367f,
                              -0.39491748809814453f,
                              -0.28444138169288635f,
                              -0.18477343022823334f,
                              -0.09105003625154495f,
                              0.0f,
                              0.07958029955625534f,
                              0.16093020141124725f,
                              0.24611230194568634f,
                              0.33791524171829224f,
                              0.44070982933044434f,
                              0.5626170039176941f,
                              0.7229568362236023f,
                              1.0f};
  for (size_t i = 0; i < 16; ++i) {
    EXPECT_EQ(kNF4Table[i], expected[i]);
    EXPECT_EQ(quantizeNF4Value(expected[i]), i);
  }
}

TEST(QuantizationNumerics, NF4TiesGoDown) {
  // bitsandbytes' dQuantizeNF4 thresholds: `x > threshold` takes the upper
  // level, so a value exactly on the threshold takes the lower one.
  struct Threshold {
    float value;
    uint8_t lower;
  } thresholds[] = {{-0.8480964004993439f, 0},  {-0.6106329262256622f, 1},
                    {-0.4599952697753906f, 2},  {0.03979014977812767f, 7},
                    {0.1202552504837513f, 8},   {0.2035212516784668f, 9},
                    {0.2920137718319893f, 10},  {0.3893125355243683f, 11},
                    {0.5016634166240692f, 12},  {0.6427869200706482f, 13},
                    {0.8614784181118011f, 14},  {-0.045525018125772476f, 6},
                    {-0.13791173323988914f, 5}, {-0.23460740596055984f, 4},
                    {-0.33967943489551544f, 3}};
  for (const Threshold &threshold : thresholds) {
    EXPECT_EQ(quantizeNF4Value(threshold.value), threshold.lower)
        << threshold.value;
    EXPECT_EQ(quantizeNF4Value(std::nextafter(threshold.value, 2.0f)),
              threshold.lower + 1)
        << threshold.value;
  }
  EXPECT_EQ(quantizeNF4Value(-2.0f), 0);
  EXPECT_EQ(quantizeNF4Value(2.0f), 15);
  EXPECT_EQ(quantizeNF4Value(NAN), 7);
}

TEST(QuantizationNumerics, NF4RoundTrip) {
  std::mt19937 random(3);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<float> data(4 * 128);
  for (float &value : data)
    value = normal(random);
  data[5] = 0.0f;
  auto result = quantizeNF4(data, {4, 128}, /*axis=*/0, /*groupSize=*/64);
  ASSERT_TRUE(bool(result)) << llvm::toString(result.takeError());
  EXPECT_EQ(result->numChannels, 4);
  EXPECT_EQ(result->numGroups, 2);
  EXPECT_TRUE(result->zeroPoints.empty());
  std::vector<float> restored = dequantizeNF4(*result, {4, 128});
  // The widest gap between levels is 1 - 0.7229 = 0.277.
  for (size_t i = 0; i < data.size(); ++i) {
    float absmax = result->scales[(i / 128) * 2 + (i % 128) / 64];
    EXPECT_NEAR(restored[i], data[i], absmax * 0.139f) << i;
  }
  EXPECT_EQ(result->codes[5], 7);
  EXPECT_EQ(restored[5], 0.0f);
  // Each block's absmax element is exact.
  for (size_t block = 0; block < 8; ++block) {
    size_t begin = (block / 2) * 128 + (block % 2) * 64;
    bool found = false;
    for (size_t i = begin; i < begin + 64; ++i)
      found |=
          std::fabs(data[i]) == result->scales[block] && restored[i] == data[i];
    EXPECT_TRUE(found) << "block " << block;
  }

  auto zeros = quantizeNF4(std::vector<float>(64, 0.0f), {64}, -1, 64);
  ASSERT_TRUE(bool(zeros));
  EXPECT_EQ(zeros->scales, std::vector<float>{0.0f});
  EXPECT_EQ(dequantizeNF4(*zeros, {64}), std::vector<float>(64, 0.0f));

  auto bad = quantizeNF4(data, {4, 128}, 0, 48);
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(errorOf(bad.takeError()),
            "group size 48 does not divide dimension 1 (size 128) of weight "
            "shape [4, 128]");
}

//===----------------------------------------------------------------------===//
// FP8 E4M3FN
//===----------------------------------------------------------------------===//

TEST(QuantizationNumerics, E4M3FNDecodeSpecValues) {
  // OCP 8-bit floating point v1.0, E4M3: bias 7, no infinities.
  EXPECT_EQ(e4m3fnToFloat(0x00), 0.0f);
  EXPECT_FALSE(std::signbit(e4m3fnToFloat(0x00)));
  EXPECT_EQ(e4m3fnToFloat(0x01), 0.001953125f); // 2^-9, min subnormal
  EXPECT_EQ(e4m3fnToFloat(0x07), 0.013671875f); // 7 * 2^-9, max subnormal
  EXPECT_EQ(e4m3fnToFloat(0x08), 0.015625f);    // 2^-6, min normal
  EXPECT_EQ(e4m3fnToFloat(0x38), 1.0f);
  EXPECT_EQ(e4m3fnToFloat(0x3F), 1.875f);
  EXPECT_EQ(e4m3fnToFloat(0x40), 2.0f);
  EXPECT_EQ(e4m3fnToFloat(0x77), 240.0f);
  EXPECT_EQ(e4m3fnToFloat(0x78), 256.0f);
  EXPECT_EQ(e4m3fnToFloat(0x7E), 448.0f); // max normal
  EXPECT_TRUE(std::isnan(e4m3fnToFloat(0x7F)));
  EXPECT_EQ(e4m3fnToFloat(0x80), 0.0f);
  EXPECT_TRUE(std::signbit(e4m3fnToFloat(0x80))); // -0
  EXPECT_EQ(e4m3fnToFloat(0x81), -0.001953125f);
  EXPECT_EQ(e4m3fnToFloat(0xFE), -448.0f);
  EXPECT_TRUE(std::isnan(e4m3fnToFloat(0xFF)));
}

TEST(QuantizationNumerics, E4M3FNAllCodes) {
  // Every code against the spec formula, and encode(decode(c)) == c.
  for (int code = 0; code < 256; ++code) {
    int exponent = (code >> 3) & 0xF;
    int mantissa = code & 0x7;
    double sign = (code & 0x80) ? -1.0 : 1.0;
    float decoded = e4m3fnToFloat(static_cast<uint8_t>(code));
    if (exponent == 15 && mantissa == 7) {
      EXPECT_TRUE(std::isnan(decoded)) << code;
      continue;
    }
    double expected = exponent == 0 ? sign * mantissa * std::pow(2.0, -9)
                                    : sign * (1.0 + mantissa / 8.0) *
                                          std::pow(2.0, exponent - 7);
    EXPECT_EQ(decoded, static_cast<float>(expected)) << code;
    EXPECT_EQ(floatToE4M3FN(decoded), code) << code;
    EXPECT_EQ(floatToE4M3FN(decoded, /*saturate=*/false), code) << code;
  }
}

TEST(QuantizationNumerics, E4M3FNRoundsToNearestEven) {
  // Between 1.0 (0x38, even) and 1.125 (0x39): the tie goes to 0x38.
  EXPECT_EQ(floatToE4M3FN(1.0625f), 0x38);
  EXPECT_EQ(floatToE4M3FN(std::nextafter(1.0625f, 2.0f)), 0x39);
  EXPECT_EQ(floatToE4M3FN(std::nextafter(1.0625f, 0.0f)), 0x38);
  // Between 1.125 (0x39) and 1.25 (0x3A, even): the tie goes up.
  EXPECT_EQ(floatToE4M3FN(1.1875f), 0x3A);
  EXPECT_EQ(floatToE4M3FN(-1.1875f), 0xBA);
  // Binade carry: 1.9375 is halfway between 1.875 (0x3F) and 2.0 (0x40).
  EXPECT_EQ(floatToE4M3FN(1.9375f), 0x40);
  // Subnormal ties: 0.5 * 2^-9 -> 0; 1.5 * 2^-9 -> 2 * 2^-9.
  EXPECT_EQ(floatToE4M3FN(std::ldexp(0.5f, -9)), 0x00);
  EXPECT_EQ(floatToE4M3FN(std::ldexp(1.5f, -9)), 0x02);
  EXPECT_EQ(floatToE4M3FN(std::ldexp(2.5f, -9)), 0x02);
  EXPECT_EQ(floatToE4M3FN(std::ldexp(0.75f, -9)), 0x01);
  // Max subnormal to min normal: 7.5 * 2^-9 ties to 8 * 2^-9 = 0x08.
  EXPECT_EQ(floatToE4M3FN(std::ldexp(7.5f, -9)), 0x08);
  EXPECT_EQ(floatToE4M3FN(1e-10f), 0x00);
  EXPECT_EQ(floatToE4M3FN(-1e-10f), 0x80);
  EXPECT_EQ(floatToE4M3FN(-0.0f), 0x80);
}

TEST(QuantizationNumerics, E4M3FNSaturation) {
  EXPECT_EQ(floatToE4M3FN(448.0f), 0x7E);
  EXPECT_EQ(floatToE4M3FN(460.0f), 0x7E);
  // 464 is halfway between 448 and 480 (which would be the NaN code): even.
  EXPECT_EQ(floatToE4M3FN(464.0f, /*saturate=*/false), 0x7E);
  EXPECT_EQ(floatToE4M3FN(465.0f, /*saturate=*/true), 0x7E);
  EXPECT_EQ(floatToE4M3FN(465.0f, /*saturate=*/false), 0x7F);
  EXPECT_EQ(floatToE4M3FN(1e9f), 0x7E);
  EXPECT_EQ(floatToE4M3FN(-1e9f), 0xFE);
  EXPECT_EQ(floatToE4M3FN(-1e9f, false), 0xFF);
  EXPECT_EQ(floatToE4M3FN(INFINITY), 0x7E);
  EXPECT_EQ(floatToE4M3FN(-INFINITY), 0xFE);
  EXPECT_EQ(floatToE4M3FN(INFINITY, false), 0x7F);
  EXPECT_EQ(floatToE4M3FN(-INFINITY, false), 0xFF);
  EXPECT_EQ(floatToE4M3FN(NAN), 0x7F);
  EXPECT_EQ(floatToE4M3FN(-NAN) & 0x7F, 0x7F);
}

TEST(QuantizationNumerics, FP8Scale) {
  EXPECT_EQ(chooseFP8Scale(448.0f), 1.0f);
  EXPECT_EQ(chooseFP8Scale(8.96f), 8.96f / 448.0f);
  EXPECT_EQ(chooseFP8Scale(0.0f), 1.0f);
  EXPECT_EQ(chooseFP8Scale(NAN), 1.0f);
  float scale = chooseFP8Scale(2.0f);
  std::vector<uint8_t> codes = quantizeFP8({2.0f, -2.0f, 0.0f, 3.0f}, scale);
  EXPECT_EQ(codes, (std::vector<uint8_t>{0x7E, 0xFE, 0x00, 0x7E}));
}

//===----------------------------------------------------------------------===//
// Ternary
//===----------------------------------------------------------------------===//

TEST(QuantizationNumerics, Ternary) {
  const std::vector<float> weights = {0.5f, -1.2f, 0.05f, 0.0f, 2.0f, -0.2f};
  float scale = ternaryScale(weights);
  EXPECT_FLOAT_EQ(scale, 3.95f / 6.0f);
  EXPECT_EQ(quantizeTernary(weights, scale),
            (std::vector<int8_t>{1, -1, 0, 0, 1, 0}));
  // Exactly half the scale ties to even (0).
  EXPECT_EQ(quantizeTernary({0.5f, -0.5f, 1.5f}, 1.0f),
            (std::vector<int8_t>{0, 0, 1}));
  EXPECT_EQ(ternaryScale(std::vector<float>(8, 0.0f)), kTernaryMinScale);
  EXPECT_EQ(ternaryScale({}), kTernaryMinScale);
  EXPECT_EQ(ternaryScale({NAN, 2.0f, -4.0f}), 3.0f);
  EXPECT_EQ(quantizeTernary({NAN}, 1.0f), std::vector<int8_t>{0});
}

} // namespace
