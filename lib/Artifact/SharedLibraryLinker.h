//===- SharedLibraryLinker.h - object + runtime -> libmodel.so --*- C++ -*-===//

#ifndef LOWBIT_LIB_ARTIFACT_SHAREDLIBRARYLINKER_H
#define LOWBIT_LIB_ARTIFACT_SHAREDLIBRARYLINKER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace lowbit {

/// Links `objectPath` with the CPU runtime and LLVM's OpenMP runtime into the
/// shared library `outputPath`, exporting only the lowbit_* C API. Uses
/// clang-22 with lld from their Debian paths; fails with a message naming
/// what is missing. `workDir` holds the linker's scratch files.
llvm::Error linkSharedLibrary(llvm::StringRef objectPath,
                              llvm::StringRef outputPath,
                              llvm::StringRef workDir);

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_SHAREDLIBRARYLINKER_H
