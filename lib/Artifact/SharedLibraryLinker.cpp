//===- SharedLibraryLinker.cpp - object + runtime -> libmodel.so ----------===//

#include "lib/Artifact/SharedLibraryLinker.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

/// Fixed Debian paths: the artifact must not depend on whatever clang is
/// first on PATH.
constexpr const char *kClangCandidates[] = {"/usr/bin/clang-22",
                                            "/usr/lib/llvm-22/bin/clang"};
constexpr const char *kLldCandidates[] = {"/usr/bin/ld.lld-22",
                                          "/usr/lib/llvm-22/bin/ld.lld"};
constexpr const char *kOpenMPDir = "/usr/lib/llvm-22/lib";

std::string findFirst(ArrayRef<const char *> candidates) {
  for (const char *candidate : candidates)
    if (sys::fs::can_execute(candidate))
      return candidate;
  return "";
}

} // namespace

Error lowbit::linkSharedLibrary(StringRef objectPath, StringRef outputPath,
                                StringRef workDir) {
  std::string clang = findFirst(kClangCandidates);
  if (clang.empty())
    return createStringError(
        "cannot link libmodel.so: clang-22 not found at /usr/bin/clang-22 or "
        "/usr/lib/llvm-22/bin/clang (apt-get install clang-22 lld-22)");
  std::string lld = findFirst(kLldCandidates);
  if (lld.empty())
    return createStringError(
        "cannot link libmodel.so: ld.lld-22 not found at /usr/bin/ld.lld-22 "
        "(apt-get install lld-22)");
  SmallString<128> openmp(kOpenMPDir);
  sys::path::append(openmp, "libomp.so");
  if (!sys::fs::exists(openmp))
    return createStringError(
        "cannot link libmodel.so: LLVM's OpenMP runtime not found at %s "
        "(apt-get install libomp-22-dev)",
        openmp.c_str());
  StringRef runtime = LOWBIT_CPU_RUNTIME_LIBRARY;
  if (!sys::fs::exists(runtime))
    return createStringError(
        "cannot link libmodel.so: the LowBit CPU runtime %s is missing "
        "(build the lowbit_cpu_runtime target)",
        runtime.str().c_str());

  SmallString<128> exports(workDir);
  sys::path::append(exports, "exports.map");
  {
    std::error_code error;
    raw_fd_ostream os(exports, error);
    if (error)
      return createStringError("cannot write %s: %s", exports.c_str(),
                               error.message().c_str());
    os << "{\n  global: lowbit_*;\n  local: *;\n};\n";
  }
  SmallString<128> log(workDir);
  sys::path::append(log, "link.log");

  std::string ldPath = "--ld-path=" + lld;
  std::string versionScript = "-Wl,--version-script=" + exports.str().str();
  std::string libDir = std::string("-L") + kOpenMPDir;
  std::string rpath = std::string("-Wl,-rpath,") + kOpenMPDir;
  SmallVector<StringRef> args = {
      clang, "-shared", ldPath, "-o", outputPath, objectPath,
      "-Wl,--whole-archive", runtime, "-Wl,--no-whole-archive", libDir,
      "-lomp", rpath, "-lm", versionScript, "-Wl,--no-undefined",
      "-Wl,-soname,libmodel.so", "-Wl,--build-id=sha1", "-Wl,-O1"};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string errorMessage;
  int status = sys::ExecuteAndWait(clang, args, /*Env=*/std::nullopt,
                                   redirects, /*SecondsToWait=*/0,
                                   /*MemoryLimit=*/0, &errorMessage);
  if (status != 0) {
    std::string output;
    if (auto buffer = MemoryBuffer::getFile(log))
      output = (*buffer)->getBuffer().trim().str();
    return createStringError("linking libmodel.so with %s failed%s%s%s%s",
                             clang.c_str(), errorMessage.empty() ? "" : ": ",
                             errorMessage.c_str(), output.empty() ? "" : ":\n",
                             output.c_str());
  }
  return Error::success();
}
