package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// helpFlags are the flags a command's --help lists ("  -name value" lines of PrintDefaults).
func helpFlags(t *testing.T, args ...string) []string {
	t.Helper()
	out, errOut, status := dupes(t, append(args, "--help")...)
	if status != 0 {
		t.Fatalf("%v --help: %d %s", args, status, errOut)
	}
	var flags []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "  -") {
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "  -"), " ")
			flags = append(flags, name)
		}
	}
	if len(flags) == 0 {
		t.Fatalf("%v --help lists no flags:\n%s", args, out)
	}
	return flags
}

// TestDocsNameEveryFlag keeps docs/cli.md and docs/tui.md true: every flag a subcommand's
// --help lists is in its docs, and every --flag the docs name is a flag of some command.
func TestDocsNameEveryFlag(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cliDoc, tuiDoc := read("../docs/cli.md"), read("../docs/tui.md")
	known := map[string]bool{"help": true}
	for _, c := range subcommands {
		if c.name == "keys" {
			continue // keys prints its own text, checked below
		}
		for _, f := range helpFlags(t, c.name) {
			known[f] = true
			if !strings.Contains(cliDoc, "--"+f) {
				t.Errorf("dupes %s --%s is not in docs/cli.md", c.name, f)
			}
		}
	}
	for _, f := range helpFlags(t, "--demo") {
		known[f] = true
		if !strings.Contains(tuiDoc, "--"+f) && !strings.Contains(cliDoc, "--"+f) {
			t.Errorf("dupes --%s (the TUI) is in neither docs/tui.md nor docs/cli.md", f)
		}
	}
	keysHelp, _, _ := dupes(t, "keys", "--help")
	for _, m := range regexp.MustCompile(`--([a-z][a-z-]+)`).FindAllStringSubmatch(keysHelp, -1) {
		known[m[1]] = true
		if !strings.Contains(cliDoc, m[0]) {
			t.Errorf("dupes keys %s is not in docs/cli.md", m[0])
		}
	}
	for _, m := range regexp.MustCompile("`[^`]*?--([a-z][a-z-]+)").FindAllStringSubmatch(cliDoc+tuiDoc, -1) {
		if !known[m[1]] {
			t.Errorf("the docs name --%s, which no command has", m[1])
		}
	}
}
