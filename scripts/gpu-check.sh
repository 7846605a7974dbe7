#!/usr/bin/env bash
# The project's GPU check, for a machine with a GPU (Ubuntu 24.04, CMake 4.x, CUDA 13):
# configures and builds with CUDA, runs the gpu-labelled tests with EYESWEEP_REQUIRE_GPU=1,
# runs compute-sanitizer memcheck on the CUDA path, runs `eyesweep com` end to end on the
# channel shipped in data/, and prints a summary table last. Logs go to OUTDIR.
#   scripts/gpu-check.sh [OUTDIR]
# Environment: TOMLPP_DIR = a folder holding toml++/ when no system package provides it;
# CUDA_ARCH (default 90); JOBS (default: all cores).
# Grows with the CUDA engines (issue 3): their gpu-labelled tests and benchmarks join here.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/gpu-check-out}" && cd "${1:-$root/gpu-check-out}" && pwd)
build=$root/build-gpu
jobs=${JOBS:-$(nproc)}
export PATH=$PATH:/usr/local/cuda/bin:/usr/local/cuda/compute-sanitizer
summary=()

step() {  # step NAME LOG COMMAND...
  local name=$1 log=$2; shift 2
  local start=$SECONDS
  if "$@" > "$out/$log" 2>&1; then
    summary+=("$(printf '%-28s %-6s %4ss  %s' "$name" PASS $((SECONDS - start)) "$log")")
  else
    summary+=("$(printf '%-28s %-6s %4ss  %s' "$name" FAIL $((SECONDS - start)) "$log")")
  fi
}

step configure configure.log cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" ${TOMLPP_DIR:+-DEYESWEEP_TOMLPP_INCLUDE_DIR=$TOMLPP_DIR}
step build build.log cmake --build "$build" -j "$jobs"
step "device info" info.log "$build/host/eyesweep" info
step "gpu tests (required)" gpu-tests.log env EYESWEEP_REQUIRE_GPU=1 \
  ctest --test-dir "$build" -L gpu --output-on-failure --no-tests=error
if command -v compute-sanitizer > /dev/null; then
  step "memcheck (device query)" memcheck.log compute-sanitizer --tool memcheck --error-exitcode 1 \
    "$build/host/eyesweep" info
else
  summary+=("$(printf '%-28s %-6s' 'memcheck' 'SKIP (compute-sanitizer not found)')")
fi
channels=$root/data/channels/vita68_example2
step "eyesweep com (VITA-KR4)" com.log "$build/host/eyesweep" com --config "$root/configs/vita_kr4.toml" \
  --thru "$channels/example2_THRU.s4p" --fext "$channels/example2_FEXT1.s4p" "$channels/example2_FEXT2.s4p" \
  --next "$channels/example2_NEXT1.s4p" "$channels/example2_NEXT2.s4p" "$channels/example2_NEXT3.s4p"

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/nvidia-smi.log" 2>&1
echo
echo "GPU check summary (logs in $out)"
printf '%s\n' "${summary[@]}"
! printf '%s\n' "${summary[@]}" | grep -q " FAIL "
