package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/tty"
)

// waitPresent waits until the modem is there; false when ctx ended.
func (m *Modem) waitPresent(ctx context.Context) bool {
	for {
		on, changed := m.Present()
		if on {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		}
	}
}

// ServePTY serves the modem on a pseudo-terminal until ctx ends: the
// agent opens the slave (its path goes to ready, and link, when set, is
// made a symlink to it). The modem keeps a slave open itself, so the
// agent may close and reopen it; when the modem vanishes the pty is
// closed (the agent's reads fail) and link removed, and when it returns
// a new pty is made and link points to it.
func (m *Modem) ServePTY(ctx context.Context, link string, ready func(path string)) error {
	for m.waitPresent(ctx) {
		master, slave, err := tty.OpenPTY()
		if err != nil {
			return fmt.Errorf("modemsim: %w", err)
		}
		path := slave.Name()
		// The modem's own hold on the slave, in raw mode as the agent
		// will set it: no echo, no CR/NL translation by the line.
		held, err := modem.OpenPort(path, 0)
		slave.Close()
		if err != nil {
			master.Close()
			return fmt.Errorf("modemsim: %w", err)
		}
		if link != "" {
			if err := symlink(path, link); err != nil {
				master.Close()
				held.Close()
				return err
			}
		}
		m.log.Info("modem on a pty", "pty", path, "link", link)
		if ready != nil {
			ready(path)
		}
		removeLink := func() {
			if link != "" {
				os.Remove(link)
			}
		}
		err = m.serve(ctx, master, removeLink)
		removeLink()
		held.Close()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrVanished):
			continue
		case err != nil:
			return err
		}
	}
	return nil
}

// symlink points link at target, replacing what was there atomically.
func symlink(target, link string) error {
	tmp := link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("modemsim: link %s: %w", link, err)
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("modemsim: link %s: %w", link, err)
	}
	return nil
}

// ServeSocket serves the modem on a unix socket at path until ctx ends,
// one connection at a time (a new one replaces the old, as QEMU's
// chardev reconnecting). While the modem is vanished there is no socket.
func (m *Modem) ServeSocket(ctx context.Context, path string, ready func(path string)) error {
	for m.waitPresent(ctx) {
		os.Remove(path)
		ln, err := net.Listen("unix", path)
		if err != nil {
			return fmt.Errorf("modemsim: %w", err)
		}
		m.log.Info("modem on a socket", "socket", path)
		if ready != nil {
			ready(path)
		}
		accepted := make(chan error, 1)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					accepted <- err
					return
				}
				go func() {
					if err := m.Serve(ctx, c); err != nil && !errors.Is(err, ErrVanished) && ctx.Err() == nil {
						m.log.Info("connection ended", "err", err)
					}
				}()
			}
		}()
		_, gone := m.Present()
		select {
		case <-gone:
		case <-ctx.Done():
		case err := <-accepted:
			ln.Close()
			return fmt.Errorf("modemsim: accept: %w", err)
		}
		ln.Close()
		<-accepted
		os.Remove(path)
		if ctx.Err() != nil {
			return nil
		}
	}
	return nil
}
