//===- ProgressBar.h - `calibrating [#####.....] 32/64` ---------*- C++ -*-===//

#ifndef LOWBIT_LIB_ARTIFACT_PROGRESSBAR_H
#define LOWBIT_LIB_ARTIFACT_PROGRESSBAR_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace lowbit {

/// A one-line progress bar. On a terminal it is redrawn in place after
/// every step; otherwise (a log, a test) only the finished bar is printed,
/// so the output is the same whatever the timing.
class ProgressBar {
public:
  ProgressBar(llvm::raw_ostream &os, llvm::StringRef label, size_t total);
  ~ProgressBar();

  /// Marks one more step done.
  void step();

private:
  void draw();

  llvm::raw_ostream &os;
  std::string label;
  size_t total;
  size_t done = 0;
  bool interactive;
};

} // namespace lowbit

#endif // LOWBIT_LIB_ARTIFACT_PROGRESSBAR_H
