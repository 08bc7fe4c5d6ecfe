#!/usr/bin/env bash
#===- demo.sh - PaddleOCR v4 rec, float and w8a8, side by side ------------===#
#
# Compiles the recognizer twice — float, and w8a8 calibrated on rendered lines
# that are not the demo lines — then reads the demo lines with both artifacts
# and prints the texts, sizes and latencies side by side.
#
# Usage: scripts/demo.sh [BUILD_DIR]   (make demo runs it after building)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
models="$root/third_party/models/ocr/assets"
out="$build/demo"
mkdir -p "$out"

compile() {  # compile LABEL [quant-compile flags...]
  local label="$1"; shift
  local start=$(date +%s%N)
  "$build/bin/quant-compile" "$models/ch_PP-OCRv4_rec_infer.onnx" --target=cpu \
    --input-shape x=1,3,48,320 -o "$out/rec-$label" "$@"
  echo "compiled $label in $(( ($(date +%s%N) - start) / 1000000 )) ms -> $out/rec-$label"
}

echo "== Rendering calibration lines (disjoint from the demo lines) =="
/usr/bin/python3 "$root/examples/ocr/dataset.py" "$out/data" --lines 1 \
  --cls-lines 2 --pages 1 --calib-pages 1 >/dev/null
echo "$(ls "$out/data/calib/rec" | grep -c '\.npy$') calibration inputs in $out/data/calib/rec"

echo "== Compiling PaddleOCR v4 recognition (CPU) =="
compile float
compile w8a8 --scheme w8a8 --calib "$out/data/calib/rec"

echo "== Reading rendered lines through both artifacts =="
/usr/bin/python3 "$root/examples/ocr/ocr_demo.py" "$models/ppocr_keys_v1.txt" \
  "$out/rec-float=float" "$out/rec-w8a8=w8a8"
