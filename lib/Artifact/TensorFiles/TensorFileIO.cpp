//===- TensorFileIO.cpp - Whole-file reads, atomic writes, errors ---------===//

#include "TensorFileIO.h"

#include "llvm/Support/raw_ostream.h"

using namespace lowbit;
using namespace lowbit::detail;

llvm::Error detail::makeFileError(llvm::StringRef fileName,
                                  const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (fileName + ": " + message).str());
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
detail::readWholeFile(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeFileError(path, "cannot open: " + buffer.getError().message());
  return std::move(*buffer);
}

llvm::Error detail::writeFileAtomically(llvm::StringRef path,
                                        llvm::StringRef bytes) {
  // writeToOutput writes a temporary sibling and renames it on success.
  llvm::Error error = llvm::writeToOutput(path, [&](llvm::raw_ostream &os) {
    os << bytes;
    return llvm::Error::success();
  });
  if (!error)
    return error;
  return makeFileError(path,
                       "cannot write: " + llvm::toString(std::move(error)));
}
