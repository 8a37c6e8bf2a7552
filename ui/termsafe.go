package ui

import (
	"strings"
	"unicode/utf8"
)

// termSafe is the last step of every frame: it keeps the colours lipgloss writes (SGR, CSI …
// m) and drops every other escape sequence and control character. Values and server messages
// are escaped where they are shown (model.SafeText, SafeLines); this is the net under them, so
// no text from a database (an error quoting a document, a collection name) can move the
// cursor to forge what the screen shows, write the clipboard (OSC 52) or open a link.
func termSafe(s string) string {
	if clean := strings.IndexFunc(s, unsafeRune) < 0 && !hasForeignEscape(s); clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			n, keep := escapeLen(s[i:])
			if keep {
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		case c == '\n':
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			// a control character: dropped
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r < 0x80 || r > 0x9f { // C1 controls (U+0080–U+009F, U+009B is a CSI) are dropped
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		i++
	}
	return b.String()
}

// unsafeRune is a control character other than a newline or the ESC of a colour.
func unsafeRune(r rune) bool {
	return r != '\n' && r != 0x1b && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f)
}

// hasForeignEscape reports whether s holds an escape sequence that is not a colour.
func hasForeignEscape(s string) bool {
	for i := strings.IndexByte(s, 0x1b); i >= 0; {
		n, keep := escapeLen(s[i:])
		if !keep {
			return true
		}
		j := strings.IndexByte(s[i+n:], 0x1b)
		if j < 0 {
			return false
		}
		i += n + j
	}
	return false
}

// escapeLen is the length of the escape sequence at the start of s (which starts with ESC),
// and whether it is a colour (CSI parameters ending in 'm'). A string sequence (OSC, DCS,
// APC, PM, SOS) runs to BEL or ST; an unfinished one runs to the end.
func escapeLen(s string) (int, bool) {
	if len(s) < 2 {
		return len(s), false
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			switch c := s[i]; {
			case c >= 0x40 && c <= 0x7e: // the final byte
				return i + 1, c == 'm'
			case c < 0x20 || c > 0x7e: // not a sequence after all: drop what came
				return i, false
			}
		}
		return len(s), false
	case ']', 'P', '_', '^', 'X':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1, false
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2, false
			}
		}
		return len(s), false
	}
	return 2, false
}
