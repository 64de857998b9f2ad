package main

import (
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
