#!/usr/bin/env bash
# Installs the Debian packages eyesweep needs to build, test and plot, when missing
# (hdf5-tools: h5dump/h5ls, used by tests/test_h5dump.sh).
# Runs apt-get only if something is missing; uses sudo when not root.
set -euo pipefail

packages=(
  cmake g++ make pkg-config git
  libhdf5-dev hdf5-tools libfftw3-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev googletest libgtest-dev libbenchmark-dev
  python3-h5py python3-matplotlib python3-numpy
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
