//===- ProgressBar.cpp - `calibrating [#####.....] 32/64` on stderr -------===//

#include "lib/Artifact/ProgressBar.h"

using namespace lowbit;

static constexpr size_t kWidth = 10;

ProgressBar::ProgressBar(llvm::raw_ostream &os, llvm::StringRef label,
                         size_t total)
    : os(os), label(label), total(total), interactive(os.is_displayed()) {
  if (interactive)
    draw();
}

ProgressBar::~ProgressBar() {
  if (!interactive)
    draw();
  os << "\n";
  os.flush();
}

void ProgressBar::step() {
  ++done;
  if (interactive)
    draw();
}

void ProgressBar::draw() {
  size_t filled = total ? done * kWidth / total : kWidth;
  if (interactive)
    os << "\r";
  os << label << " [" << std::string(filled, '#')
     << std::string(kWidth - filled, '.') << "] " << done << "/" << total;
  os.flush();
}
