#!/usr/bin/env bash
# Installs the Debian packages kiln needs to build and test, when any is missing.
# Idempotent: when everything is there it only runs dpkg-query and returns.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers vulkan-tools
  glslang-tools glslang-dev spirv-tools spirv-cross
  libpng-dev nlohmann-json3-dev libcli11-dev python3
  libgtest-dev liblz4-dev libzstd-dev xvfb
  astcenc  # ARM's ASTC codec: the reference the layer's ASTC decoder is tested against
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "deps: missing packages: ${missing[*]}" >&2
    echo "deps: run as root or install them with: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/kiln-deps.log 2>&1; then
  $sudo apt-get update -q >>/tmp/kiln-deps.log 2>&1 || true
  if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/kiln-deps.log 2>&1; then
    tail -20 /tmp/kiln-deps.log >&2
    echo "deps: apt-get could not install: ${missing[*]} (full log: /tmp/kiln-deps.log)" >&2
    exit 1
  fi
fi
echo "deps: installed ${#missing[@]} package(s)"
