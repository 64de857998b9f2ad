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

// Parse reads a value typed by a person: "true"/"false" are bools, decimal
// integers are ints, [a, b] (items optionally quoted) is a string list, a
// quoted string is a string, and anything else is taken as a plain string.
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
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		inner := strings.TrimSpace(s[1 : len(s)-1])
		if inner == "" {
			return Strings()
		}
		parts := strings.Split(inner, ",")
		l := make([]string, len(parts))
		for i, p := range parts {
			p = strings.TrimSpace(p)
			if u, err := strconv.Unquote(p); err == nil {
				p = u
			}
			l[i] = p
		}
		return Strings(l...)
	}
	return String(s)
}
