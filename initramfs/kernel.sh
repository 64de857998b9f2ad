#!/usr/bin/env bash
# Fetch Debian's arm64 kernel, build the modules Debian does not ship out of
# tree against the same kernel's headers and source (the simulated hardware:
# gpio-sim, irq_sim, i2c-stub; the PinePhone's volume keys: sun4i-lradc-keys),
# and pack each board's modules into a cpio of its own that is appended to
# the u-root image for that board. The Allwinner device trees are kept for
# SD-card images.
#
#   initramfs/kernel.sh OUT     -> OUT/vmlinuz, OUT/modules-BOARD.cpio (one
#                                  per board), OUT/abi, OUT/dtbs/allwinner/*.dtb
#
# The kernel follows Debian's metapackage linux-image-arm64 (its ABI moves
# often, so nothing here names one). Idempotent: a second run with the same
# ABI, the same script and the same board module lists does nothing.
# Needs: apt-get, dpkg-deb, depmod, modprobe, cpio, xz, gcc-aarch64-linux-gnu,
# make, bc (make deps installs them), and go (the boards' module lists come
# from board/ through tools/imageparts).
set -euo pipefail

out=${1:?usage: kernel.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

# The first linux-image-<abi>-arm64 the metapackage depends on.
resolve() {
	pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*-arm64\).*/\1/p' | head -n1)
	abi=${pkg#linux-image-}                 # e.g. 6.1.0-56-arm64
	common=${abi%-arm64}                    # e.g. 6.1.0-56
	series=$(echo "$abi" | cut -d. -f1,2)   # e.g. 6.1
}
refresh() {
	${SUDO:-} apt-get update -q -o APT::Architectures=amd64,arm64 >/dev/null
}
resolve
if [ -z "$pkg" ]; then
	refresh
	resolve
fi
if [ -z "$pkg" ]; then
	echo "kernel.sh: linux-image-arm64:arm64 not found; run: dpkg --add-architecture arm64 && apt-get update" >&2
	exit 1
fi

# Each board's modules, one board a line: "NAME module module ...".
boards=$(cd "$here/.." && ${GO:-go} run ./tools/imageparts modules)
if [ -z "$boards" ]; then
	echo "kernel.sh: tools/imageparts listed no board modules" >&2
	exit 1
fi
# What the outputs were made from: a change to this script or to a board's
# module list makes them again.
recipe=$( (cat "$0"; echo "$boards") | sha256sum | cut -c1-16)
have_all() {
	echo "$boards" | while read -r name _; do
		[ -f "$out/modules-$name.cpio" ] || echo "$name"
	done
}
if [ -f "$out/abi" ] && [ "$(cat "$out/abi")" = "$abi" ] &&
	[ -f "$out/recipe" ] && [ "$(cat "$out/recipe")" = "$recipe" ] &&
	[ -f "$out/vmlinuz" ] && [ -z "$(have_all)" ] && [ -d "$out/dtbs/allwinner" ]; then
	echo "kernel $abi: up to date"
	exit 0
fi
echo "kernel $abi: fetching the kernel, headers, kbuild and source packages"

work="$out/work"
rm -rf "$work"
mkdir -p "$work/debs" "$work/root"
download() {
	(cd "$work/debs" && apt-get download -q \
		"linux-image-$abi:arm64" "linux-headers-$abi:arm64" \
		"linux-headers-$common-common" "linux-kbuild-$series" "linux-source-$series")
}
# An old package index may name packages the mirror no longer has.
if ! download; then
	refresh
	resolve
	download
fi
for d in "$work"/debs/*.deb; do dpkg-deb -x "$d" "$work/root"; done

root="$work/root"
moddir="$root/lib/modules/$abi"
headers="$root/usr/src/linux-headers-$abi"

# Out-of-tree modules. The headers' Makefile includes the common headers by
# an absolute path: point it at the unpacked copy.
sed -i "s#^include /usr/src/#include $root/usr/src/#" "$headers/Makefile"
src="$work/src"
mkdir -p "$src"
tar -xJf "$root/usr/src/linux-source-$series.tar.xz" -C "$work" \
	"linux-source-$series/drivers/gpio/gpio-sim.c" \
	"linux-source-$series/drivers/gpio/gpiolib.h" \
	"linux-source-$series/kernel/irq/irq_sim.c" \
	"linux-source-$series/drivers/i2c/i2c-stub.c" \
	"linux-source-$series/drivers/input/keyboard/sun4i-lradc-keys.c"
cp "$work/linux-source-$series/drivers/gpio/gpio-sim.c" \
	"$work/linux-source-$series/drivers/gpio/gpiolib.h" \
	"$work/linux-source-$series/kernel/irq/irq_sim.c" \
	"$work/linux-source-$series/drivers/i2c/i2c-stub.c" \
	"$work/linux-source-$series/drivers/input/keyboard/sun4i-lradc-keys.c" "$src/"
# irq_sim is built into kernels that enable it and uses irq_to_desc, which
# the kernel does not export to modules; generic_handle_irq is the exported
# way to run the same handler. As a module it also needs a licence tag.
sed -i 's/handle_simple_irq(irq_to_desc(irqnum))/generic_handle_irq(irqnum)/' "$src/irq_sim.c"
grep -q 'generic_handle_irq(irqnum)' "$src/irq_sim.c" || {
	echo "kernel.sh: irq_sim.c changed upstream; the irq_to_desc patch no longer applies" >&2
	exit 1
}
printf '\n#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' >>"$src/irq_sim.c"
# The PinePhone's volume keys sit on the A64's LRADC, whose driver Debian's
# config leaves out (KEYBOARD_SUN4I_LRADC is not set); it builds as is.
printf 'obj-m := gpio-sim.o irq_sim.o i2c-stub.o sun4i-lradc-keys.o\n' >"$src/Kbuild"
echo "kernel $abi: building gpio-sim, irq_sim, i2c-stub and sun4i-lradc-keys out of tree (Debian does not build them)"
make -s -C "$headers" M="$src" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules
# Debian strips its modules' debug information; the out-of-tree build keeps
# it (1.6 MB of the four modules' 1.7 MB).
aarch64-linux-gnu-strip --strip-debug "$src"/*.ko
mkdir -p "$moddir/extra"
cp "$src"/*.ko "$moddir/extra/"
depmod -b "$root" "$abi"

# Each board's modules and everything they depend on, in a cpio per board:
# an image carries only its board's (the PinePhone's are most of them).
echo "$boards" | while read -r name mods; do
	echo "kernel $abi: collecting the modules of board $name"
	stage="$work/stage-$name"
	mkdir -p "$stage/lib/modules/$abi"
	for m in $mods; do
		modprobe -d "$root" -S "$abi" --show-depends "$m" | while read -r verb path _; do
			[ "$verb" = insmod ] || continue
			rel=${path#"$moddir"/}
			mkdir -p "$stage/lib/modules/$abi/$(dirname "$rel")"
			cp "$path" "$stage/lib/modules/$abi/$rel"
		done
	done
	cp "$moddir/modules.builtin" "$moddir/modules.builtin.modinfo" "$moddir/modules.order" "$stage/lib/modules/$abi/"
	depmod -b "$stage" "$abi"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$out/modules-$name.cpio.tmp"
done

# The Allwinner device trees (the PinePhone's among them) for SD-card images.
rm -rf "$out/dtbs.tmp"
mkdir -p "$out/dtbs.tmp"
cp -r "$root/usr/lib/linux-image-$abi/allwinner" "$out/dtbs.tmp/"
rm -rf "$out/dtbs"
mv "$out/dtbs.tmp" "$out/dtbs"

cp "$root/boot/vmlinuz-$abi" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
echo "$boards" | while read -r name _; do
	mv "$out/modules-$name.cpio.tmp" "$out/modules-$name.cpio"
	echo "kernel $abi: board $name: $(du -h "$out/modules-$name.cpio" | cut -f1) of modules"
done
# The single cpio of every board's modules that older builds made.
rm -f "$out/modules.cpio"
echo "$abi" >"$out/abi"
echo "$recipe" >"$out/recipe"
rm -rf "$work"
echo "kernel $abi: ready"
