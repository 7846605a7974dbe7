#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs a small default of the 800G DR8
# linear-drive sweep (examples/lpo_800g_dr8.toml: VARIANTS Monte Carlo variants, default 40)
# on whatever backend is present (a GPU when one answers, else all CPU cores). Prints the
# yield at the spec's margin thresholds and writes the HDF5 file and the four plots (margin
# map, yield, margin against module power, histogram) to OUT_DIR (default: out/); then the
# statistical eye of the VITA 68.2 channel shipped in data/channels (eye and bathtub plots).
# Extra arguments go to `eyesweep sweep` (e.g. --backend cpu, --threads 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build=${BUILD_DIR:-$root/build}
BUILD_DIR=$build "$root/scripts/build.sh" -DEYESWEEP_BUILD_TESTS=OFF -DEYESWEEP_BUILD_BENCH=OFF
out=${OUT_DIR:-$root/out}
mkdir -p "$out"
results=$out/lpo_800g_dr8.h5
rm -f "$results" "$results.journal"   # a fresh run each time
"$build/host/eyesweep" sweep "$root/examples/lpo_800g_dr8.toml" -o "$results" --variants "${VARIANTS:-40}" "$@"
plot=("/usr/bin/python3" "$root/scripts/plot_sweep.py")
"${plot[@]}" margin-map "$results" --x tx_board_loss_dB --y rx_board_loss_dB -o "$out/margin_map.png"
"${plot[@]}" yield "$results" -o "$out/yield.png"
"${plot[@]}" pareto "$results" -o "$out/margin_vs_power.png"
"${plot[@]}" histogram "$results" -o "$out/margin_histogram.png"
vita=$root/data/channels/vita68_example2
"$build/host/eyesweep" eye --config "$root/configs/vita_kr4.toml" --thru "$vita/example2_THRU.s4p" \
  --fext "$vita/example2_FEXT1.s4p" "$vita/example2_FEXT2.s4p" \
  --next "$vita/example2_NEXT1.s4p" "$vita/example2_NEXT2.s4p" "$vita/example2_NEXT3.s4p" \
  -o "$out/vita_eye.h5" --force
eye_plot=("/usr/bin/python3" "$root/scripts/plot_eye.py")
"${eye_plot[@]}" eye "$out/vita_eye.h5" --eye case_1 -o "$out/vita_eye.png"
"${eye_plot[@]}" bathtub "$out/vita_eye.h5" --eye case_1 -o "$out/vita_bathtub.png"
echo "plots: $out/margin_map.png $out/yield.png $out/margin_vs_power.png $out/margin_histogram.png" \
  "$out/vita_eye.png $out/vita_bathtub.png"
