//===- TensorFileIO.h - Whole-file reads, atomic writes, errors -*- C++ -*-===//
//
// The file plumbing the tensor file formats share, so that every format
// reports problems the same way: `<file>: <what is wrong>`.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_LIB_ARTIFACT_TENSORFILES_TENSORFILEIO_H
#define LOWBIT_LIB_ARTIFACT_TENSORFILES_TENSORFILEIO_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>

namespace lowbit {
namespace detail {

/// An error `<fileName>: <message>`.
llvm::Error makeFileError(llvm::StringRef fileName, const llvm::Twine &message);

/// Reads all of `path`; the error names the file and the system's reason.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readWholeFile(llvm::StringRef path);

/// Writes `bytes` to a temporary file next to `path` and renames it into
/// place, so readers never see a partial file.
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef bytes);

} // namespace detail
} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_TENSORFILES_TENSORFILEIO_H
