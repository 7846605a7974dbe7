#!/usr/bin/env bash
# The main job: installs what is missing, builds, and computes COM of the VITA 68.2
# backplane channel shipped in data/channels/vita68_example2 (victim, 2 FEXT, 3 NEXT) with
# the IEEE 100GBASE-KR4 configuration, printing the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
BUILD_DIR=${BUILD_DIR:-$root/build} "$root/scripts/build.sh" -DEYESWEEP_BUILD_TESTS=OFF -DEYESWEEP_BUILD_BENCH=OFF
channels=$root/data/channels/vita68_example2
exec "${BUILD_DIR:-$root/build}/host/eyesweep" com \
  --config "$root/configs/vita_kr4.toml" \
  --thru "$channels/example2_THRU.s4p" \
  --fext "$channels/example2_FEXT1.s4p" "$channels/example2_FEXT2.s4p" \
  --next "$channels/example2_NEXT1.s4p" "$channels/example2_NEXT2.s4p" "$channels/example2_NEXT3.s4p" \
  "$@"
