#!/usr/bin/env bash
# The project's GPU check, for a machine with a GPU (Ubuntu 24.04, CMake 4.x, CUDA 13):
# configures and builds with CUDA, runs the gpu-labelled tests with EYESWEEP_REQUIRE_GPU=1
# (the CUDA engine against the reference engine, and against the CPU engine on the KR-size
# grid; the MMSE Rx FFE search against the reference and, on the full 802.3dj grid, against
# the CPU engine; the CUDA sweep; the CUDA eye engine against the reference eyes),
# compute-sanitizer memcheck on small CUDA-engine cases (DFE and MMSE receivers) and a CUDA
# eye case, the GPU benchmarks briefly,
# `eyesweep com` and `eyesweep eye --backend cuda` end to end on the channel shipped in data/,
# and prints a summary table last. Logs go to OUTDIR.
#   scripts/gpu-check.sh [OUTDIR]
# Environment: TOMLPP_DIR = a folder holding toml++/ when no system package provides it;
# EYESWEEP_SHARED_DIR = the folder holding channels/ (default ../shared; a GPU machine may
# carry only some channel sets); GPU_TEST_VARIANTS = KR-size variants compared with the CPU
# engine (default 10000; the CPU engine's share dominates the time: about 2 s per 100
# variants per core); GPU_MMSE_VARIANTS = full-802.3dj-grid variants compared with the CPU
# engine (default 1: about a minute of the CPU engine on 16 cores); BENCH_FILTER = the benchmarks to run (default: every CUDA one);
# CUDA_ARCH (default 90); JOBS (default: all cores).
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
    summary+=("$(printf '%-30s %-6s %4ss  %s' "$name" PASS $((SECONDS - start)) "$log")")
  else
    summary+=("$(printf '%-30s %-6s %4ss  %s' "$name" FAIL $((SECONDS - start)) "$log")")
  fi
}

step configure configure.log cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" ${TOMLPP_DIR:+-DEYESWEEP_TOMLPP_INCLUDE_DIR=$TOMLPP_DIR}
step build build.log cmake --build "$build" -j "$jobs" --target eyesweep test_cuda_device \
  test_engines_gpu test_sweep_gpu test_eye_engines_gpu bench_engines bench_eyes bench_mmse
step "device info" info.log "$build/host/eyesweep" info
step "gpu tests (required)" gpu-tests.log env EYESWEEP_REQUIRE_GPU=1 EYESWEEP_GPU_TEST_VARIANTS="${GPU_TEST_VARIANTS:-10000}" \
  EYESWEEP_GPU_MMSE_VARIANTS="${GPU_MMSE_VARIANTS:-1}" \
  ctest --test-dir "$build" -L gpu -V --no-tests=error
if command -v compute-sanitizer > /dev/null; then
  step "memcheck (cuda engine)" memcheck.log env EYESWEEP_REQUIRE_GPU=1 EYESWEEP_GPU_REFERENCE_VARIANTS=6 \
    compute-sanitizer --tool memcheck --error-exitcode 1 \
    "$build/tests/test_engines_gpu" --gtest_filter='CudaEngine.GivesTheReferenceAnswersOnRandomVariants'
  step "memcheck (table build)" memcheck-tables.log env EYESWEEP_REQUIRE_GPU=1 \
    compute-sanitizer --tool memcheck --error-exitcode 1 \
    "$build/tests/test_engines_gpu" --gtest_filter='TableDevice.*'
  step "memcheck (cuda mmse)" memcheck-mmse.log env EYESWEEP_REQUIRE_GPU=1 EYESWEEP_GPU_MMSE_REFERENCE_VARIANTS=2 \
    compute-sanitizer --tool memcheck --error-exitcode 1 \
    "$build/tests/test_engines_gpu" --gtest_filter='CudaEngine.GivesTheReferenceAnswersWithTheMmseReceiver'
  step "memcheck (cuda eyes)" memcheck-eyes.log env EYESWEEP_REQUIRE_GPU=1 \
    compute-sanitizer --tool memcheck --error-exitcode 1 \
    "$build/tests/test_eye_engines_gpu" --gtest_filter='CudaEyeEngine.GivesTheReferenceEyesOnTheVitaChannel'
else
  summary+=("$(printf '%-30s %-6s' 'memcheck' 'SKIP (compute-sanitizer not found)')")
fi
step "benchmarks (cuda)" bench.log "$build/bench/bench_engines" --benchmark_filter="${BENCH_FILTER:-Cuda}" \
  --benchmark_out="$out/bench.json" --benchmark_out_format=json
step "benchmarks (cuda eyes)" bench-eyes.log "$build/bench/bench_eyes" --benchmark_filter="${BENCH_FILTER:-Cuda}" \
  --benchmark_out="$out/bench-eyes.json" --benchmark_out_format=json
step "benchmarks (cuda mmse)" bench-mmse.log "$build/bench/bench_mmse" --benchmark_filter="${BENCH_FILTER:-Cuda}" \
  --benchmark_out="$out/bench-mmse.json" --benchmark_out_format=json
channels=$root/data/channels/vita68_example2
step "eyesweep com --backend cuda" com.log "$build/host/eyesweep" com --backend cuda --config "$root/configs/vita_kr4.toml" \
  --thru "$channels/example2_THRU.s4p" --fext "$channels/example2_FEXT1.s4p" "$channels/example2_FEXT2.s4p" \
  --next "$channels/example2_NEXT1.s4p" "$channels/example2_NEXT2.s4p" "$channels/example2_NEXT3.s4p"
step "eyesweep eye --backend cuda" eye.log "$build/host/eyesweep" eye --backend cuda --config "$root/configs/vita_kr4.toml" \
  --thru "$channels/example2_THRU.s4p" --fext "$channels/example2_FEXT1.s4p" "$channels/example2_FEXT2.s4p" \
  --next "$channels/example2_NEXT1.s4p" "$channels/example2_NEXT2.s4p" "$channels/example2_NEXT3.s4p"

nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv > "$out/nvidia-smi.log" 2>&1
echo
grep -hE "compared|variants x|CUDA engine on|built on the device" "$out/gpu-tests.log" 2>/dev/null
grep -hE "^BM_" "$out/bench.log" "$out/bench-eyes.log" "$out/bench-mmse.log" 2>/dev/null
tail -n 3 "$out/com.log" 2>/dev/null
grep -E "eye height at DER_0" "$out/eye.log" 2>/dev/null
echo
echo "GPU check summary (logs in $out)"
printf '%s\n' "${summary[@]}"
! printf '%s\n' "${summary[@]}" | grep -q " FAIL "
