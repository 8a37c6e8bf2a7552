package cli

import (
	"strings"
	"testing"
	"time"
)

// A read preference that is no mode, or a negative --max-time, is a usage error (status 2)
// before anything connects, on every command that takes them; the TUI keeps them for its
// connection.
func TestReadFlagsAreChecked(t *testing.T) {
	for _, sub := range []string{"scan", "plan", "resolve"} {
		for _, tc := range []struct{ flag, value, want string }{
			{"--read-preference", "secondry", "--read-preference: \"secondry\" is not a read preference"},
			{"--max-time", "-1s", "--max-time -1s: want a positive duration"},
		} {
			_, errOut, status := dupes(t, sub, "--uri", "mongodb://127.0.0.1:1", "--ns", "a.b", "--key", "k", tc.flag, tc.value)
			if status != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("dupes %s %s %s: status %d, %q; want 2 and %q", sub, tc.flag, tc.value, status, errOut, tc.want)
			}
		}
	}
	if _, _, err := tuiConfig([]string{"--read-preference", "nope"}); err == nil || !strings.Contains(err.Error(), "not a read preference") {
		t.Errorf("the TUI took --read-preference nope: %v", err)
	}
	_, opt, err := tuiConfig([]string{"--read-preference", "secondaryPreferred", "--max-time", "30s"})
	if err != nil {
		t.Fatal(err)
	}
	o := opt.read.options("tui")
	if o.ReadPreference != "secondaryPreferred" || o.MaxTime != 30*time.Second || o.Command != "tui" {
		t.Errorf("the TUI's connection options: %+v", o)
	}
}
