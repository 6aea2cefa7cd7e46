#!/bin/sh
# Install every Debian package Basalt needs to build, boot, test and bench.
# Idempotent: packages already present are skipped, and apt is only touched
# when something is missing. Uses sudo when not run as root.
set -e

PKGS="gcc make nasm binutils libc6-dev grub-pc-bin grub-efi-amd64-bin grub-common
xorriso mtools qemu-system-x86 ovmf python3 python3-kconfiglib musl-tools
busybox-static e2fsprogs gdb openssl cpio kbd console-setup-linux gnuplot-nox
libclang-rt-14-dev clang cppcheck"
# --linux (or BASALT_LINUX=1): also Debian's kernel, the anchor for
# `make bench-linux` and tests/linux/run-in-qemu (they can fetch it without
# installing anything, too)
if [ "${1:-}" = --linux ] || [ -n "${BASALT_LINUX:-}" ]; then
	PKGS="$PKGS linux-image-amd64"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
