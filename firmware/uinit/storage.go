package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The persistent storage's layout. The state disk is mounted on
// stateMount; its config directory is bind-mounted over the image's
// /etc/ringo, so every program reads and writes the configuration where it
// always does and what the settings tools write survives a reboot; phoned
// and the agents keep their own files in runenv's default state directory,
// stateMount/state.
const (
	stateMount  = "/var/lib/ringo"
	stateConfig = stateMount + "/config"
	imageConfig = "/etc/ringo"
)

// seedConfig copies every file of the image's configuration (src) that the
// state disk's (dst) does not have yet: the first boot takes the image's
// defaults, later boots keep what was changed and pick up files a newer
// image adds. It returns the paths it copied, relative to dst.
func seedConfig(src, dst string) ([]string, error) {
	var copied []string
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, info.Mode().Perm())
		case !d.Type().IsRegular():
			return nil // the image's configuration is plain files
		}
		if _, err := os.Lstat(target); err == nil {
			return nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := copyFile(path, target, info.Mode().Perm()); err != nil {
			return err
		}
		copied = append(copied, rel)
		return nil
	})
	if err != nil {
		return copied, fmt.Errorf("seeding %s from %s: %w", dst, src, err)
	}
	return copied, nil
}

// copyFile writes src to dst through a temporary file and a rename, so a
// power cut leaves the old state or the new, never half a file.
func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*")
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Chmod(perm)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(out.Name(), dst)
	}
	if err != nil {
		os.Remove(out.Name())
	}
	return err
}

// ext2/3/4 superblock: at byte 1024 of the device; the magic at 0x38, the
// volume label (16 bytes, NUL padded) at 0x78.
const (
	sbOffset   = 1024
	sbMagicOff = 0x38
	sbLabelOff = 0x78
	extMagic   = 0xEF53
)

// extLabel reads the label of the ext filesystem on r; ok is false when r
// holds no ext filesystem.
func extLabel(r io.ReaderAt) (label string, ok bool) {
	sb := make([]byte, sbLabelOff+16)
	if _, err := r.ReadAt(sb, sbOffset); err != nil {
		return "", false
	}
	if binary.LittleEndian.Uint16(sb[sbMagicOff:]) != extMagic {
		return "", false
	}
	l := sb[sbLabelOff : sbLabelOff+16]
	if i := bytes.IndexByte(l, 0); i >= 0 {
		l = l[:i]
	}
	return string(l), true
}

// findLabel returns the block device under devDir whose ext filesystem is
// labelled label, looking at every entry of sysBlock (/sys/class/block).
func findLabel(sysBlock, devDir, label string) (string, error) {
	entries, err := os.ReadDir(sysBlock)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		dev := filepath.Join(devDir, e.Name())
		f, err := os.Open(dev)
		if err != nil {
			continue
		}
		l, ok := extLabel(f)
		f.Close()
		if ok && l == label {
			return dev, nil
		}
	}
	return "", fmt.Errorf("no ext filesystem labelled %q among %d block devices", label, len(entries))
}
