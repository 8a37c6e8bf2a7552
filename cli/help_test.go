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
		if !strings.Contains(text, synopsis(cmd)) || !strings.Contains(text, own) {
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

// TestBareWordIsAUsageError: a first word that is neither a subcommand nor a URI is refused
// before anything connects, with the nearest subcommand suggested.
func TestBareWordIsAUsageError(t *testing.T) {
	for word, hint := range map[string]string{"scna": "did you mean scan?", "resolv": "did you mean resolve?", "frobnicate": ""} {
		var out, errOut strings.Builder
		err := run([]string{word, "--ns", "shop.users", "--key", "email"}, &out, &errOut)
		if exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), "neither a subcommand nor a MongoDB URI") {
			t.Errorf("%s: exit %d, %v; want a usage error", word, exitCode(err), err)
			continue
		}
		if hint != "" && !strings.Contains(err.Error(), hint) {
			t.Errorf("%s: %v; want %q", word, err, hint)
		}
	}
}

// TestUsageListsEverySubcommand: the overall usage and dupes --help are printed from the one
// table, so every subcommand that dispatches is listed in both.
func TestUsageListsEverySubcommand(t *testing.T) {
	var out, errOut strings.Builder
	if err := run([]string{"--help"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, c := range subcommands {
		if !strings.Contains(out.String(), "dupes "+c.name) {
			t.Errorf("dupes --help does not list %s", c.name)
		}
		if _, ok := lookupSubcommand(c.name); !ok {
			t.Errorf("%s is listed but does not dispatch", c.name)
		}
	}
}

// TestEmptyURIIsAUsageError: --uri "" (an unset shell variable) never falls back to
// $MONGODB_URI or localhost, in any subcommand or in the TUI.
func TestEmptyURIIsAUsageError(t *testing.T) {
	t.Setenv("MONGODB_URI", "mongodb://127.0.0.1:1/")
	for _, args := range [][]string{
		{"scan", "--uri", "", "--ns", "a.b", "--key", "k"},
		{"scan", "--uri=", "--ns", "a.b", "--key", "k"},
		{"resolve", "--uri", "", "--ns", "a.b", "--key", "k", "--keep", "first"},
		{"apply", "--uri", "", "--plan", "p.json"},
		{"restore", "--uri", "", "--backup", "x"},
		{"explain-error", "--uri", "", "E11000 duplicate key error collection: a.b index: k_1 dup key: { k: 1 }"},
		{"", "--ns", "a.b"},
	} {
		var out, errOut strings.Builder
		err := run(args, &out, &errOut)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "unset shell variable") {
			t.Errorf("%q: exit %d, %v; want a usage error naming the empty URI", args, exitCode(err), err)
		}
	}
}

// TestLeaseDBMustBeADatabaseName: --lease-db takes a database name, checked before anything
// connects.
func TestLeaseDBMustBeADatabaseName(t *testing.T) {
	for _, args := range [][]string{
		{"resolve", "--uri", "mongodb://127.0.0.1:1/", "--ns", "a.b", "--key", "k", "--keep", "first", "--lease-db", "x.y"},
		{"apply", "--uri", "mongodb://127.0.0.1:1/", "--plan", "p.json", "--lease-db", "a/b"},
		{"--demo", "--lease-db", "has space"},
	} {
		var out, errOut strings.Builder
		if err := run(args, &out, &errOut); exitCode(err) != 2 || !strings.Contains(err.Error(), "is not a database name") {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}
