# Ringo's interface. `make run` and `make test` are the two commands a fresh
# machine needs: each brings in `deps` first. See README.md.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO      ?= go
BUILD   := build
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/ringo-phone/ringo/internal/version.Version=$(VERSION)

# Root runs apt directly; anyone else goes through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -y -q \
	--no-install-recommends -o DPkg::Lock::Timeout=120
# Only the two architectures we use: other indexes can be mid-sync.
APT_UPDATE := $(SUDO) apt-get update -q -o APT::Architectures=amd64,arm64

# Host packages: QEMU and the kernel/module tool chain for the image;
# tshark, pulseaudio and iaxmodem are the independent real parts the tests
# check against; iproute2/util-linux give network namespaces.
DEB_PACKAGES := qemu-system-arm kmod cpio xz-utils gcc-aarch64-linux-gnu make bc \
	iproute2 util-linux tshark pulseaudio pulseaudio-utils iaxmodem tmux \
	e2fsprogs

KERNEL  := $(BUILD)/kernel/vmlinuz
# Each board's modules in a cpio of its own (initramfs/kernel.sh): the QEMU
# image carries only qemu-virt's, an SD card's initramfs only its board's.
MODULES_OF = $(BUILD)/kernel/modules-$(1).cpio
MODULES := $(call MODULES_OF,qemu-virt)
IMAGE   := $(BUILD)/ringo.cpio
ROOTFS  := $(BUILD)/ringo-root.cpio
# PulseAudio and the libraries it loads, from Debian's arm64 packages.
PULSE   := $(BUILD)/pulseaudio.cpio
GO_SOURCES := $(shell find . -name '*.go' -not -path './build/*' 2>/dev/null) go.mod go.sum

FUZZTIME   ?= 60s
HIL_PKGS   := ./tools/hil/...
UNIT_PKGS   = $(shell $(GO) list ./... | grep -v '/tools/hil')

.PHONY: deps deps-apt deps-go kernel pulseaudio build image run test test-unit test-bench test-fuzz test-hil \
	bench fuzz clean fmt-check

## deps: Debian packages, Go modules, the Debian arm64 kernel and PulseAudio
## (idempotent)
deps: deps-apt deps-go kernel pulseaudio

deps-apt:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	arm64=$$(dpkg --print-foreign-architectures | grep -qx arm64 && echo yes || echo no); \
	if [ -n "$$missing" ] || [ $$arm64 = no ] || ! apt-cache show linux-image-arm64:arm64 >/dev/null 2>&1; then \
		echo "deps: Debian packages: installing $${missing:-the arm64 package index}"; \
		$(SUDO) dpkg --add-architecture arm64; \
		$(APT_UPDATE); \
		[ -z "$$missing" ] || $(APT_GET) install $$missing; \
	else echo "deps: Debian packages: all present"; fi

deps-go:
	@echo "deps: Go modules (go mod download)"
	@$(GO) mod download

kernel: deps-apt
	@echo "kernel: Debian's arm64 kernel and each board's modules (initramfs/kernel.sh)"
	@SUDO="$(SUDO)" GO="$(GO)" bash initramfs/kernel.sh $(BUILD)/kernel

## build: host binaries (firmware and tools) into build/
build:
	@mkdir -p $(BUILD)
	@echo "build: host programs into $(BUILD)/ (go build ./firmware/... ./tools/...)"
	@$(GO) build -ldflags '$(LDFLAGS)' -o $(BUILD)/ ./firmware/... ./tools/...

## image: the arm64 initramfs (u-root + Ringo firmware + board modules)
image: $(IMAGE)

# The SD-card image of a handset that boots from one (tools/sdimage, from
# Debian's U-Boot and kernel and the initramfs above): `make image
# BOARD=pinephone-1.2`, or `make sdimage`; make test checks the PinePhone's.
# sfdisk (fdisk), mtools, mkimage (u-boot-tools), fdtget
# (device-tree-compiler) and bmaptool (bmap-tools) make and check it.
DEB_PACKAGES += fdisk mtools u-boot-tools device-tree-compiler bmap-tools
BOARD     ?= qemu-virt
SD_BOARDS := pinephone-1.2
SD_BOARD  := $(if $(filter qemu-virt,$(BOARD)),pinephone-1.2,$(BOARD))
SDIMAGE   := $(BUILD)/ringo-$(SD_BOARD).img
UBOOT_DEB := $(BUILD)/u-boot/u-boot-sunxi.deb
ifneq ($(filter image sdimage,$(MAKECMDGOALS)),)
ifeq ($(filter $(BOARD),qemu-virt $(SD_BOARDS)),)
$(error BOARD=$(BOARD) has no image: give BOARD=qemu-virt (the default, QEMU) or one of $(SD_BOARDS))
endif
endif
.PHONY: sdimage uboot
image: $(if $(filter-out qemu-virt,$(BOARD)),$(SDIMAGE))
deps: uboot

## sdimage: the SD-card image for BOARD, or for the PinePhone 1.2 when BOARD
## is qemu-virt (docs/boards/pinephone.md says how to flash it)
sdimage: $(SDIMAGE)

# The card's initramfs: the same u-root image and PulseAudio as the QEMU
# image, with the board's own modules.
SD_INITRD := $(BUILD)/ringo-$(SD_BOARD).cpio

$(SD_INITRD): $(ROOTFS) $(call MODULES_OF,$(SD_BOARD)) $(PULSE)
	@echo "image: $@ = the u-root image + $(SD_BOARD)'s modules + PulseAudio"
	@cat $^ > $@.tmp
	@mv $@.tmp $@

$(SDIMAGE): $(SD_INITRD) $(KERNEL) $(UBOOT_DEB) board/board.go \
		$(shell find tools/sdimage -name '*.go' -not -name '*_test.go')
	@[ -d $(BUILD)/kernel/dtbs ] || $(MAKE) --no-print-directory kernel
	@echo "sdimage: $@ from Debian's U-Boot and kernel and $(SD_INITRD) (tools/sdimage)"
	@$(GO) run ./tools/sdimage -board $(SD_BOARD) -kernel $(KERNEL) -dtbs $(BUILD)/kernel/dtbs \
		-initrd $(SD_INITRD) -uboot-deb $(UBOOT_DEB) -o $@

## uboot: Debian's U-Boot for the Allwinner arm64 boards (idempotent)
uboot: deps-apt
	@SUDO="$(SUDO)" bash initramfs/uboot.sh $(BUILD)/u-boot

$(UBOOT_DEB):
	@$(MAKE) --no-print-directory uboot

$(ROOTFS): $(GO_SOURCES) initramfs/mkuimage.yaml $(shell find initramfs/rootfs -type f)
	@mkdir -p $(BUILD)
	@chmod 600 initramfs/rootfs/etc/ringo/Asterisk.conf
	@echo "image: u-root builds the arm64 initramfs (initramfs/mkuimage.yaml; 40-70 s, silent while it compiles)"
	@echo "image: expected warnings: u-root says \"You are not using one of the recommended Go"
	@echo "       versions\" because its list stops at go1.22; the image builds and runs with this Go."
	@echo "       At boot the kernel says \"loading out-of-tree module taints kernel\" for gpio-sim,"
	@echo "       irq_sim and i2c-stub, the simulated hardware built here; nothing is wrong."
	@$$($(GO) tool -n u-root) -config-file initramfs/mkuimage.yaml -config ringo \
		-go-extra-args=-ldflags='-s -w $(LDFLAGS)' -o $@.tmp
	@mv $@.tmp $@

$(IMAGE): $(ROOTFS) $(MODULES) $(PULSE)
	@echo "image: $(IMAGE) = the u-root image + qemu-virt's modules + PulseAudio"
	@cat $(ROOTFS) $(MODULES) $(PULSE) > $@.tmp
	@mv $@.tmp $@

## pulseaudio: PulseAudio's files from Debian's arm64 packages, as a cpio
## appended to the image (initramfs/pulseaudio.files lists them; the
## packages are kept in build/debs)
pulseaudio: $(PULSE)

$(PULSE): initramfs/pulseaudio.files $(wildcard initramfs/debfiles/*.go initramfs/debfiles/*/*.go) | deps-apt
	@mkdir -p $(BUILD)
	@echo "pulseaudio: Debian's arm64 PulseAudio and the libraries it loads (initramfs/pulseaudio.files)"
	@$(GO) run ./initramfs/debfiles -list initramfs/pulseaudio.files -cache $(BUILD)/debs \
		-out $(BUILD)/pulseaudio-root -manifest $(BUILD)/pulseaudio.manifest
	@(cd $(BUILD)/pulseaudio-root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) > $@.tmp
	@mv $@.tmp $@

$(KERNEL) $(foreach b,qemu-virt $(SD_BOARDS),$(call MODULES_OF,$(b))):
	$(MAKE) kernel

## state-disk: the guest's persistent state, an ext4 disk image made once
## and kept (what iaxsettings writes and the call history live on it;
## delete it to start again from the image's defaults)
STATE_DISK := $(BUILD)/state.img
.PHONY: state-disk
state-disk: $(STATE_DISK)

$(STATE_DISK): | deps-apt
	@mkdir -p $(BUILD)/state-seed/config $(BUILD)/state-seed/state
	@chmod 700 $(BUILD)/state-seed/state
	@echo "state-disk: $(STATE_DISK), 64 MB of ext4 labelled ringo-state (kept; rm it to start afresh)"
	@mkfs.ext4 -q -F -L ringo-state -E root_owner=0:0 -d $(BUILD)/state-seed $@.tmp 64M
	@mv $@.tmp $@

## run: build the image and boot it with the serial console on this terminal
## (Ctrl-A X leaves QEMU; ^C goes to the guest's program, not to make);
## UI=1 shows the call screen on the console instead of the shell
run: deps image build $(STATE_DISK)
	@echo "run: booting $(IMAGE) in QEMU beside the embedded IAX2 peer and the modem simulator, state on $(STATE_DISK)"
	@$(BUILD)/ringo-boot -kernel $(KERNEL) -initrd $(IMAGE) -state $(STATE_DISK) -pbx initramfs/demo-pbx.conf -modem \
		-wav $(BUILD)/speaker.wav$(if $(filter 1,$(UI)), -ui)

## test: everything CI runs
test: deps image sdimage fmt-check test-unit test-bench test-fuzz test-hil

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## test-unit: go vet and the race-checked tests of everything but the HIL suite
test-unit:
	$(GO) vet ./...
	RINGO_STRICT=1 $(GO) test -race -count=1 -timeout 15m $(UNIT_PKGS)

## test-fuzz: every fuzz target briefly (20000 inputs each): new inputs beyond
## the seeds. A count, not a duration: with a duration Go 1.26's fuzzing
## coordinator can fail a target with a bare "context deadline exceeded" as
## the time runs out (go.dev/issue/75804, fixed in Go 1.27), which a loaded
## CI machine hits.
test-fuzz:
	$(MAKE) --no-print-directory fuzz FUZZTIME=20000x

## test-hil: boot the image in QEMU and check it over the serial console
test-hil: image
	RINGO_STRICT=1 $(GO) test -count=1 -timeout 15m -v $(HIL_PKGS) 2>&1 | \
		grep -vE '^=== (RUN|PAUSE|CONT)'

## bench: every benchmark and measured run, then ONE table of every figure
## in docs/PERFORMANCE.md beside its goal (tools/benchtable; the raw output
## is kept in build/bench.out). A failing step is reported at the end; the
## table is printed either way.
BENCH_OUT := $(BUILD)/bench.out
bench: deps image $(call MODULES_OF,$(SD_BOARD))
	@rc=0; : > $(BENCH_OUT); \
	echo "bench: unit benchmarks (RINGO_BENCH=1: their long sweeps too)"; \
	RINGO_BENCH=1 $(GO) test -run '^$$' -bench . -benchmem -timeout 30m $(UNIT_PKGS) 2>&1 | tee -a $(BENCH_OUT) || rc=1; \
	echo "bench: the image by part (a full u-root build, timed, and one without Ringo's commands)"; \
	start=$$(date +%s.%N); \
	$$($(GO) tool -n u-root) -config-file initramfs/mkuimage.yaml -config ringo \
		-go-extra-args=-ldflags='-s -w $(LDFLAGS)' -o $(BUILD)/bench-root.cpio 2>/dev/null || rc=1; \
	end=$$(date +%s.%N); \
	echo "BenchmarkImageBuild 1 $$(echo "$$end - $$start" | bc) s" | tee -a $(BENCH_OUT); \
	$$($(GO) tool -n u-root) -config-file initramfs/mkuimage.yaml -config uroot-only \
		-go-extra-args=-ldflags='-s -w $(LDFLAGS)' -o $(BUILD)/bench-uroot.cpio 2>/dev/null || rc=1; \
	$(GO) run ./tools/imageparts sizes -root $(BUILD)/bench-root.cpio -uroot $(BUILD)/bench-uroot.cpio \
		-modules qemu-virt=$(MODULES),$(SD_BOARD)=$(call MODULES_OF,$(SD_BOARD)) -pulse $(PULSE) \
		-each initramfs/mkuimage.yaml | tee -a $(BENCH_OUT) || rc=1; \
	rm -f $(BUILD)/bench-root.cpio $(BUILD)/bench-uroot.cpio; \
	echo "bench: the measurements that are tests (RINGO_BENCH=1)"; \
	RINGO_BENCH=1 RINGO_STRICT=1 $(GO) test -count=1 -timeout 30m -v -run 'Bench' ./... 2>&1 | \
		grep -vE '^=== (RUN|PAUSE|CONT)|no test files' | tee -a $(BENCH_OUT) || rc=1; \
	echo "bench: the boot benchmarks, five boots each (RINGO_BENCH=1)"; \
	RINGO_BENCH=1 RINGO_STRICT=1 $(GO) test -count=1 -timeout 30m -run '^$$' -bench . -benchtime=1x $(HIL_PKGS) 2>&1 | \
		tee -a $(BENCH_OUT) || rc=1; \
	echo; $(GO) run ./tools/benchtable < $(BENCH_OUT); \
	[ $$rc = 0 ] || { echo "bench: a step failed (its output is above and in $(BENCH_OUT))"; exit 1; }

## test-bench: every benchmark of the unit packages once (-benchtime=1x),
## so none rots; no goals are asserted (make bench measures)
test-bench:
	$(GO) test -run '^$$' -bench . -benchtime=1x -timeout 10m $(UNIT_PKGS)

## fuzz: every fuzz target for FUZZTIME each (default 60s; on Go 1.26 a bare
## "context deadline exceeded" at the end is the toolchain race above, not a
## finding: a finding writes its input under testdata/fuzz)
fuzz:
	@for pkg in $(UNIT_PKGS); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

clean:
	rm -rf $(BUILD)
