package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/dupes-tui/dupes/model"
)

// progress writes a self-overwriting status line to stderr, only when stderr is a terminal,
// so scripts and logs get clean output.
type progress struct {
	w     io.Writer
	shown bool
}

func newProgress(stderr io.Writer) *progress {
	if f, ok := terminalFile(stderr); ok {
		return &progress{w: f}
	}
	return &progress{}
}

// isTerminal reports a character device: a terminal (or /dev/null, harmlessly).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) printf(format string, a ...any) {
	if p == nil || p.w == nil {
		return
	}
	// The line bypasses the terminal guard (it writes its own \r and erase): its text is
	// escaped here instead, a namespace being data too.
	fmt.Fprint(p.w, "\r\033[K"+model.SafeText(fmt.Sprintf(format, a...)))
	p.shown = true
}

func (p *progress) done() {
	if p != nil && p.w != nil && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
