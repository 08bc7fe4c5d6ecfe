# LowBit top-level entry points. Both targets install what is missing first.
#   make demo   compile PaddleOCR rec and read rendered text lines with it
#   make check  build and run every test (lit: dialect, import, e2e)

BUILD ?= build
JOBS ?= 2
LLVM_BIN := /usr/lib/llvm-22/bin
export PATH := $(LLVM_BIN):$(PATH)
export CCACHE_DIR ?= $(CURDIR)/.cache/ccache
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: all deps configure build check demo bench clean

all: build

deps:
	./scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
	  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
	  -DLLVM_USE_LINKER=lld \
	  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_BIN)/lit

configure: deps $(BUILD)/build.ninja

build: configure
	ninja -C $(BUILD) -j $(JOBS)

check: build
	ninja -C $(BUILD) -j $(JOBS) check-lowbit

demo: build
	./scripts/demo.sh $(BUILD)

bench: build
	/usr/bin/python3 bench/ocr_latency.py $(BUILD)

clean:
	rm -rf $(BUILD)
