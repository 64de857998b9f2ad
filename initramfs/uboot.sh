#!/usr/bin/env bash
# Fetch Debian's U-Boot for the Allwinner arm64 boards (u-boot-sunxi:arm64,
# which has the PinePhone's SPL and FIT image under usr/lib/u-boot/pinephone)
# for SD-card images. tools/sdimage unpacks what it needs from the package.
#
#   initramfs/uboot.sh OUT      -> OUT/u-boot-sunxi.deb, OUT/version
#
# Follows the package index's candidate version; idempotent: a second run
# with the same version does nothing. Needs: apt-get, apt-cache.
set -euo pipefail

out=${1:?usage: uboot.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
pkg=u-boot-sunxi:arm64

candidate() { apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p'; }
version=$(candidate)
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
	${SUDO:-} apt-get update -q -o APT::Architectures=amd64,arm64 >/dev/null
	version=$(candidate)
fi
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
	echo "uboot.sh: $pkg not found; run: dpkg --add-architecture arm64 && apt-get update" >&2
	exit 1
fi

if [ -f "$out/version" ] && [ "$(cat "$out/version")" = "$version" ] && [ -f "$out/u-boot-sunxi.deb" ]; then
	echo "u-boot-sunxi $version: up to date"
	exit 0
fi
echo "u-boot-sunxi $version: fetching Debian's U-Boot for Allwinner arm64 boards"
work="$out/work"
rm -rf "$work"
mkdir -p "$work"
# An old package index may name a version the mirror no longer has.
if ! (cd "$work" && apt-get download -q "$pkg=$version"); then
	${SUDO:-} apt-get update -q -o APT::Architectures=amd64,arm64 >/dev/null
	version=$(candidate)
	(cd "$work" && apt-get download -q "$pkg=$version")
fi
mv "$work"/u-boot-sunxi_*_arm64.deb "$out/u-boot-sunxi.deb"
echo "$version" >"$out/version"
rm -rf "$work"
