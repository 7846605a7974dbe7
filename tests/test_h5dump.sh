#!/usr/bin/env bash
# Reads real sweep files with HDF5's own tools only (h5ls, h5dump from Debian's hdf5-tools), as a
# user without eyesweep would: every dataset, group and attribute that docs/hdf5-schema.md documents
# as always present is there with its documented type; /results/com_dB reads the same in h5dump and
# h5py; a merged shard file reads through its virtual datasets; and the file uses no datatype
# outside the documented set (float64, int64, uint64, int8, variable-length UTF-8 strings, all of
# which MATLAB's h5read/h5readatt read as plain arrays). ctest passes the binary as EYESWEEP_BIN.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Debian's interpreter has h5py; the python3 first on PATH may not.
python=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in h5dump h5ls; do
  command -v "$tool" >/dev/null ||
    fail "$tool not found: install Debian's hdf5-tools (run scripts/install-deps.sh; CI installs it)"
done
[[ -n "${EYESWEEP_BIN:-}" ]] || fail "EYESWEEP_BIN is not set (ctest sets it to the eyesweep binary)"

# --- helpers: everything below reads the files through h5dump/h5ls (h5py only to compare) -------

# The datatype h5dump gives an attribute (-a PATH) or dataset (-d PATH), on one line.
h5datatype() {
  local file="$1" flag="$2" path="$3" out
  out=$(h5dump -H "$flag" "$path" "$file" 2>&1) || fail "h5dump -H $flag $path $(basename "$file"): $out"
  awk '/DATATYPE/{d=1} /DATASPACE/{exit} d' <<<"$out" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}

# The value of an attribute as h5dump prints it, without the "(0): " index.
h5attr() {
  local file="$1" path="$2" out
  out=$(h5dump -w 0 -a "$path" "$file" 2>&1) || fail "h5dump -a $path $(basename "$file"): $out"
  awk '/^ *DATA \{/{d=1; next} d && /^ *\}$/{exit} d{sub(/^ *\([0-9]+\): /, ""); print}' <<<"$out"
}

# The values of a dataset as h5dump prints them at full precision (%.17g), one a line.
h5values() {
  local file="$1" path="$2"
  rm -f "$work/values.txt"
  h5dump -y -w 0 -m %.17g -o "$work/values.txt" -d "$path" "$file" >/dev/null 2>"$work/h5dump.err" ||
    fail "h5dump -d $path $(basename "$file"): $(cat "$work/h5dump.err")"
  { cat "$work/values.txt"; echo; } | tr ',' '\n' | tr -d ' ' | sed '/^$/d'
}

# The same values read by h5py, formatted as h5dump's %.17g.
h5py_values() {
  "$python" - "$1" "$2" <<'PY'
import sys, h5py, numpy
with h5py.File(sys.argv[1], "r") as f:
    for v in numpy.asarray(f[sys.argv[2]]).ravel():
        print("%.17g" % v)
PY
}

declare -A h5t=(
  [float64]="DATATYPE H5T_IEEE_F64LE"
  [int64]="DATATYPE H5T_STD_I64LE"
  [uint64]="DATATYPE H5T_STD_U64LE"
  [int8]="DATATYPE H5T_STD_I8LE"
  [string]="DATATYPE H5T_STRING { STRSIZE H5T_VARIABLE; STRPAD H5T_STR_NULLTERM; CSET H5T_CSET_UTF8; CTYPE H5T_C_S1; }"
)

# check_attr FILE PATH TYPE [VALUE]: the attribute reads with h5dump, has the documented type
# (strings print as "..."), and, when VALUE is given, h5dump prints exactly that.
check_attr() {
  local file="$1" path="$2" type="$3" dt value
  dt=$(h5datatype "$file" -a "$path")
  [[ "$dt" == "${h5t[$type]}" ]] || fail "attribute $path of $(basename "$file"): expected $type, h5dump says: $dt"
  value=$(h5attr "$file" "$path")
  if [[ "$type" == string ]]; then
    [[ "$value" == \"*\" ]] || fail "attribute $path does not print as a string: $value"
  fi
  if [[ $# -ge 4 && "$value" != "$4" ]]; then
    fail "attribute $path of $(basename "$file"): h5dump prints '$value', expected '$4'"
  fi
}

# N lines of VALUE.
repeat() { local i; for ((i = 0; i < $1; i++)); do echo "$2"; done; }

# check_same WHAT A B: two lists of values are equal, line for line.
check_same() {
  [[ "$2" == "$3" ]] || fail "$1 differ:"$'\n'"$2"$'\n'"---"$'\n'"$3"
}

# --- a real sweep ---------------------------------------------------------------------------------
spec="$here/data/sweep/lpo_small.toml"   # Monte Carlo, seed 7
rows=6
sweep=("$EYESWEEP_BIN" sweep "$spec" --backend cpu --variants "$rows")
file="$work/s.h5"
"${sweep[@]}" -o "$file" >"$work/sweep.log" 2>&1 || fail "eyesweep sweep failed: $(tail -n 5 "$work/sweep.log")"

# Every always-present column of docs/hdf5-schema.md ("What eyesweep sweep writes") with its
# documented type; parameters are the spec's [axes], results/<setting> its [search] parameters.
declare -A column_type=(
  [variant_index]=uint64 [results/ok]=int8 [results/error]=string [results/sampling_phase]=int64
)
for p in tx_board_loss_dB rx_board_loss_dB tia_noise_pA_rtHz fiber_loss_dB; do
  column_type[parameters/$p]=float64
done
for r in com_dB fom_dB eye_height_mV A_s_mV A_ni_mV sigma_isi_mV sigma_xt_mV sigma_tx_mV sigma_n_mV \
  sigma_rj_mV sigma_dd_mV g_DC_dB g_DC2_dB tx_taps dfe_taps tia_ctle_dB module_power_W rlm_module \
  oma_rx_dBm tia_transimpedance_dBohm module_noise_mV; do
  column_type[results/$r]=float64
done
vector_columns=" results/tx_taps results/dfe_taps "
# Documented, but only for some sweeps (Rx FFE hosts, [[channel_sets]], measured boards).
optional_columns=" results/rx_ffe_taps parameters/channel_set parameters/tx_board parameters/rx_board "
summary_datasets=(thresholds_dB yield yield_ci_low yield_ci_high pass total percentile_levels
  margin_percentiles_dB worst_variant_index worst_margin_dB sensitivity_parameter
  sensitivity_spearman sensitivity_failing_shift)

# 1. h5ls -r lists every documented group and dataset, columns with one row per variant.
h5ls -r "$file" >"$work/h5ls.txt" 2>&1 || fail "h5ls -r failed: $(cat "$work/h5ls.txt")"
listed() { grep -qE "^/$1 +$2( |\$)" "$work/h5ls.txt" || fail "h5ls -r does not list /$1 as ${2//\\/} ($3)"; }
for g in parameters results summary; do listed "$g" Group "documented group"; done
for c in "${!column_type[@]}"; do
  if [[ "$vector_columns" == *" $c "* ]]; then
    listed "$c" "Dataset \\{$rows/Inf, [0-9]+\\}" "a column: rows x width"
  else
    listed "$c" "Dataset \\{$rows/Inf\\}" "a column: $rows rows"
  fi
  [[ "$(h5datatype "$file" -d "/$c")" == "${h5t[${column_type[$c]}]}" ]] ||
    fail "/$c: expected ${column_type[$c]}, h5dump says: $(h5datatype "$file" -d "/$c")"
  check_attr "$file" "/$c/units" string
  check_attr "$file" "/$c/description" string
done
for d in "${summary_datasets[@]}"; do listed "summary/$d" Dataset "documented /summary dataset"; done
# ... and nothing under /results or /parameters that the schema does not document.
while read -r path _; do
  c="${path#/}"
  [[ -n "${column_type[$c]:-}" || "$optional_columns" == *" $c "* ]] ||
    fail "h5ls -r lists $path, which docs/hdf5-schema.md does not document"
done < <(grep -E '^/(results|parameters)/[^ ]+ +Dataset' "$work/h5ls.txt")
check_attr "$file" /results/com_dB/units string '"dB"'
# The root attribute `columns` names exactly these columns.
listed_columns=$(h5attr "$file" /columns | tr -d '" ' | tr ',' '\n' | sort)
check_same "columns attribute and documented columns" "$listed_columns" "$(printf '%s\n' "${!column_type[@]}" | sort)"
echo "ok: h5ls -r lists the ${#column_type[@]} documented columns, /summary and its ${#summary_datasets[@]} datasets"

# 2. Root and /summary attributes read with h5dump -a, with the documented types and values.
read -r version revision < <("$EYESWEEP_BIN" --version | tr -d '()')
check_attr "$file" /format string '"eyesweep-sweep"'
check_attr "$file" /format_version int64 1
check_attr "$file" /complete int64 1
check_attr "$file" /seed uint64 7
check_attr "$file" /num_variants uint64 "$rows"
check_attr "$file" /first_variant uint64 0
check_attr "$file" /end_variant uint64 "$rows"
check_attr "$file" /shard string '"1/1"'
check_attr "$file" /name string '"LPO test sweep"'
check_attr "$file" /margin_thresholds_dB float64 "0, 2, 4"
check_attr "$file" /eyesweep_version string "\"$version\""
check_attr "$file" /git_revision string "\"$revision\""
check_attr "$file" /backend string '"cpu"'
check_attr "$file" /identity_keys string \
  '"spec", "com_config_text", "seed", "num_variants", "shard", "first_variant", "end_variant"'
for a in spec com_config com_config_text device columns; do check_attr "$file" "/$a" string; done
[[ "$(h5attr "$file" /spec_hash)" =~ ^\"[0-9a-f]{16}\"$ ]] || fail "spec_hash is not 16 hex digits"
for a in start_time end_time; do
  check_attr "$file" "/$a" string
  [[ "$(h5attr "$file" "/$a")" =~ ^\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\"$ ]] || fail "$a is not ISO 8601 UTC"
done
h5attr "$file" /spec | grep -qF 'name = "LPO test sweep"' || fail "h5dump -a /spec does not print the spec's text"
h5attr "$file" /spec | grep -qF 'variants = 6' || fail "the spec attribute is not the sweep that ran (--variants 6)"
for a in variants computed failed_to_compute margin_min_dB margin_mean_dB margin_max_dB; do
  h5attr "$file" "/summary/$a" >/dev/null
done
[[ "$(h5attr "$file" /summary/variants)" == "$rows" ]] || fail "/summary variants is not $rows"
echo "ok: root and /summary attributes read with h5dump -a (seed $(h5attr "$file" /seed), eyesweep_version $(h5attr "$file" /eyesweep_version))"

# 3. h5dump prints the COM column as six finite numbers, the ones h5py reads; likewise the other
# number types and a rows x width column.
com=$(h5values "$file" /results/com_dB)
[[ $(wc -l <<<"$com") -eq $rows ]] || fail "h5dump -d /results/com_dB printed $(wc -l <<<"$com") values, expected $rows: $com"
while read -r v; do
  [[ "$v" =~ ^-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?$ ]] || fail "COM value '$v' is not a finite number"
done <<<"$com"
check_same "h5dump and h5py values of /results/com_dB" "$com" "$(h5py_values "$file" /results/com_dB)"
for c in variant_index results/ok results/sampling_phase results/tx_taps; do
  check_same "h5dump and h5py values of /$c" "$(h5values "$file" "/$c")" "$(h5py_values "$file" "/$c")"
done
check_same "h5dump values of /variant_index" "$(h5values "$file" /variant_index)" "$(seq 0 $((rows - 1)))"
check_same "h5dump values of /results/ok" "$(h5values "$file" /results/ok)" "$(repeat $rows 1)"
echo "ok: h5dump -d /results/com_dB prints $(tr '\n' ' ' <<<"$com")(= h5py)"

# 4. A merged shard file: virtual datasets onto the shards, read by h5dump through them.
mkdir "$work/shards"
for k in 1 2; do
  "${sweep[@]}" --shard "$k/2" -o "$work/shards/s$k.h5" >"$work/sweep.log" 2>&1 ||
    fail "eyesweep sweep --shard $k/2 failed: $(tail -n 5 "$work/sweep.log")"
done
merged="$work/shards/merged.h5"
"$EYESWEEP_BIN" merge "$work/shards/s2.h5" "$work/shards/s1.h5" -o "$merged" >"$work/merge.log" 2>&1 ||
  fail "eyesweep merge failed: $(tail -n 5 "$work/merge.log")"
layout=$(h5dump -p -H -d /results/com_dB "$merged")
grep -q VIRTUAL <<<"$layout" || fail "/results/com_dB of the merged file is not a virtual dataset"
for k in 1 2; do grep -qF "FILE \"s$k.h5\"" <<<"$layout" || fail "the virtual dataset does not map onto s$k.h5"; done
check_attr "$merged" /shard string '"merged"'
check_attr "$merged" /first_variant uint64 0
check_attr "$merged" /end_variant uint64 "$rows"
check_attr "$merged" /merged_from string "\"$work/shards/s1.h5\", \"$work/shards/s2.h5\""   # variant order
for c in results/com_dB variant_index results/ok results/tx_taps; do
  shards=$(h5values "$work/shards/s1.h5" "/$c"; h5values "$work/shards/s2.h5" "/$c")
  # From another directory: the shards are found beside the merged file, not in the working one.
  through=$(cd / && h5values "$merged" "/$c")
  check_same "h5dump of merged /$c and of the two shards" "$through" "$shards"
  check_same "h5dump and h5py of merged /$c" "$through" "$(h5py_values "$merged" "/$c")"
  check_same "merged and unsharded /$c" "$through" "$(h5values "$file" "/$c")"
done
# Without a shard beside it, HDF5 reads the fill value for its rows (as the schema warns).
mv "$work/shards/s2.h5" "$work/s2-away.h5"
check_same "merged /results/com_dB without s2.h5" "$(h5values "$merged" /results/com_dB)" \
  "$(head -n $((rows / 2)) <<<"$com"; repeat $((rows - rows / 2)) 0)"
mv "$work/s2-away.h5" "$work/shards/s2.h5"
echo "ok: h5dump reads the merged file's virtual datasets: the shards' values"

# 5. Only the documented datatypes (and scalar, simple or null dataspaces) anywhere, attributes
# included: types MATLAB's h5read/h5readatt return as double, int64, uint64, int8 or text.
allowed=$(printf '%s\n' "${h5t[@]}")
for f in "$file" "$merged"; do
  h5dump -H -A "$f" >"$work/header.txt" || fail "h5dump -H $(basename "$f") failed"
  types=$(awk '/DATATYPE/{d=1; t=""} d{t=t" "$0} d && (/DATATYPE +H5T_[A-Z0-9_]+$/ || /^ *}$/){print t; d=0}' \
    "$work/header.txt" | tr -s ' ' | sed 's/^ //; s/ $//' | sort -u)
  while read -r t; do
    grep -qxF "$t" <<<"$allowed" || fail "$(basename "$f") uses a datatype outside the schema: $t"
  done <<<"$types"
  spaces=$(grep -oE 'DATASPACE +[A-Z]+' "$work/header.txt" | awk '{print $2}' | sort -u | tr '\n' ' ' | sed 's/ $//')
  [[ "$spaces " =~ ^((NULL|SCALAR|SIMPLE) )+$ ]] || fail "$(basename "$f") uses dataspaces: $spaces"
  echo "ok: $(basename "$f") datatypes: $(sed 's/DATATYPE //; s/ {.*CSET \(H5T_CSET_[A-Z0-9]*\).*/ (variable-length \1)/' <<<"$types" | tr '\n' ',' | sed 's/,$//; s/,/, /g'); dataspaces: $spaces"
done
echo "all h5dump checks passed"
