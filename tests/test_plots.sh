#!/usr/bin/env bash
# Renders every plot of scripts/plot_sweep.py from a small synthetic sweep file
# (scripts/make_test_sweep_h5.py; Monte-Carlo and an interrupted grid sweep) and checks that each
# is a PNG of some substance, and that bad names fail with exit status 2 and a useful message.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scripts="$here/../scripts"
# Debian's interpreter has numpy, h5py and matplotlib; the python3 first on PATH may not.
python=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export MPLCONFIGDIR="$work/mpl"

fail() { echo "FAIL: $*" >&2; exit 1; }

check_png() {
  local png="$1"
  [[ -f "$png" ]] || fail "$png was not written"
  local size
  size=$(stat -c %s "$png")
  (( size > 5000 )) || fail "$png is only $size bytes"
  [[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" == "89504e470d0a1a0a" ]] || fail "$png is not a PNG"
  echo "ok: $(basename "$png") ($size bytes)"
}

# Runs a command that must fail with status 2 and print every given text on stderr.
check_refused() {
  local what="$1"; shift
  local -a expected=()
  while [[ "$1" != "--" ]]; do expected+=("$1"); shift; done
  shift
  local status=0
  "$@" 2>"$work/stderr" >/dev/null || status=$?
  [[ $status -eq 2 ]] || fail "$what: exit status $status, expected 2 ($(cat "$work/stderr"))"
  for text in "${expected[@]}"; do
    grep -qF -- "$text" "$work/stderr" || fail "$what: '$text' missing from: $(cat "$work/stderr")"
  done
  echo "ok: $what refused: $(tail -n 1 "$work/stderr")"
}

"$python" "$scripts/make_test_sweep_h5.py" "$work/mc.h5"
"$python" "$scripts/make_test_sweep_h5.py" "$work/grid.h5" --grid --variants 324 --rows 250

plot=("$python" "$scripts/plot_sweep.py")
for sweep in mc grid; do
  file="$work/$sweep.h5"
  "${plot[@]}" margin-map "$file" --x fiber_length_m --y host_trace_loss_dB -o "$work/$sweep-map.png"
  check_png "$work/$sweep-map.png"
  "${plot[@]}" margin-map "$file" --x host_platform --y host_trace_loss_dB --threshold 1 -o "$work/$sweep-map-cat.png"
  check_png "$work/$sweep-map-cat.png"
  "${plot[@]}" yield "$file" -o "$work/$sweep-yield.png"
  check_png "$work/$sweep-yield.png"
  "${plot[@]}" pareto "$file" -o "$work/$sweep-pareto.png"
  check_png "$work/$sweep-pareto.png"
  "${plot[@]}" histogram "$file" --bins 30 -o "$work/$sweep-histogram.png"
  check_png "$work/$sweep-histogram.png"
done

check_refused "unknown parameter" "unknown parameter 'no_such_param'" fiber_length_m host_platform host_trace_loss_dB -- \
  "${plot[@]}" margin-map "$work/mc.h5" --x no_such_param --y fiber_length_m -o "$work/bad.png"
check_refused "Monte-Carlo parameters forced onto a grid" "not on a grid" -- \
  "${plot[@]}" margin-map "$work/mc.h5" --x fiber_length_m --y host_trace_loss_dB --mode grid -o "$work/bad.png"
check_refused "missing file" "no such file" -- "${plot[@]}" yield "$work/missing.h5" -o "$work/bad.png"
"$python" - "$work/mc.h5" "$work/no-power.h5" <<'PY'
import shutil, sys, h5py
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "a") as f:
    del f["results/module_power_W"]
PY
check_refused "missing dataset" "/results/module_power_W" com_dB fom_dB -- \
  "${plot[@]}" pareto "$work/no-power.h5" -o "$work/bad.png"
check_refused "bad --bins" "--bins" -- "${plot[@]}" histogram "$work/mc.h5" --bins 0 -o "$work/bad.png"
[[ ! -e "$work/bad.png" ]] || fail "a refused command wrote its output"

# Statistical eyes: every plot of scripts/plot_eye.py from synthetic eye files
# (scripts/make_test_eye_h5.py: PAM4, NRZ, two package cases in one file), then its refusals.
eye_plot=("$python" "$scripts/plot_eye.py")

# Renders the eye, bathtub and pulse plots of FILE into NAME-*.png and checks them; further
# arguments (e.g. --eye case_2) go to every plot.
check_eye_plots() {
  local file="$1" name="$2"; shift 2
  local kind
  for kind in eye bathtub pulse; do
    "${eye_plot[@]}" "$kind" "$file" "$@" -o "$work/$name-$kind.png"
    check_png "$work/$name-$kind.png"
  done
}

"$python" "$scripts/make_test_eye_h5.py" "$work/pam4.h5"
"$python" "$scripts/make_test_eye_h5.py" "$work/nrz.h5" --levels 2
"$python" "$scripts/make_test_eye_h5.py" "$work/two-cases.h5" --groups 2
check_eye_plots "$work/pam4.h5" pam4
check_eye_plots "$work/nrz.h5" nrz
check_eye_plots "$work/two-cases.h5" case-2 --eye case_2
"${eye_plot[@]}" eye "$work/pam4.h5" --targets 1e-4,1e-12 -o "$work/pam4-eye-targets.png"
check_png "$work/pam4-eye-targets.png"

check_refused "missing eye file" "no such file" -- "${eye_plot[@]}" eye "$work/missing.h5" -o "$work/bad.png"
echo "not HDF5" >"$work/text.h5"
check_refused "file that is not HDF5" "$work/text.h5" "not a readable HDF5 file" -- \
  "${eye_plot[@]}" pulse "$work/text.h5" -o "$work/bad.png"
check_refused "file without eyes" "$work/mc.h5" "no /eyes group" -- \
  "${eye_plot[@]}" eye "$work/mc.h5" -o "$work/bad.png"
check_refused "unknown eye group" "/eyes/case_9" "case_1, case_2" -- \
  "${eye_plot[@]}" bathtub "$work/two-cases.h5" --eye case_9 -o "$work/bad.png"
check_refused "several eyes without --eye" "2 eyes under /eyes" "case_1, case_2" "--eye" -- \
  "${eye_plot[@]}" eye "$work/two-cases.h5" -o "$work/bad.png"
"$python" - "$work/pam4.h5" "$work/no-contour.h5" <<'PY'
import shutil, sys, h5py
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "a") as f:
    del f["eyes/case_1/contour_upper_V"]
PY
check_refused "missing eye dataset" "/eyes/case_1/contour_upper_V" -- \
  "${eye_plot[@]}" eye "$work/no-contour.h5" -o "$work/bad.png"
check_refused "target that is not stored" "--targets 1e-7" "stored targets: 1e-3, 1e-4, 1e-6" -- \
  "${eye_plot[@]}" eye "$work/pam4.h5" --targets 1e-12,1e-7 -o "$work/bad.png"
check_refused "malformed --targets" "--targets" -- \
  "${eye_plot[@]}" eye "$work/pam4.h5" --targets 1e-12,often -o "$work/bad.png"
[[ ! -e "$work/bad.png" ]] || fail "a refused eye plot wrote its output"

# Real eyes from the eyesweep binary (ctest passes it): the VITA 68.2 channel's NRZ eye from
# `eyesweep eye`, and a PAM4 eye kept by a small linear-drive sweep.
if [[ -n "${EYESWEEP_BIN:-}" ]]; then
  root="$here/.."
  vita="$root/data/channels/vita68_example2"
  "$EYESWEEP_BIN" eye --config "$root/configs/vita_kr4.toml" --thru "$vita/example2_THRU.s4p" \
    --fext "$vita/example2_FEXT1.s4p" "$vita/example2_FEXT2.s4p" --phases 32 --bins 512 \
    -o "$work/vita-eye.h5" >/dev/null
  check_eye_plots "$work/vita-eye.h5" vita --eye case_1
  "$EYESWEEP_BIN" sweep "$here/data/sweep/lpo_small.toml" -o "$work/lpo.h5" --variants 2 --keep-eyes 1 \
    --phases 32 --bins 512 >/dev/null 2>&1
  worst=$("$python" -c "import h5py, sys; print(list(h5py.File(sys.argv[1])['eyes'])[0])" "$work/lpo.h5")
  check_eye_plots "$work/lpo.h5" lpo --eye "$worst"
fi
echo "all plots rendered"
