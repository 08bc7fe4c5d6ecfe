#!/usr/bin/env bash
#===- install-deps.sh - install everything LowBit needs (idempotent) -----===#
#
# Debian packages (LLVM/MLIR 22, ONNX, Vulkan, test data) and the npm-fetched
# models and peers. Safe to run repeatedly: each step checks before acting.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

apt_pkgs=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  libomp-22-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  cmake ninja-build ccache
  python3 python3-numpy python3-onnx python3-pil fonts-dejavu-core
)
# Node may come from elsewhere (NodeSource); only ask Debian for it if absent.
command -v npm >/dev/null 2>&1 || apt_pkgs+=(nodejs npm)

missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: apt-get install ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

"$root/scripts/fetch-models.sh"
