//===- TensorFilesTest.cpp - .npy, .npz and TensorProto files -------------===//
//
// Byte-level fixtures are built here rather than checked in, so each test
// shows exactly which bytes it feeds the parser.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Artifact/TensorFiles.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <cstring>
#include <zlib.h>

using namespace lowbit;

namespace {

/// The message of a failed Expected, or "" if it succeeded.
template <typename T> std::string errorOf(llvm::Expected<T> value) {
  if (value)
    return "";
  return llvm::toString(value.takeError());
}

template <typename T>
std::vector<uint8_t> bytesOf(std::initializer_list<T> values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}

/// A .npy file with the given version and header text (unpadded: the
/// parser must not rely on NumPy's padding).
std::string makeNpy(unsigned major, llvm::StringRef header,
                    llvm::ArrayRef<uint8_t> data) {
  std::string bytes = "\x93NUMPY";
  bytes += static_cast<char>(major);
  bytes += '\0';
  uint32_t length = header.size();
  bytes.append(reinterpret_cast<const char *>(&length), major == 1 ? 2 : 4);
  bytes += header;
  bytes.append(data.begin(), data.end());
  return bytes;
}

TensorData makeTensor(lowbit_dtype dtype, std::vector<int64_t> shape,
                      std::vector<uint8_t> data, std::string name = "t") {
  TensorData tensor;
  tensor.name = std::move(name);
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  tensor.data = std::move(data);
  return tensor;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

TEST(NpyTest, ParsesVersion1Header) {
  std::string file =
      makeNpy(1,
              "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
              "          \n",
              bytesOf<float>({1, 2, 3, 4, 5, 6}));
  llvm::Expected<TensorData> tensor = parseNpy(file, "a.npy", "a");
  ASSERT_TRUE(!!tensor) << llvm::toString(tensor.takeError());
  EXPECT_EQ(tensor->name, "a");
  EXPECT_EQ(tensor->dtype, LOWBIT_DTYPE_FLOAT32);
  EXPECT_EQ(tensor->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(tensor->data, bytesOf<float>({1, 2, 3, 4, 5, 6}));
}

TEST(NpyTest, ParsesVersion2And3Headers) {
  for (unsigned major : {2u, 3u}) {
    std::string file = makeNpy(
        major, "{'shape': (3,), 'fortran_order': False, 'descr': '<i8'}\n",
        bytesOf<int64_t>({-1, 0, 1}));
    llvm::Expected<TensorData> tensor = parseNpy(file, "b.npy");
    ASSERT_TRUE(!!tensor) << llvm::toString(tensor.takeError());
    EXPECT_EQ(tensor->dtype, LOWBIT_DTYPE_INT64);
    EXPECT_EQ(tensor->shape, (std::vector<int64_t>{3}));
  }
}

TEST(NpyTest, ParsesScalarAndEmpty) {
  llvm::Expected<TensorData> scalar = parseNpy(
      makeNpy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
              bytesOf<double>({2.5})),
      "s.npy");
  ASSERT_TRUE(!!scalar) << llvm::toString(scalar.takeError());
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->getNumElements(), 1);

  llvm::Expected<TensorData> empty = parseNpy(
      makeNpy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 4), }",
              {}),
      "e.npy");
  ASSERT_TRUE(!!empty) << llvm::toString(empty.takeError());
  EXPECT_EQ(empty->getNumElements(), 0);
}

TEST(NpyTest, MapsEveryDescr) {
  struct Case {
    const char *descr;
    lowbit_dtype dtype;
  } cases[] = {
      {"<f4", LOWBIT_DTYPE_FLOAT32}, {"<f8", LOWBIT_DTYPE_FLOAT64},
      {"<f2", LOWBIT_DTYPE_FLOAT16}, {"|i1", LOWBIT_DTYPE_INT8},
      {"<i2", LOWBIT_DTYPE_INT16},   {"<i4", LOWBIT_DTYPE_INT32},
      {"<i8", LOWBIT_DTYPE_INT64},   {"|u1", LOWBIT_DTYPE_UINT8},
      {"<u2", LOWBIT_DTYPE_UINT16},  {"<u4", LOWBIT_DTYPE_UINT32},
      {"<u8", LOWBIT_DTYPE_UINT64},  {"|b1", LOWBIT_DTYPE_BOOL},
  };
  for (const Case &c : cases) {
    std::string header = std::string("{'descr': '") + c.descr +
                         "', 'fortran_order': False, 'shape': (2,), }";
    std::vector<uint8_t> data(2 * getDTypeSize(c.dtype), 0);
    llvm::Expected<TensorData> tensor =
        parseNpy(makeNpy(1, header, data), "d.npy");
    ASSERT_TRUE(!!tensor) << c.descr << ": "
                          << llvm::toString(tensor.takeError());
    EXPECT_EQ(tensor->dtype, c.dtype) << c.descr;
  }
}

TEST(NpyTest, RoundTripsEveryDType) {
  for (lowbit_dtype dtype :
       {LOWBIT_DTYPE_FLOAT32, LOWBIT_DTYPE_UINT8, LOWBIT_DTYPE_INT8,
        LOWBIT_DTYPE_UINT16, LOWBIT_DTYPE_INT16, LOWBIT_DTYPE_INT32,
        LOWBIT_DTYPE_INT64, LOWBIT_DTYPE_BOOL, LOWBIT_DTYPE_FLOAT16,
        LOWBIT_DTYPE_FLOAT64, LOWBIT_DTYPE_UINT32, LOWBIT_DTYPE_UINT64}) {
    for (std::vector<int64_t> shape :
         {std::vector<int64_t>{}, {5}, {2, 3, 4}}) {
      TensorData original = makeTensor(dtype, shape, {});
      original.data.resize(original.getNumElements() * getDTypeSize(dtype));
      for (size_t i = 0; i < original.data.size(); ++i)
        original.data[i] = dtype == LOWBIT_DTYPE_BOOL ? i % 2 : i * 7 + 1;
      std::string bytes = serializeNpy(original);
      // NumPy aligns the data to 64 bytes.
      EXPECT_EQ((bytes.size() - original.data.size()) % 64, 0u);
      llvm::Expected<TensorData> parsed = parseNpy(bytes, "r.npy", "t");
      ASSERT_TRUE(!!parsed) << llvm::toString(parsed.takeError());
      EXPECT_EQ(parsed->dtype, dtype);
      EXPECT_EQ(parsed->shape, shape);
      EXPECT_EQ(parsed->data, original.data);
    }
  }
}

TEST(NpyTest, SerializesLikeNumPy) {
  // np.save of np.zeros((3,), np.float32) starts with exactly this header.
  std::string bytes = serializeNpy(
      makeTensor(LOWBIT_DTYPE_FLOAT32, {3}, bytesOf<float>({0, 0, 0})));
  ASSERT_EQ(bytes.size(), 128u + 12u);
  llvm::StringRef header = llvm::StringRef(bytes).substr(10, 118);
  EXPECT_EQ(header.rtrim(" \n"),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
  EXPECT_EQ(header.back(), '\n');
}

TEST(NpyTest, RejectsFortranOrder) {
  std::string message = errorOf(parseNpy(
      makeNpy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
              bytesOf<float>({1, 2, 3, 4})),
      "f.npy"));
  EXPECT_NE(message.find("f.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("Fortran-order"), std::string::npos) << message;
}

TEST(NpyTest, RejectsBadFiles) {
  struct Case {
    std::string bytes;
    const char *expected;
  } cases[] = {
      {"PK\x03\x04 not npy", "bad magic"},
      {std::string("\x93NUMPY\x01", 7), "truncated .npy header"},
      {makeNpy(1, "{'descr': '<f4'", {}).substr(0, 12),
       "truncated .npy header"},
      {makeNpy(4, "{}", {}), "unsupported .npy format version 4.0"},
      {makeNpy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
               bytesOf<float>({1})),
       "big-endian"},
      {makeNpy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
               bytesOf<float>({1, 2})),
       "unsupported dtype '<c8'"},
      {makeNpy(1,
               "{'descr': [('a', '<f4')], 'fortran_order': False, "
               "'shape': (1,), }",
               bytesOf<float>({1})),
       "structured arrays"},
      {makeNpy(1, "{'descr': '<f4', 'fortran_order': False, }", {}),
       "no 'shape'"},
      {makeNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
               {}),
       "non-negative integers"},
      {makeNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
               bytesOf<float>({1, 2, 3})),
       "truncated data: float32[4] needs 16 bytes, the file holds 12"},
      {makeNpy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
               bytesOf<float>({1, 2})),
       "4 unexpected bytes after the float32[1] data"},
      {makeNpy(1,
               "{'descr': '<f4', 'fortran_order': False, 'shape': "
               "(4294967296, 4294967296, 4294967296), }",
               {}),
       "too large"},
  };
  for (const Case &c : cases) {
    std::string message = errorOf(parseNpy(c.bytes, "bad.npy"));
    EXPECT_EQ(message.rfind("bad.npy: ", 0), 0u) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << "expected '" << c.expected << "' in: " << message;
  }
}

TEST(NpyTest, ReadsAndWritesFiles) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("npy-test", dir));
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(path, "weights.npy");
  TensorData original =
      makeTensor(LOWBIT_DTYPE_INT32, {2, 2}, bytesOf<int32_t>({1, -2, 3, -4}));
  ASSERT_FALSE(!!writeNpyFile(path, original));
  llvm::Expected<TensorData> read = readNpyFile(path);
  ASSERT_TRUE(!!read) << llvm::toString(read.takeError());
  EXPECT_EQ(read->name, "weights");
  EXPECT_EQ(read->data, original.data);

  llvm::SmallString<128> missing(dir);
  llvm::sys::path::append(missing, "missing.npy");
  std::string message = errorOf(readNpyFile(missing));
  EXPECT_NE(message.find("missing.npy: cannot open"), std::string::npos)
      << message;
  llvm::sys::fs::remove_directories(dir);
}

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

void appendLE(std::string &out, uint64_t value, int size) {
  for (int i = 0; i < size; ++i)
    out += static_cast<char>(value >> (8 * i));
}

/// Raw deflate of `data`, as zip stores it.
std::string rawDeflate(llvm::StringRef data) {
  z_stream stream = {};
  EXPECT_EQ(
      deflateInit2(&stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  stream.avail_in = data.size();
  stream.next_out = reinterpret_cast<Bytef *>(out.data());
  stream.avail_out = out.size();
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

struct ZipMember {
  std::string name;
  std::string data;
};

/// A zip archive the way Python's zipfile writes np.savez output: local
/// headers with zip64 extra fields when `zip64`, then the central directory.
std::string makeZip(const std::vector<ZipMember> &members, bool deflated,
                    bool zip64) {
  std::string archive, directory;
  for (const ZipMember &member : members) {
    std::string stored = deflated ? rawDeflate(member.data) : member.data;
    uint32_t crc = crc32(0, reinterpret_cast<const Bytef *>(member.data.data()),
                         member.data.size());
    uint64_t offset = archive.size();
    std::string extra;
    if (zip64) {
      appendLE(extra, 1, 2);
      appendLE(extra, 16, 2);
      appendLE(extra, member.data.size(), 8);
      appendLE(extra, stored.size(), 8);
    }
    uint16_t method = deflated ? 8 : 0;
    appendLE(archive, 0x04034b50, 4);
    appendLE(archive, zip64 ? 45 : 20, 2);
    appendLE(archive, 0, 2);
    appendLE(archive, method, 2);
    appendLE(archive, 0, 4); // Time and date.
    appendLE(archive, crc, 4);
    appendLE(archive, zip64 ? 0xffffffffu : stored.size(), 4);
    appendLE(archive, zip64 ? 0xffffffffu : member.data.size(), 4);
    appendLE(archive, member.name.size(), 2);
    appendLE(archive, extra.size(), 2);
    archive += member.name + extra + stored;

    appendLE(directory, 0x02014b50, 4);
    appendLE(directory, 20, 2);
    appendLE(directory, 20, 2);
    appendLE(directory, 0, 2);
    appendLE(directory, method, 2);
    appendLE(directory, 0, 4);
    appendLE(directory, crc, 4);
    appendLE(directory, stored.size(), 4);
    appendLE(directory, member.data.size(), 4);
    appendLE(directory, member.name.size(), 2);
    appendLE(directory, 0, 2);
    appendLE(directory, 0, 2);
    appendLE(directory, 0, 2);
    appendLE(directory, 0, 2);
    appendLE(directory, 0, 4);
    appendLE(directory, offset, 4);
    directory += member.name;
  }
  uint64_t directoryOffset = archive.size();
  archive += directory;
  appendLE(archive, 0x06054b50, 4);
  appendLE(archive, 0, 4);
  appendLE(archive, members.size(), 2);
  appendLE(archive, members.size(), 2);
  appendLE(archive, directory.size(), 4);
  appendLE(archive, directoryOffset, 4);
  appendLE(archive, 0, 2);
  return archive;
}

std::vector<ZipMember> makeTwoArrays() {
  return {{"x.npy", serializeNpy(makeTensor(LOWBIT_DTYPE_FLOAT32, {2},
                                            bytesOf<float>({1.5f, -2})))},
          {"y.npy", serializeNpy(makeTensor(LOWBIT_DTYPE_INT64, {1, 3},
                                            bytesOf<int64_t>({7, 8, 9})))}};
}

TEST(NpzTest, ReadsStoredAndDeflatedArchives) {
  for (bool deflated : {false, true}) {
    for (bool zip64 : {false, true}) {
      llvm::Expected<std::vector<TensorData>> tensors =
          parseNpz(makeZip(makeTwoArrays(), deflated, zip64), "a.npz");
      ASSERT_TRUE(!!tensors) << llvm::toString(tensors.takeError());
      ASSERT_EQ(tensors->size(), 2u);
      EXPECT_EQ((*tensors)[0].name, "x");
      EXPECT_EQ((*tensors)[0].data, bytesOf<float>({1.5f, -2}));
      EXPECT_EQ((*tensors)[1].name, "y");
      EXPECT_EQ((*tensors)[1].shape, (std::vector<int64_t>{1, 3}));
      EXPECT_EQ((*tensors)[1].data, bytesOf<int64_t>({7, 8, 9}));
    }
  }
}

TEST(NpzTest, RejectsBadArchives) {
  std::string good = makeZip(makeTwoArrays(), /*deflated=*/true, false);
  // Corrupt a byte of the first member's compressed data.
  std::string corrupted = good;
  corrupted[30 + 5 + 10] ^= 0x55;
  struct Case {
    std::string bytes;
    const char *expected;
  } cases[] = {
      {"short", "not a .npz (zip) archive: too short"},
      {std::string(100, 'x'), "no end of central directory record"},
      {good.substr(0, 40) + good.substr(good.size() - 22),
       "truncated or corrupt .npz archive"},
      {corrupted, "'x.npy'"},
      {makeZip({{"z.npy", "garbage"}}, false, false),
       "b.npz[z.npy]: not a .npy file"},
  };
  for (const Case &c : cases) {
    std::string message = errorOf(parseNpz(c.bytes, "b.npz"));
    EXPECT_EQ(message.rfind("b.npz", 0), 0u) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << "expected '" << c.expected << "' in: " << message;
  }
}

//===----------------------------------------------------------------------===//
// TensorProto
//===----------------------------------------------------------------------===//

void appendVarint(std::string &out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

void appendKey(std::string &out, int field, int wireType) {
  appendVarint(out, field << 3 | wireType);
}

void appendBytes(std::string &out, int field, llvm::StringRef bytes) {
  appendKey(out, field, 2);
  appendVarint(out, bytes.size());
  out += bytes;
}

/// dims (packed), data_type and name.
std::string protoHeader(std::vector<int64_t> dims, int dataType,
                        llvm::StringRef name = "t") {
  std::string out, packed;
  for (int64_t dim : dims)
    appendVarint(packed, dim);
  appendBytes(out, 1, packed);
  appendKey(out, 2, 0);
  appendVarint(out, dataType);
  appendBytes(out, 8, name);
  return out;
}

TEST(TensorProtoTest, ReadsRawData) {
  std::string bytes = protoHeader({2, 2}, LOWBIT_DTYPE_FLOAT32, "input");
  std::vector<uint8_t> raw = bytesOf<float>({1, 2, 3, 4});
  appendBytes(
      bytes, 9,
      llvm::StringRef(reinterpret_cast<char *>(raw.data()), raw.size()));
  llvm::Expected<TensorData> tensor = parseTensorProto(bytes, "t.pb");
  ASSERT_TRUE(!!tensor) << llvm::toString(tensor.takeError());
  EXPECT_EQ(tensor->name, "input");
  EXPECT_EQ(tensor->shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(tensor->data, raw);
}

TEST(TensorProtoTest, ReadsTypedFields) {
  // float_data packed.
  std::string floats = protoHeader({3}, LOWBIT_DTYPE_FLOAT32);
  std::vector<uint8_t> floatBytes = bytesOf<float>({0.5f, -1, 2});
  appendBytes(floats, 4,
              llvm::StringRef(reinterpret_cast<char *>(floatBytes.data()),
                              floatBytes.size()));
  llvm::Expected<TensorData> f = parseTensorProto(floats, "f.pb");
  ASSERT_TRUE(!!f) << llvm::toString(f.takeError());
  EXPECT_EQ(f->data, floatBytes);

  // int32_data, unpacked, holding int8 values (negative ones sign-extend).
  std::string int8s = protoHeader({3}, LOWBIT_DTYPE_INT8);
  for (int64_t value : {-128, 5, 127}) {
    appendKey(int8s, 5, 0);
    appendVarint(int8s, static_cast<uint64_t>(value));
  }
  llvm::Expected<TensorData> i8 = parseTensorProto(int8s, "i8.pb");
  ASSERT_TRUE(!!i8) << llvm::toString(i8.takeError());
  EXPECT_EQ(i8->data, bytesOf<int8_t>({-128, 5, 127}));

  // int64_data packed.
  std::string int64s = protoHeader({2}, LOWBIT_DTYPE_INT64), packed;
  appendVarint(packed, static_cast<uint64_t>(-3));
  appendVarint(packed, 1ull << 40);
  appendBytes(int64s, 7, packed);
  llvm::Expected<TensorData> i64 = parseTensorProto(int64s, "i64.pb");
  ASSERT_TRUE(!!i64) << llvm::toString(i64.takeError());
  EXPECT_EQ(i64->data, bytesOf<int64_t>({-3, int64_t(1) << 40}));

  // double_data unpacked, uint64_data for uint32, bool in int32_data.
  std::string doubles = protoHeader({1}, LOWBIT_DTYPE_FLOAT64);
  appendKey(doubles, 10, 1);
  double value = -0.25;
  doubles.append(reinterpret_cast<char *>(&value), 8);
  llvm::Expected<TensorData> f64 = parseTensorProto(doubles, "f64.pb");
  ASSERT_TRUE(!!f64) << llvm::toString(f64.takeError());
  EXPECT_EQ(f64->data, bytesOf<double>({-0.25}));

  std::string uint32s = protoHeader({1}, LOWBIT_DTYPE_UINT32);
  appendKey(uint32s, 11, 0);
  appendVarint(uint32s, 0xfffffffeu);
  llvm::Expected<TensorData> u32 = parseTensorProto(uint32s, "u32.pb");
  ASSERT_TRUE(!!u32) << llvm::toString(u32.takeError());
  EXPECT_EQ(u32->data, bytesOf<uint32_t>({0xfffffffeu}));

  std::string bools = protoHeader({2}, LOWBIT_DTYPE_BOOL);
  appendKey(bools, 5, 0);
  appendVarint(bools, 1);
  appendKey(bools, 5, 0);
  appendVarint(bools, 0);
  llvm::Expected<TensorData> b = parseTensorProto(bools, "b.pb");
  ASSERT_TRUE(!!b) << llvm::toString(b.takeError());
  EXPECT_EQ(b->data, (std::vector<uint8_t>{1, 0}));
}

TEST(TensorProtoTest, RoundTrips) {
  TensorData original = makeTensor(LOWBIT_DTYPE_UINT16, {3, 1},
                                   bytesOf<uint16_t>({1, 65535, 300}), "out");
  llvm::Expected<TensorData> parsed =
      parseTensorProto(serializeTensorProto(original), "r.pb");
  ASSERT_TRUE(!!parsed) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->name, "out");
  EXPECT_EQ(parsed->dtype, LOWBIT_DTYPE_UINT16);
  EXPECT_EQ(parsed->shape, original.shape);
  EXPECT_EQ(parsed->data, original.data);

  // A scalar has no dims at all.
  TensorData scalar =
      makeTensor(LOWBIT_DTYPE_INT32, {}, bytesOf<int32_t>({42}), "");
  parsed = parseTensorProto(serializeTensorProto(scalar), "s.pb");
  ASSERT_TRUE(!!parsed) << llvm::toString(parsed.takeError());
  EXPECT_TRUE(parsed->shape.empty());
  EXPECT_EQ(parsed->data, scalar.data);
}

TEST(TensorProtoTest, RejectsBadFiles) {
  std::string raw = protoHeader({2}, LOWBIT_DTYPE_FLOAT32);
  std::vector<uint8_t> floatBytes = bytesOf<float>({1, 2});
  appendBytes(raw, 9,
              llvm::StringRef(reinterpret_cast<char *>(floatBytes.data()),
                              floatBytes.size()));
  std::string emptyRaw = protoHeader({2}, LOWBIT_DTYPE_FLOAT32);
  appendBytes(emptyRaw, 9, "");
  std::string external = protoHeader({1}, LOWBIT_DTYPE_FLOAT32);
  appendKey(external, 14, 0);
  appendVarint(external, 1);
  struct Case {
    std::string bytes;
    const char *expected;
  } cases[] = {
      {raw.substr(0, raw.size() - 3), "not a valid ONNX TensorProto"},
      {emptyRaw, "float32[2] needs 2 elements (8 bytes) but raw_data holds 0"},
      {protoHeader({2}, 8), "unsupported data type string (8)"},
      {protoHeader({2}, 16), "unsupported data type bfloat16 (16)"},
      {protoHeader({3}, LOWBIT_DTYPE_FLOAT32),
       "float32[3] needs 3 elements (12 bytes) but float_data holds 0"},
      {external, "external file"},
      // Dims claiming 2^50 elements with no data must not be allocated.
      {protoHeader({1 << 20, 1 << 20, 1 << 10}, LOWBIT_DTYPE_INT8),
       "int8[1048576, 1048576, 1024] needs 1125899906842624 elements"},
      {std::string("\x0f\x01", 2), "not a valid ONNX TensorProto"},
  };
  for (const Case &c : cases) {
    std::string message = errorOf(parseTensorProto(c.bytes, "bad.pb"));
    EXPECT_EQ(message.rfind("bad.pb: ", 0), 0u) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << "expected '" << c.expected << "' in: " << message;
  }
}

TEST(TensorProtoTest, ReadsONNXBackendTestData) {
  const char *path =
      "/usr/share/libonnx-testdata/data/node/test_abs/test_data_set_0/"
      "input_0.pb";
  if (!llvm::sys::fs::exists(path))
    GTEST_SKIP() << "libonnx-testdata is not installed";
  llvm::Expected<TensorData> tensor = readTensorProtoFile(path);
  ASSERT_TRUE(!!tensor) << llvm::toString(tensor.takeError());
  EXPECT_EQ(tensor->name, "x");
  EXPECT_EQ(tensor->dtype, LOWBIT_DTYPE_FLOAT32);
  EXPECT_EQ(tensor->shape, (std::vector<int64_t>{3, 4, 5}));
}

TEST(TensorFilesTest, DispatchesByExtension) {
  EXPECT_EQ(getTensorFileFormat("a.NPY"), TensorFileFormat::Npy);
  EXPECT_EQ(getTensorFileFormat("dir.x/a.npz"), TensorFileFormat::Npz);
  EXPECT_EQ(getTensorFileFormat("input_0.pb"), TensorFileFormat::TensorProto);
  EXPECT_EQ(getTensorFileFormat("a.bin"), std::nullopt);
  std::string message = errorOf(readTensorFile("a.bin"));
  EXPECT_NE(message.find("a.bin: unknown tensor file type"), std::string::npos)
      << message;
  EXPECT_EQ(formatTensorType(LOWBIT_DTYPE_FLOAT16, {1, 3}), "float16[1, 3]");
  EXPECT_EQ(formatTensorType(LOWBIT_DTYPE_BOOL, {}), "bool[]");
}

} // namespace
