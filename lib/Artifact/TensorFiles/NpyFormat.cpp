//===- NpyFormat.cpp - NumPy .npy files -----------------------------------===//
//
// The format is documented in numpy/lib/format.py: a magic string, a version,
// a little-endian header length, then a Python dict literal with the keys
// `descr`, `fortran_order` and `shape`, then the raw array bytes.
//
//===----------------------------------------------------------------------===//

#include "TensorFileIO.h"
#include "lowbit/Artifact/TensorFiles.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Path.h"

#include <optional>

using namespace lowbit;
using namespace lowbit::detail;

static constexpr llvm::StringLiteral kNpyMagic("\x93NUMPY");

namespace {

/// The parsed header dictionary. Fields are optional so that a missing key
/// is reported by name.
struct NpyHeader {
  std::optional<std::string> descr;
  std::optional<bool> fortranOrder;
  std::optional<std::vector<int64_t>> shape;
};

/// Parses the subset of Python literal syntax that NumPy writes into .npy
/// headers: a dict of strings, booleans and tuples of integers. Anything else
/// (e.g. the list `descr` of a structured array) is rejected with a message.
class NpyHeaderParser {
public:
  explicit NpyHeaderParser(llvm::StringRef text) : rest(text) {}

  /// Parses the whole header into `header`; on failure returns false and
  /// sets `error`.
  bool parse(NpyHeader &header) {
    if (!consume('{'))
      return fail("expected '{' at the start of the header");
    while (!consume('}')) {
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key in the header dict");
      if (!consume(':'))
        return fail("expected ':' after key '" + key + "'");
      if (key == "descr") {
        std::string descr;
        if (!parseString(descr))
          return fail("'descr' is not a simple type string (structured "
                      "arrays are not supported)");
        header.descr = descr;
      } else if (key == "fortran_order") {
        bool value;
        if (!parseBool(value))
          return fail("'fortran_order' is not True or False");
        header.fortranOrder = value;
      } else if (key == "shape") {
        std::vector<int64_t> shape;
        if (!parseShape(shape))
          return false;
        header.shape = std::move(shape);
      } else {
        return fail("unexpected key '" + key + "' in the header");
      }
      // A trailing comma before '}' is what NumPy writes.
      if (!consume(',') && !peek('}'))
        return fail("expected ',' or '}' in the header dict");
    }
    skipSpace();
    if (!rest.empty())
      return fail("unexpected text after the header dict");
    return true;
  }

  std::string error;

private:
  void skipSpace() { rest = rest.ltrim(" \t\r\n"); }
  bool peek(char c) {
    skipSpace();
    return rest.starts_with(llvm::StringRef(&c, 1));
  }
  bool consume(char c) {
    if (!peek(c))
      return false;
    rest = rest.drop_front();
    return true;
  }
  bool fail(const std::string &message) {
    error = message;
    return false;
  }
  bool parseString(std::string &out) {
    skipSpace();
    if (rest.empty() || (rest.front() != '\'' && rest.front() != '"'))
      return false;
    char quote = rest.front();
    size_t end = rest.find(quote, 1);
    if (end == llvm::StringRef::npos)
      return false;
    out = rest.slice(1, end).str();
    rest = rest.drop_front(end + 1);
    return true;
  }
  bool parseBool(bool &out) {
    skipSpace();
    if (rest.consume_front("True"))
      out = true;
    else if (rest.consume_front("False"))
      out = false;
    else
      return false;
    return true;
  }
  bool parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return fail("'shape' is not a tuple");
    while (!consume(')')) {
      skipSpace();
      size_t digits = 0;
      while (digits < rest.size() && llvm::isDigit(rest[digits]))
        ++digits;
      int64_t dim;
      if (digits == 0 || rest.take_front(digits).getAsInteger(10, dim))
        return fail("'shape' holds something other than non-negative "
                    "integers");
      rest = rest.drop_front(digits);
      // Python 2 era files may write longs as `3L`.
      rest.consume_front("L");
      shape.push_back(dim);
      if (!consume(',') && !peek(')'))
        return fail("expected ',' or ')' in 'shape'");
    }
    return true;
  }

  llvm::StringRef rest;
};

} // namespace

/// Maps a NumPy type string such as `<f4` to an element type, or explains
/// why it cannot.
static llvm::Expected<lowbit_dtype> parseDescr(llvm::StringRef descr,
                                               llvm::StringRef fileName) {
  auto unsupported = [&](const llvm::Twine &why) {
    return makeFileError(fileName, "unsupported dtype '" + descr + "'" + why);
  };
  if (descr.size() < 3)
    return unsupported("");
  char byteOrder = descr[0];
  char kind = descr[1];
  unsigned size;
  if (descr.drop_front(2).getAsInteger(10, size))
    return unsupported("");
  if (byteOrder == '>' && size > 1)
    return unsupported(" (big-endian data is not supported)");
  if (byteOrder != '<' && byteOrder != '|' && byteOrder != '=' &&
      byteOrder != '>')
    return unsupported("");
  switch (kind) {
  case 'f':
    if (size == 2)
      return LOWBIT_DTYPE_FLOAT16;
    if (size == 4)
      return LOWBIT_DTYPE_FLOAT32;
    if (size == 8)
      return LOWBIT_DTYPE_FLOAT64;
    break;
  case 'i':
    if (size == 1)
      return LOWBIT_DTYPE_INT8;
    if (size == 2)
      return LOWBIT_DTYPE_INT16;
    if (size == 4)
      return LOWBIT_DTYPE_INT32;
    if (size == 8)
      return LOWBIT_DTYPE_INT64;
    break;
  case 'u':
    if (size == 1)
      return LOWBIT_DTYPE_UINT8;
    if (size == 2)
      return LOWBIT_DTYPE_UINT16;
    if (size == 4)
      return LOWBIT_DTYPE_UINT32;
    if (size == 8)
      return LOWBIT_DTYPE_UINT64;
    break;
  case 'b':
    if (size == 1)
      return LOWBIT_DTYPE_BOOL;
    break;
  default:
    break;
  }
  return unsupported("");
}

/// The NumPy type string for `dtype`.
static std::string getDescr(lowbit_dtype dtype) {
  size_t size = getDTypeSize(dtype);
  char kind;
  switch (dtype) {
  case LOWBIT_DTYPE_FLOAT16:
  case LOWBIT_DTYPE_FLOAT32:
  case LOWBIT_DTYPE_FLOAT64:
    kind = 'f';
    break;
  case LOWBIT_DTYPE_INT8:
  case LOWBIT_DTYPE_INT16:
  case LOWBIT_DTYPE_INT32:
  case LOWBIT_DTYPE_INT64:
    kind = 'i';
    break;
  case LOWBIT_DTYPE_BOOL:
    kind = 'b';
    break;
  default:
    kind = 'u';
    break;
  }
  return std::string(size == 1 ? "|" : "<") + kind + std::to_string(size);
}

/// Multiplies the dimensions of `shape` by `elementSize`, or returns nothing
/// on overflow (a corrupt header must not wrap around to a small size).
static std::optional<uint64_t> getByteSize(llvm::ArrayRef<int64_t> shape,
                                           uint64_t elementSize) {
  uint64_t bytes = elementSize;
  for (int64_t dim : shape) {
    if (dim < 0 ||
        __builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes))
      return std::nullopt;
  }
  return bytes;
}

llvm::Expected<TensorData> lowbit::parseNpy(llvm::StringRef bytes,
                                            llvm::StringRef fileName,
                                            llvm::StringRef name) {
  if (!bytes.starts_with(kNpyMagic))
    return makeFileError(fileName, "not a .npy file (bad magic string)");
  if (bytes.size() < kNpyMagic.size() + 2)
    return makeFileError(fileName, "truncated .npy header");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  unsigned minor = static_cast<uint8_t>(bytes[7]);
  size_t lengthSize;
  if (major == 1)
    lengthSize = 2;
  else if (major == 2 || major == 3)
    lengthSize = 4;
  else
    return makeFileError(fileName, "unsupported .npy format version " +
                                       llvm::Twine(major) + "." +
                                       llvm::Twine(minor));
  size_t prefixSize = kNpyMagic.size() + 2 + lengthSize;
  if (bytes.size() < prefixSize)
    return makeFileError(fileName, "truncated .npy header");
  const char *lengthBytes = bytes.data() + kNpyMagic.size() + 2;
  uint64_t headerLength = lengthSize == 2
                              ? llvm::support::endian::read16le(lengthBytes)
                              : llvm::support::endian::read32le(lengthBytes);
  if (bytes.size() - prefixSize < headerLength)
    return makeFileError(fileName,
                         "truncated .npy header (needs " +
                             llvm::Twine(headerLength) + " bytes, file has " +
                             llvm::Twine(bytes.size() - prefixSize) + ")");
  llvm::StringRef headerText = bytes.substr(prefixSize, headerLength);

  NpyHeader header;
  NpyHeaderParser parser(headerText);
  if (!parser.parse(header))
    return makeFileError(fileName, "malformed .npy header: " + parser.error);
  if (!header.descr)
    return makeFileError(fileName, "malformed .npy header: no 'descr'");
  if (!header.shape)
    return makeFileError(fileName, "malformed .npy header: no 'shape'");
  if (!header.fortranOrder)
    return makeFileError(fileName, "malformed .npy header: no "
                                   "'fortran_order'");

  TensorData tensor;
  tensor.name = name.str();
  llvm::Expected<lowbit_dtype> dtype = parseDescr(*header.descr, fileName);
  if (!dtype)
    return dtype.takeError();
  tensor.dtype = *dtype;
  tensor.shape = std::move(*header.shape);
  // NumPy only writes True for arrays that are not also C-contiguous, so the
  // bytes really are in the other order.
  if (*header.fortranOrder)
    return makeFileError(fileName,
                         "Fortran-order (column-major) arrays are not "
                         "supported; save it with np.ascontiguousarray");

  std::optional<uint64_t> dataSize =
      getByteSize(tensor.shape, getDTypeSize(tensor.dtype));
  if (!dataSize)
    return makeFileError(fileName, "shape " + formatShape(tensor.shape) +
                                       " is too large");
  llvm::StringRef data = bytes.drop_front(prefixSize + headerLength);
  if (data.size() < *dataSize)
    return makeFileError(fileName, "truncated data: " + tensor.getTypeString() +
                                       " needs " + llvm::Twine(*dataSize) +
                                       " bytes, the file holds " +
                                       llvm::Twine(data.size()));
  if (data.size() > *dataSize)
    return makeFileError(fileName, llvm::Twine(data.size() - *dataSize) +
                                       " unexpected bytes after the " +
                                       tensor.getTypeString() + " data");
  tensor.data.assign(data.bytes_begin(), data.bytes_end());
  return tensor;
}

llvm::Expected<TensorData> lowbit::readNpyFile(llvm::StringRef path) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      readWholeFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseNpy((*buffer)->getBuffer(), path, llvm::sys::path::stem(path));
}

std::string lowbit::serializeNpy(const TensorData &tensor) {
  std::string dict = "{'descr': '" + getDescr(tensor.dtype) +
                     "', 'fortran_order': False, 'shape': (";
  for (int64_t dim : tensor.shape)
    dict += std::to_string(dim) + ", ";
  // Python spells a one-element tuple `(3,)`.
  if (!tensor.shape.empty()) {
    dict.pop_back();
    if (tensor.shape.size() > 1)
      dict.pop_back();
  }
  dict += "), }";

  // NumPy pads the header with spaces and a newline so that the data starts
  // at a multiple of 64 bytes.
  size_t lengthSize = 2;
  unsigned major = 1;
  size_t unpadded = kNpyMagic.size() + 2 + lengthSize + dict.size() + 1;
  if ((unpadded + 63) / 64 * 64 - (kNpyMagic.size() + 2 + lengthSize) >
      0xffff) {
    lengthSize = 4;
    major = 2;
    unpadded += 2;
  }
  size_t padded = (unpadded + 63) / 64 * 64;
  dict.append(padded - unpadded, ' ');
  dict += '\n';

  std::string bytes = kNpyMagic.str();
  bytes += static_cast<char>(major);
  bytes += '\0';
  char length[4];
  if (lengthSize == 2)
    llvm::support::endian::write16le(length, dict.size());
  else
    llvm::support::endian::write32le(length, dict.size());
  bytes.append(length, lengthSize);
  bytes += dict;
  bytes.append(reinterpret_cast<const char *>(tensor.data.data()),
               tensor.data.size());
  return bytes;
}

llvm::Error lowbit::writeNpyFile(llvm::StringRef path,
                                 const TensorData &tensor) {
  return writeFileAtomically(path, serializeNpy(tensor));
}
