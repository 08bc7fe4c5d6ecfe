#!/usr/bin/env bash
#===- demo.sh - compile PaddleOCR v4 rec and read rendered text with it ---===#
#
# Usage: scripts/demo.sh [BUILD_DIR]   (make demo runs it after building)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
models="$root/third_party/models/ocr/assets"
out="$build/demo"
mkdir -p "$out"

echo "== Compiling PaddleOCR v4 recognition (float, CPU) =="
start=$(date +%s%N)
"$build/bin/quant-compile" "$models/ch_PP-OCRv4_rec_infer.onnx" --target=cpu \
  --input-shape x=1,3,48,320 -o "$out/rec"
echo "compiled in $(( ($(date +%s%N) - start) / 1000000 )) ms -> $out/rec"

echo "== Reading rendered lines through the compiled artifact =="
/usr/bin/python3 "$root/examples/ocr/ocr_demo.py" "$out/rec" "$models/ppocr_keys_v1.txt"
