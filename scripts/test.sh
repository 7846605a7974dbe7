#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds (Release) and runs every test, then
# builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite there.
# Tests read the real channels from ../shared/channels (or $EYESWEEP_SHARED_DIR).
# SANITIZE=0 skips the sanitizer pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
jobs=${JOBS:-$(nproc)}

echo "== Release build and tests"
BUILD_DIR=$root/build "$root/scripts/build.sh"
ctest --test-dir "$root/build" --output-on-failure -j "$jobs"

if [ "${SANITIZE:-1}" != 0 ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
  BUILD_DIR=$root/build-asan BUILD_TYPE=RelWithDebInfo "$root/scripts/build.sh" \
    -DEYESWEEP_SANITIZE=ON -DEYESWEEP_BUILD_BENCH=OFF -DEYESWEEP_ENABLE_CUDA=OFF
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j "$jobs"
fi
