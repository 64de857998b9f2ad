package logcat

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"strings"
	"sync/atomic"
)

// Key is the attribute that names a record's category.
const Key = "category"

// table is one immutable level assignment.
type table struct {
	def  slog.Level
	cats map[string]slog.Level
	min  slog.Level // the lowest level of all, for Enabled without a category
}

// Levels holds the level per category; it is safe for concurrent use and
// may be changed at any time with Set.
type Levels struct {
	t atomic.Pointer[table]
}

// NewLevels returns Levels where every category logs from def.
func NewLevels(def slog.Level) *Levels {
	l := &Levels{}
	l.t.Store(&table{def: def, min: def})
	return l
}

// Set replaces the levels with spec: a comma-separated list of "level"
// (the default) and "category=level" items, levels as slog names
// (debug, info, warn, error). Example: "info,calls=debug,bus=warn".
func (l *Levels) Set(spec string) error {
	t := &table{def: l.t.Load().def, cats: map[string]slog.Level{}}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		cat, lv, has := strings.Cut(item, "=")
		if !has {
			lv, cat = cat, ""
		}
		var level slog.Level
		if err := level.UnmarshalText([]byte(strings.TrimSpace(lv))); err != nil {
			return fmt.Errorf("%w: %q: %w", ErrBadSpec, item, err)
		}
		if cat == "" {
			t.def = level
		} else {
			t.cats[strings.TrimSpace(cat)] = level
		}
	}
	t.min = t.def
	for _, lv := range t.cats {
		t.min = min(t.min, lv)
	}
	l.t.Store(t)
	return nil
}

// String returns the levels in the form Set reads.
func (l *Levels) String() string {
	t := l.t.Load()
	parts := []string{strings.ToLower(t.def.String())}
	keys := make([]string, 0, len(t.cats))
	for k := range maps.Keys(t.cats) {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, k+"="+strings.ToLower(t.cats[k].String()))
	}
	return strings.Join(parts, ",")
}

// Enabled reports whether a record of category at level is kept.
func (l *Levels) Enabled(category string, level slog.Level) bool {
	t := l.t.Load()
	if lv, ok := t.cats[category]; ok {
		return level >= lv
	}
	return level >= t.def
}

// Handler filters records by their category before passing them on.
type Handler struct {
	next     slog.Handler
	levels   *Levels
	category string // from WithAttrs; "" when not known yet
}

// NewHandler wraps next.
func NewHandler(next slog.Handler, levels *Levels) *Handler {
	return &Handler{next: next, levels: levels}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	if h.category != "" {
		return h.levels.Enabled(h.category, level) && h.next.Enabled(ctx, level)
	}
	return level >= h.levels.t.Load().min && h.next.Enabled(ctx, level)
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	cat := h.category
	if cat == "" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == Key {
				cat = a.Value.String()
				return false
			}
			return true
		})
	}
	if !h.levels.Enabled(cat, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	for _, a := range attrs {
		if a.Key == Key {
			n.category = a.Value.String()
		}
	}
	n.next = h.next.WithAttrs(attrs)
	return &n
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	n := *h
	n.next = h.next.WithGroup(name)
	return &n
}
