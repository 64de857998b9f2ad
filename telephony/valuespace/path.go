package valuespace

import (
	"fmt"
	"strings"
)

// MaxPathLen is the longest path accepted, in bytes.
const MaxPathLen = 1024

// Clean checks a path and returns it without a trailing slash. Paths are
// absolute ("/a/b"), have no empty segments, no NUL bytes, and are at most
// MaxPathLen bytes. The root is "/".
func Clean(path string) (string, error) {
	if len(path) > MaxPathLen {
		return "", fmt.Errorf("%w: %d bytes, at most %d", ErrBadPath, len(path), MaxPathLen)
	}
	if path == "/" {
		return path, nil
	}
	if !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("%w: %q is not absolute", ErrBadPath, path)
	}
	path = strings.TrimSuffix(path, "/")
	if strings.Contains(path, "//") || strings.HasSuffix(path, "/") {
		return "", fmt.Errorf("%w: %q has an empty segment", ErrBadPath, path)
	}
	if strings.IndexByte(path, 0) >= 0 {
		return "", fmt.Errorf("%w: %q contains NUL", ErrBadPath, path)
	}
	return path, nil
}

// Join appends segments to a path: Join("/a", "b", "c") = "/a/b/c".
func Join(base string, segs ...string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(base, "/"))
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(s)
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// Under reports whether path is prefix itself or lies below it.
func Under(path, prefix string) bool {
	if prefix == "/" {
		return true
	}
	return path == prefix || (len(path) > len(prefix) && path[len(prefix)] == '/' && path[:len(prefix)] == prefix)
}

func segments(path string) []string {
	if path == "/" {
		return nil
	}
	return strings.Split(path[1:], "/")
}
