package cli

import (
	"io"
	"os"
	"unicode/utf8"

	"github.com/dupes-tui/dupes/model"
)

// What the batch commands print holds data: field names, values, collection and index names,
// server messages. Data can hold escape sequences a terminal obeys (a field name that
// retitles the window or writes to the clipboard), so every byte the commands write passes
// through a safeWriter, whichever line printed it: one guard, not one per Fprintf.

// safeWriter escapes, as model.SafeLines does, what it writes: newlines and tabs pass,
// other controls become \x1b, DEL, C1 and bidi controls \u009b. JSON output stays valid JSON:
// the encoders already escape C0 controls, and the \u form is JSON's own.
type safeWriter struct {
	w       io.Writer
	pending []byte // the start of a UTF-8 sequence cut by the end of a Write
}

func newSafeWriter(w io.Writer) *safeWriter { return &safeWriter{w: w} }

func (s *safeWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(s.pending) > 0 {
		p = append(s.pending, p...)
		s.pending = nil
	}
	// Hold back an incomplete sequence at the end: the next Write may complete it.
	for k := 1; k <= utf8.UTFMax-1 && k <= len(p); k++ {
		if c := p[len(p)-k]; c >= 0xc0 {
			if !utf8.FullRune(p[len(p)-k:]) {
				s.pending = append([]byte(nil), p[len(p)-k:]...)
				p = p[:len(p)-k]
			}
			break
		} else if c < 0x80 {
			break
		}
	}
	if _, err := io.WriteString(s.w, model.SafeLines(string(p))); err != nil {
		return 0, err
	}
	return n, nil
}

// flush writes what a cut sequence left pending: invalid bytes, escaped.
func (s *safeWriter) flush() {
	if len(s.pending) > 0 {
		io.WriteString(s.w, model.SafeLines(string(s.pending)))
		s.pending = nil
	}
}

// terminalFile is the terminal behind w, if any: the progress line writes its own
// control sequences there, past the safeWriter.
func terminalFile(w io.Writer) (*os.File, bool) {
	if s, ok := w.(*safeWriter); ok {
		w = s.w
	}
	f, ok := w.(*os.File)
	return f, ok && isTerminal(f)
}
