// Package noquery keeps the terminal from being queried while the program starts.
//
// Bubble Tea v1's package init asks the terminal for its background colour (an OSC 11 query),
// and waits up to five seconds for an answer. Every dupes command paid that wait on a terminal
// that does not answer, even `dupes version`, and a pipe got the query's bytes. Go initialises
// packages in import-path order among those whose imports are ready, so this package, which
// imports only the standard library, runs before termenv and Bubble Tea: it sets TERM=dumb,
// which termenv never queries, and Restore puts TERM back before anything else runs. The TUI
// then asks once itself, with a short timeout, when it owns a terminal (cli/tui.go).
package noquery

import "os"

var (
	term, hadTerm = os.LookupEnv("TERM")
	restored      = false
)

func init() {
	_ = os.Setenv("TERM", "dumb")
}

// Restore puts TERM back as the program was given it. It is the first thing cli.Main does.
func Restore() {
	if restored {
		return
	}
	restored = true
	if hadTerm {
		_ = os.Setenv("TERM", term)
	} else {
		_ = os.Unsetenv("TERM")
	}
}
