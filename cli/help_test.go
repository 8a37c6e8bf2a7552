package cli

import (
	"strings"
	"testing"
)

func TestHelpExitsCleanly(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"scan", "--help"}, {"restore", "-h"}} {
		var out, errOut strings.Builder
		if err := run(args, &out, &errOut); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out.String(), "dupes "+strings.TrimPrefix(args[0], "--")) && !strings.Contains(out.String(), "dupes scan") {
			t.Errorf("%v printed no usage: %q", args, out.String())
		}
	}
}

// TestEverySubcommandsHelpDescribesItsOwnFlags: each --help lists that subcommand's flags,
// every one with words, and no other subcommand's usage line.
func TestEverySubcommandsHelpDescribesItsOwnFlags(t *testing.T) {
	for cmd, own := range map[string]string{"scan": "-format", "plan": "-keep", "apply": "-plan", "resolve": "-dry-run",
		"restore": "-backup", "explain-error": "-uri", "keys": "-collation"} {
		var out, errOut strings.Builder
		if err := run([]string{cmd, "--help"}, &out, &errOut); err != nil {
			t.Fatalf("%s --help: %v", cmd, err)
		}
		text := out.String()
		if cmd == "keys" { // its own longer text, which explains every flag
			synopsisOK := strings.Contains(text, "dupes keys")
			if !synopsisOK || !strings.Contains(text, "--collation") {
				t.Errorf("keys --help:\n%s", text)
			}
			continue
		}
		if !strings.Contains(text, synopsis[cmd]) || !strings.Contains(text, own) {
			t.Errorf("%s --help lacks its usage line or %s:\n%s", cmd, own, text)
		}
		if strings.Contains(text, "\n    \t\n") || strings.HasSuffix(text, "\t\n") {
			t.Errorf("%s --help has a flag without help:\n%s", cmd, text)
		}
	}
	var out, errOut strings.Builder
	if err := run([]string{"--demo", "--help"}, &out, &errOut); err != nil || !strings.Contains(out.String(), "-mouse") || !strings.Contains(out.String(), "-plan") {
		t.Errorf("dupes --demo --help: %v\n%s", err, out.String())
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var out, errOut strings.Builder
		if err := run(args, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "dupes ") {
			t.Errorf("%v: %v %q", args, err, out.String())
		}
	}
}
