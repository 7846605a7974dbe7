#!/usr/bin/env bash
# Configures and builds eyesweep (Release) into BUILD_DIR (default: build/).
# CUDA parts are built when nvcc is found (CUDA_ARCH, default 90, selects the architecture).
# Extra arguments are passed to cmake's configure step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} \
  ${CUDA_ARCH:+-DCMAKE_CUDA_ARCHITECTURES=$CUDA_ARCH} "$@"
cmake --build "$build_dir" -j "$jobs"
