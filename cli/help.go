package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// version is the release, set when building a release:
// go build -ldflags "-X github.com/dupes-tui/dupes/cli.version=v1.2.3". Without it, the module version the Go tool
// recorded (go install …@v1.2.3) is shown, else "dev".
var version = ""

// versionText is what dupes --version and dupes version print.
func versionText() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if v == "" && ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if v == "" {
		v = "dev"
	}
	s := "dupes " + v
	if ok {
		for _, kv := range info.Settings {
			if kv.Key == "vcs.revision" && len(kv.Value) >= 12 {
				s += " (" + kv.Value[:12] + ")"
			}
		}
		s += " " + info.GoVersion
	}
	return s
}

// helpError is a --help on one subcommand: its usage line and its own flags are printed.
type helpError struct{ fs *flag.FlagSet }

func (e helpError) Error() string        { return errHelp.Error() }
func (e helpError) Is(target error) bool { return target == errHelp }

// synopsis is a command's one-line usage, from the subcommands table ("dupes" is the TUI).
func synopsis(name string) string {
	if c, ok := lookupSubcommand(name); ok {
		return c.synopsis
	}
	return "dupes [URI] [flags]   the terminal UI (dupes --demo: on built-in demo data)"
}

// printHelp writes a subcommand's usage: its line and its flags, each with its help.
func printHelp(w io.Writer, err error) bool {
	var he helpError
	if !errors.As(err, &he) || he.fs == nil {
		return false
	}
	fmt.Fprintf(w, "Usage:\n  %s\n\nFlags:\n", synopsis(he.fs.Name()))
	var b strings.Builder
	he.fs.SetOutput(&b)
	he.fs.PrintDefaults()
	he.fs.SetOutput(io.Discard)
	fmt.Fprint(w, b.String())
	if he.fs.Name() == "dupes" {
		fmt.Fprint(w, "\nSubcommands (dupes SUBCOMMAND --help for each one's flags):\n")
		for _, c := range subcommands {
			fmt.Fprintf(w, "  %s\n", c.synopsis)
		}
		fmt.Fprint(w, "  dupes version\n")
	}
	return true
}
