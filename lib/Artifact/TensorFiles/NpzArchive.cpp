//===- NpzArchive.cpp - NumPy .npz archives -------------------------------===//
//
// An .npz file is a zip archive of .npy files (np.savez stores them,
// np.savez_compressed deflates them). NumPy writes every entry with zip64
// extra fields, so those are understood too. The central directory is the
// authority for names, sizes and offsets; local headers only say where the
// data starts.
//
//===----------------------------------------------------------------------===//

#include "TensorFileIO.h"
#include "lowbit/Artifact/TensorFiles.h"

#include "llvm/Support/Endian.h"

#include <zlib.h>

using namespace lowbit;
using namespace lowbit::detail;
using llvm::support::endian::read16le;
using llvm::support::endian::read32le;
using llvm::support::endian::read64le;

namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSignature = 0x06054b50;
constexpr uint32_t kZip64EndOfCentralDirSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndOfCentralDirSize = 22;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kZip64EndOfCentralDirSize = 56;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflate = 8;

/// One member of the archive, from its central directory record.
struct ZipEntry {
  std::string name;
  uint16_t flags;
  uint16_t method;
  uint32_t crc;
  uint64_t compressedSize;
  uint64_t uncompressedSize;
  uint64_t localHeaderOffset;
};

/// Bounds-checked reads from the archive bytes; every failure becomes one
/// "truncated or corrupt" error naming the file and what was being read.
class ZipReader {
public:
  ZipReader(llvm::StringRef bytes, llvm::StringRef fileName)
      : bytes(bytes), fileName(fileName) {}

  llvm::Expected<std::vector<ZipEntry>> readCentralDirectory();
  llvm::Expected<std::string> readEntryData(const ZipEntry &entry);

private:
  llvm::Error corrupt(const llvm::Twine &what) {
    return makeFileError(fileName,
                         "truncated or corrupt .npz archive: " + what);
  }
  bool inBounds(uint64_t offset, uint64_t size) const {
    return offset <= bytes.size() && size <= bytes.size() - offset;
  }
  const char *at(uint64_t offset) const { return bytes.data() + offset; }

  llvm::Error applyZip64Extra(llvm::StringRef extra, ZipEntry &entry);

  llvm::StringRef bytes;
  llvm::StringRef fileName;
};

} // namespace

llvm::Error ZipReader::applyZip64Extra(llvm::StringRef extra, ZipEntry &entry) {
  while (extra.size() >= 4) {
    uint16_t id = read16le(extra.data());
    uint16_t size = read16le(extra.data() + 2);
    if (extra.size() - 4 < size)
      return corrupt("extra field of '" + entry.name + "' overruns its record");
    llvm::StringRef field = extra.substr(4, size);
    extra = extra.drop_front(4 + size);
    if (id != kZip64ExtraId)
      continue;
    // Only the fields whose 32-bit value is saturated are present, in this
    // order.
    auto take = [&](uint64_t &value) -> bool {
      if (value != 0xffffffffu)
        return true;
      if (field.size() < 8)
        return false;
      value = read64le(field.data());
      field = field.drop_front(8);
      return true;
    };
    if (!take(entry.uncompressedSize) || !take(entry.compressedSize) ||
        !take(entry.localHeaderOffset))
      return corrupt("short zip64 extra field for '" + entry.name + "'");
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<ZipEntry>> ZipReader::readCentralDirectory() {
  // The end record sits at the very end unless the archive has a comment
  // (at most 64 KiB), so search backwards over that window.
  if (bytes.size() < kEndOfCentralDirSize)
    return makeFileError(fileName, "not a .npz (zip) archive: too short");
  uint64_t endOffset = bytes.size() - kEndOfCentralDirSize;
  uint64_t searchLimit = endOffset > 0xffff ? endOffset - 0xffff : 0;
  while (read32le(at(endOffset)) != kEndOfCentralDirSignature) {
    if (endOffset == searchLimit)
      return makeFileError(fileName, "not a .npz (zip) archive: no end of "
                                     "central directory record");
    --endOffset;
  }
  uint64_t entryCount = read16le(at(endOffset + 10));
  uint64_t directorySize = read32le(at(endOffset + 12));
  uint64_t directoryOffset = read32le(at(endOffset + 16));

  // Zip64 archives keep the real values in a second end record that a
  // locator right before the classic one points at.
  if (endOffset >= kZip64LocatorSize &&
      read32le(at(endOffset - kZip64LocatorSize)) == kZip64LocatorSignature) {
    uint64_t zip64EndOffset = read64le(at(endOffset - kZip64LocatorSize + 8));
    if (!inBounds(zip64EndOffset, kZip64EndOfCentralDirSize) ||
        read32le(at(zip64EndOffset)) != kZip64EndOfCentralDirSignature)
      return corrupt("bad zip64 end of central directory record");
    entryCount = read64le(at(zip64EndOffset + 32));
    directorySize = read64le(at(zip64EndOffset + 40));
    directoryOffset = read64le(at(zip64EndOffset + 48));
  }
  if (!inBounds(directoryOffset, directorySize))
    return corrupt("central directory lies outside the file");

  std::vector<ZipEntry> entries;
  uint64_t offset = directoryOffset;
  for (uint64_t i = 0; i < entryCount; ++i) {
    if (!inBounds(offset, kCentralHeaderSize) ||
        read32le(at(offset)) != kCentralHeaderSignature)
      return corrupt("bad central directory record #" + llvm::Twine(i));
    const char *record = at(offset);
    ZipEntry entry;
    entry.flags = read16le(record + 8);
    entry.method = read16le(record + 10);
    entry.crc = read32le(record + 16);
    entry.compressedSize = read32le(record + 20);
    entry.uncompressedSize = read32le(record + 24);
    uint16_t nameLength = read16le(record + 28);
    uint16_t extraLength = read16le(record + 30);
    uint16_t commentLength = read16le(record + 32);
    entry.localHeaderOffset = read32le(record + 42);
    uint64_t variableSize = uint64_t(nameLength) + extraLength + commentLength;
    if (!inBounds(offset + kCentralHeaderSize, variableSize))
      return corrupt("central directory record #" + llvm::Twine(i) +
                     " overruns the file");
    entry.name = std::string(record + kCentralHeaderSize, nameLength);
    if (llvm::Error error = applyZip64Extra(
            llvm::StringRef(record + kCentralHeaderSize + nameLength,
                            extraLength),
            entry))
      return std::move(error);
    entries.push_back(std::move(entry));
    offset += kCentralHeaderSize + variableSize;
  }
  return entries;
}

llvm::Expected<std::string> ZipReader::readEntryData(const ZipEntry &entry) {
  if (entry.flags & 1)
    return makeFileError(fileName, "entry '" + entry.name +
                                       "' is encrypted, which is not "
                                       "supported");
  uint64_t offset = entry.localHeaderOffset;
  if (!inBounds(offset, kLocalHeaderSize) ||
      read32le(at(offset)) != kLocalHeaderSignature)
    return corrupt("bad local header for '" + entry.name + "'");
  uint64_t dataOffset = offset + kLocalHeaderSize + read16le(at(offset + 26)) +
                        read16le(at(offset + 28));
  if (!inBounds(dataOffset, entry.compressedSize))
    return corrupt("data of '" + entry.name + "' is cut off (needs " +
                   llvm::Twine(entry.compressedSize) + " bytes)");
  llvm::StringRef compressed(at(dataOffset), entry.compressedSize);

  std::string data;
  if (entry.method == kMethodStored) {
    if (entry.compressedSize != entry.uncompressedSize)
      return corrupt("stored entry '" + entry.name +
                     "' has different compressed and uncompressed sizes");
    data = compressed.str();
  } else if (entry.method == kMethodDeflate) {
    data.resize(entry.uncompressedSize);
    z_stream stream = {};
    // Negative window bits: a raw deflate stream, as zip stores it.
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
      return makeFileError(fileName, "cannot initialize zlib");
    stream.next_in =
        reinterpret_cast<Bytef *>(const_cast<char *>(compressed.data()));
    stream.next_out = reinterpret_cast<Bytef *>(data.data());
    // zlib counts in uInt; feed and drain in chunks so >4 GiB entries work.
    int status = Z_OK;
    uint64_t inLeft = compressed.size(), outLeft = data.size();
    while (status == Z_OK) {
      uInt inChunk = static_cast<uInt>(std::min<uint64_t>(inLeft, 1u << 30));
      uInt outChunk = static_cast<uInt>(std::min<uint64_t>(outLeft, 1u << 30));
      stream.avail_in = inChunk;
      stream.avail_out = outChunk;
      status = inflate(&stream, Z_NO_FLUSH);
      inLeft -= inChunk - stream.avail_in;
      outLeft -= outChunk - stream.avail_out;
      if (status == Z_OK && stream.avail_in == inChunk &&
          stream.avail_out == outChunk)
        status = Z_BUF_ERROR; // No progress: input or output exhausted.
    }
    const char *zlibMessage = stream.msg;
    inflateEnd(&stream);
    if (status != Z_STREAM_END || outLeft != 0) {
      std::string reason = zlibMessage ? std::string(": ") + zlibMessage : "";
      return corrupt("cannot inflate '" + entry.name + "'" + reason);
    }
  } else {
    return makeFileError(fileName, "entry '" + entry.name +
                                       "' uses zip compression method " +
                                       llvm::Twine(entry.method) +
                                       " (only stored and deflate are "
                                       "supported)");
  }

  uLong crc = crc32(0L, Z_NULL, 0);
  // crc32 takes a uInt length; go in chunks for huge entries.
  for (size_t done = 0; done < data.size();) {
    uInt chunk =
        static_cast<uInt>(std::min<size_t>(data.size() - done, 1u << 30));
    crc =
        crc32(crc, reinterpret_cast<const Bytef *>(data.data() + done), chunk);
    done += chunk;
  }
  if (crc != entry.crc)
    return corrupt("CRC mismatch in '" + entry.name + "'");
  return data;
}

llvm::Expected<std::vector<TensorData>>
lowbit::parseNpz(llvm::StringRef bytes, llvm::StringRef fileName) {
  ZipReader reader(bytes, fileName);
  llvm::Expected<std::vector<ZipEntry>> entries = reader.readCentralDirectory();
  if (!entries)
    return entries.takeError();
  std::vector<TensorData> tensors;
  for (const ZipEntry &entry : *entries) {
    // Directories and non-array members are not arrays.
    if (llvm::StringRef(entry.name).ends_with("/"))
      continue;
    llvm::Expected<std::string> data = reader.readEntryData(entry);
    if (!data)
      return data.takeError();
    llvm::StringRef arrayName = entry.name;
    arrayName.consume_back(".npy");
    std::string entryFileName = (fileName + "[" + entry.name + "]").str();
    llvm::Expected<TensorData> tensor =
        parseNpy(*data, entryFileName, arrayName);
    if (!tensor)
      return tensor.takeError();
    tensors.push_back(std::move(*tensor));
  }
  return tensors;
}

llvm::Expected<std::vector<TensorData>>
lowbit::readNpzFile(llvm::StringRef path) {
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      readWholeFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseNpz((*buffer)->getBuffer(), path);
}
