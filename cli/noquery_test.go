package cli

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBatchCommandsNeverQueryTheTerminal runs commands on a pseudo-terminal (util-linux's
// script) with nobody answering, as a terminal that ignores colour queries does. Bubble Tea's
// package init sends an OSC 11 query and waits 5 s for the answer unless internal/noquery
// holds it off; no command but the TUI may query, so the query's bytes must not appear in
// their output (the test fails without internal/noquery).
func TestBatchCommandsNeverQueryTheTerminal(t *testing.T) {
	script := need(t, "script")
	for _, args := range []string{"version", "--help", "scan --help", "keys --help"} {
		cmd := exec.Command(script, "-qec", binary+" "+args, "/dev/null")
		cmd.Env = append(os.Environ(), "TERM=xterm-256color")
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dupes %s under script: %v\n%s", args, err, out)
		}
		for _, query := range []string{"\x1b]11;?", "\x1b]10;?", "\x1b[6n"} {
			if strings.Contains(string(out), query) {
				t.Errorf("dupes %s queried the terminal (%q):\n%q", args, query, out)
			}
		}
		if !strings.Contains(string(out), "dupes") {
			t.Errorf("dupes %s printed nothing recognisable: %q", args, out)
		}
	}
}
