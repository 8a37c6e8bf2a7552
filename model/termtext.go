package model

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Field names, values, collection and index names and server messages are data, and data can
// hold bytes a terminal obeys: ESC starts sequences that retitle the window or write to the
// clipboard (OSC 0, OSC 52), C1 controls do the same on terminals that honour them, and bidi
// overrides make text read differently from what it is. Everything dupes prints passes
// through SafeText (one line) or SafeLines (text that may span lines) first.

// SafeText returns s with every character a terminal would obey written as an escape:
// C0 controls (newline and tab included) and invalid bytes as \x1b, DEL, C1 controls and bidi
// controls as \u007f, \u009b, \u202e. Printable text, wide characters included, is unchanged.
func SafeText(s string) string { return escapeText(s, false) }

// SafeLines is SafeText for messages that may span lines: it keeps newlines and tabs.
func SafeLines(s string) string { return escapeText(s, true) }

// DisplayPath is a field path as a screen shows it: the path, escaped by SafeText. The path
// itself (for lookups and commands) stays the raw one.
func DisplayPath(path string) string { return SafeText(path) }

// NeedsEscape reports whether SafeText would change r (utf8.RuneError stands for an
// invalid byte).
func NeedsEscape(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		// LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI: the "Trojan Source" characters.
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c:
		// LRM, RLM, ALM: invisible marks that also reorder what follows.
		return true
	case r == 0x2028, r == 0x2029:
		// Line and paragraph separators break a row as a newline would.
		return true
	}
	return false
}

func escapeText(s string, keepLines bool) string {
	if clean(s, keepLines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	writeEscaped(&b, s, keepLines)
	return b.String()
}

// clean is the fast path: most text needs no escape.
func clean(s string, keepLines bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && !(keepLines && (c == '\n' || c == '\t')) || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			for _, r := range s[i:] {
				if r == utf8.RuneError || NeedsEscape(r) && !(keepLines && (r == '\n' || r == '\t')) {
					return false
				}
			}
			return true
		}
	}
	return true
}

// writeEscaped writes s with the characters NeedsEscape names escaped; a literal U+FFFD
// stays, an invalid byte becomes \xNN.
func writeEscaped(b *strings.Builder, s string, keepLines bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			writeHex(b, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r < 0x20:
			writeHex(b, byte(r))
		case NeedsEscape(r):
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)) + h)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// writeQuoted writes s as a double-quoted string: quotes and backslashes escaped, newline,
// tab and carriage return as \n, \t, \r, the rest as SafeText does. Unlike json.Marshal it
// leaves <, > and & alone, and it escapes DEL, C1 and bidi controls, which JSON does not.
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			j := i + 1
			for j < len(s) && s[j] != '"' && s[j] != '\\' && s[j] != '\n' && s[j] != '\t' && s[j] != '\r' {
				j++
			}
			writeEscaped(b, s[i:j], false)
			i = j
			continue
		}
		i++
	}
	b.WriteByte('"')
}

func writeHex(b *strings.Builder, c byte) {
	const digits = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(digits[c>>4])
	b.WriteByte(digits[c&0xf])
}

// JSONSafe writes, as \uXXXX escapes, the characters of a JSON text that SafeText would
// escape and JSON leaves raw (DEL, C1 controls, bidi overrides and marks, line separators):
// they can only stand inside its strings, where the escape means the same character, so
// the text stays the same JSON, and the same JavaScript when pasted into mongosh, while a
// screen shows it without reordering a line.
func JSONSafe(s string) string {
	unsafe := func(r rune) bool { return r >= 0x7f && r != utf8.RuneError && NeedsEscape(r) }
	if !strings.ContainsFunc(s, unsafe) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafe(r) {
			b.WriteString(`\u` + fmt.Sprintf("%04x", r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
