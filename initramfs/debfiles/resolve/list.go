package resolve

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strings"
)

// Want is one line of a file list: files of a package to take, by path
// or glob (path.Match syntax) from the package's root, e.g.
// {Package: "pulseaudio", Pattern: "/usr/lib/pulse-*/modules/module-alsa-sink.so"}.
type Want struct {
	Package string
	Pattern string
	Line    int // in the list, for messages
}

// ParseList reads a file list: one package a line followed by one or more
// absolute paths or globs; '#' starts a comment; blank lines are skipped.
//
//	# PACKAGE PATH...
//	pulseaudio /usr/bin/pulseaudio
//	libasound2-data /usr/share/alsa/alsa.conf
func ParseList(r io.Reader) ([]Want, error) {
	var out []Want
	s := bufio.NewScanner(r)
	for n := 1; s.Scan(); n++ {
		line, _, _ := strings.Cut(s.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("%w: line %d: %q names a package but no path; want PACKAGE /PATH...", ErrList, n, strings.TrimSpace(line))
		}
		for _, p := range f[1:] {
			if !strings.HasPrefix(p, "/") {
				return nil, fmt.Errorf("%w: line %d: path %q is not absolute; want a path from the package's root such as /usr/bin/x", ErrList, n, p)
			}
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("%w: line %d: glob %q: %w", ErrList, n, p, err)
			}
			out = append(out, Want{Package: f[0], Pattern: path.Clean(p), Line: n})
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrList, err)
	}
	return out, nil
}
