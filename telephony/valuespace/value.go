package valuespace

import (
	"slices"
	"strconv"
	"strings"
)

// Kind is the type of a Value.
type Kind uint8

// The kinds a value can have. The numbers are part of the bus wire format.
const (
	KindInvalid Kind = 0
	KindString  Kind = 1
	KindInt     Kind = 2
	KindBool    Kind = 3
	KindStrings Kind = 4
)

func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindInt:
		return "int"
	case KindBool:
		return "bool"
	case KindStrings:
		return "strings"
	}
	return "invalid(" + strconv.Itoa(int(k)) + ")"
}

// Value is one typed value. The zero Value is invalid and cannot be stored.
// Values are immutable: constructors copy string lists.
type Value struct {
	kind Kind
	s    string
	i    int64
	l    []string
}

// String makes a string value.
func String(s string) Value { return Value{kind: KindString, s: s} }

// Int makes an integer value.
func Int(i int64) Value { return Value{kind: KindInt, i: i} }

// Bool makes a boolean value.
func Bool(b bool) Value {
	v := Value{kind: KindBool}
	if b {
		v.i = 1
	}
	return v
}

// Strings makes a string-list value. The list is copied; nil and empty are
// the same value.
func Strings(l ...string) Value { return Value{kind: KindStrings, l: slices.Clone(l)} }

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// Valid reports whether v has a known kind.
func (v Value) Valid() bool { return v.kind >= KindString && v.kind <= KindStrings }

// Str returns the string and whether v is a string.
func (v Value) Str() (string, bool) { return v.s, v.kind == KindString }

// Int returns the integer and whether v is an int.
func (v Value) Int() (int64, bool) { return v.i, v.kind == KindInt }

// Bool returns the boolean and whether v is a bool.
func (v Value) Bool() (bool, bool) { return v.i != 0, v.kind == KindBool }

// List returns a copy of the string list and whether v is a string list.
func (v Value) List() ([]string, bool) { return slices.Clone(v.l), v.kind == KindStrings }

// Equal reports whether two values have the same kind and content.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind {
		return false
	}
	switch v.kind {
	case KindString:
		return v.s == w.s
	case KindInt, KindBool:
		return v.i == w.i
	case KindStrings:
		return slices.Equal(v.l, w.l)
	}
	return true
}

// String formats the value for people (vsexplorer, logs): strings quoted,
// lists in brackets.
func (v Value) String() string {
	switch v.kind {
	case KindString:
		return strconv.Quote(v.s)
	case KindInt:
		return strconv.FormatInt(v.i, 10)
	case KindBool:
		return strconv.FormatBool(v.i != 0)
	case KindStrings:
		q := make([]string, len(v.l))
		for i, s := range v.l {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	return "<invalid>"
}

// Parse reads a value typed by a person (vsexplorer set): "true"/"false"
// are bools, decimal integers are ints, a Go-quoted string is a string,
// [a, "b c"] is a string list (items bare words or Go-quoted), and
// anything else is taken as a plain string. Parse(v.String()) equals v.
func Parse(s string) Value {
	switch s {
	case "true":
		return Bool(true)
	case "false":
		return Bool(false)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Int(i)
	}
	if len(s) >= 2 && s[0] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return String(u)
		}
	}
	if l, ok := parseList(s); ok {
		return Strings(l...)
	}
	return String(s)
}

// parseList reads [item, item, ...] where an item is a Go-quoted string or
// a bare word without commas, brackets or quotes.
func parseList(s string) ([]string, bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	rest := strings.TrimSpace(s[1 : len(s)-1])
	l := []string{}
	for rest != "" {
		var item string
		if rest[0] == '"' {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil, false
			}
			item, _ = strconv.Unquote(q)
			rest = rest[len(q):]
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			item = strings.TrimSpace(rest[:end])
			if item == "" || strings.ContainsAny(item, "[]\"") {
				return nil, false
			}
			rest = rest[end:]
		}
		l = append(l, item)
		rest = strings.TrimSpace(rest)
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return nil, false
		}
		rest = strings.TrimSpace(rest[1:])
		if rest == "" {
			return nil, false
		}
	}
	return l, true
}
