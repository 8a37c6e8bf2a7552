package cli

import (
	"fmt"
	"strings"
	"testing"
)

// TestTUIShowsHostileNamesEscaped opens the TUI on documents whose field names are OSC 0
// (retitle the window) and OSC 52 (write the clipboard) sequences, through a URI that carries
// secret options: the pane's title must not change, the names must be on screen escaped, and
// no secret may be shown.
func TestTUIShowsHostileNamesEscaped(t *testing.T) {
	f := hostile(t)
	uri, secrets := secretURI(f.uri)
	s := startTmux(t, fmt.Sprintf("env -u MONGODB_URI %s '%s' --ns %s --key '%s' --backup '%s'; sleep 600",
		binary, uri, f.ns("evil"), osc52Field+","+osc0Field, t.TempDir()))
	screen := s.waitFor("1 group")
	title := s.title() // dupes names the window itself; nothing after may rename it
	t.Logf("groups screen (title %q):\n%s", title, screen)
	mustContain(t, "groups screen", screen, `\x1b]52;c;aGVsbG8=\x07`, `"v\x1b]0;pwned-by-value\x07"`)
	s.send("Enter")
	s.waitFor("Group 1 of 1")
	// The members load after the header: wait for a field name of theirs, not the title.
	screen = s.waitFor(`note\u202eevil`)
	t.Logf("group screen:\n%s", screen)
	mustContain(t, "group screen", screen, `\x1b]52;c;aGVsbG8=\x07`, `\x1b]0;pwned\x07`, `note\u202eevil`, `"v\x1b]0;pwned-by-value\x07"`)
	if got := s.title(); got != title || strings.Contains(got, "pwned") {
		t.Fatalf("the pane title changed from %q to %q", title, got)
	}
	for _, sec := range secrets {
		if strings.Contains(screen, sec) {
			t.Errorf("the screen shows the secret %s", sec)
		}
	}
	s.send("q")
}

// title is the pane's title, which OSC 0 and OSC 2 set.
func (s *tmuxSession) title() string {
	s.t.Helper()
	out, err := s.command("display-message", "-p", "-t", s.name, "#{pane_title}").Output()
	if err != nil {
		s.t.Fatalf("tmux display-message: %v", err)
	}
	return strings.TrimSpace(string(out))
}
