// Package cli is dupes' command line: the usage text, the dispatch to one file per
// subcommand (scan.go, plan.go, ...), and the exit status. main.go only calls Main.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dupes-tui/dupes/internal/noquery"
	"github.com/dupes-tui/dupes/model"
)

// Main runs dupes with its command-line arguments and returns the exit status: 0 done,
// 1 error (said on stderr), 2 usage.
func Main(args []string) int {
	noquery.Restore()
	err := run(args, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dupes:", err)
	}
	return exitCode(err)
}

// exitCode is the exit status for what run returned: 2 for a mistake in the command line.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// usageHead and usageTail frame the overall usage; the subcommands' lines between them come
// from the subcommands table, so dispatch, usage and help cannot drift apart.
const usageHead = `dupes finds and safely removes duplicate documents in MongoDB.

Usage:
  dupes [URI] [--ns DB.COLL] [--key F[,F...] | --index NAME] [--ignore-case] [--trim]
        [--filter Q] [--plan PLAN.json] [--backup DIR] [--read-only] [--mouse]
                                    the terminal UI; with --ns and --key it opens on the groups,
                                    with --plan on a saved plan and its decisions; it takes
                                    every flag of scan that says what to scan
  dupes --demo                      the terminal UI on built-in demo data, no server needed
`

const usageTail = `                scan, plan and resolve take --whole-document [--ignore F[,F...]] [--any-field-order]
                instead of --key: duplicates are equal in every field but _id and the ignored ones

URI and --uri default to $MONGODB_URI, else mongodb://localhost:27017; a URI with a user and
no password asks for the password on the terminal. --filter takes mongosh syntax or JSON.
dupes SUBCOMMAND --help describes that subcommand's flags; dupes version prints the version.
RULE is first, last (by _id), max:FIELD, min:FIELD or most-fields.
--backup defaults to $XDG_STATE_HOME/dupes/backups (~/.local/state/dupes/backups).
Without --yes, apply and resolve only print what they would do.
Exit status: 0 done, 1 error, 2 usage.
`

// subcommand is one batch command: its name, its lines in the overall usage, its one-line
// synopsis for its own --help, and what runs it.
type subcommand struct {
	name, usage, synopsis string
	run                   func(args []string, stdout, stderr io.Writer) error
}

// subcommands is every batch command, in the order the usage lists them.
var subcommands = []subcommand{
	{"scan", `  dupes scan    [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) [--ignore-case] [--trim]
                [--filter JSON] [--collation JSON] [--format table|json]
`, "dupes scan [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) [flags]", runScan},
	{"plan", `  dupes plan    [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) [--ignore-case] [--trim]
                [--filter JSON] --keep RULE [--merge [--merge-arrays]] --out PLAN.json
`, "dupes plan [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) --keep RULE --out PLAN.json [flags]", runPlan},
	{"apply", `  dupes apply   [--uri U] --plan PLAN.json [--ns DB.COLL] [--backup DIR] [--merge] [--yes]
                [--format json]
`, "dupes apply [--uri U] --plan PLAN.json [flags]", runApply},
	{"resolve", `  dupes resolve [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) [--ignore-case] [--trim]
                [--filter JSON] --keep RULE [--merge [--merge-arrays]] [--backup DIR] [--dry-run]
                [--yes] [--create-index] [--format json]
`, "dupes resolve [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) --keep RULE [flags]", runResolve},
	{"report", `  dupes report  [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) [--plan PLAN.json]
                [--groups N] [--backup DIR] --out REPORT.html
                                    one HTML file to review; --plan alone scans the plan's key
`, "dupes report [--uri U] [--ns DB.COLL (--key F[,F...] | --index NAME)] [--plan PLAN.json] --out REPORT.html [flags]", runReport},
	{"restore", `  dupes restore [--uri U] --backup PATH [--ns DB.COLL] [--yes] [--format json]
                                    without --uri: the server the backup's manifest names
`, "dupes restore [--uri U] --backup PATH [flags]", runRestore},
	{"explain-error", `  dupes explain-error [--uri U] [--ns DB.COLL] 'E11000 duplicate key error ...'   (or on stdin)
`, "dupes explain-error [--uri U] [--ns DB.COLL] 'E11000 duplicate key error ...'   (or on stdin)", runExplainError},
	{"census", `  dupes census  [--uri U] --db DB [--budget 60s] [--max-docs N] [--sample N] [--format table|json]
                                    where the duplicates are: candidate keys of every collection,
                                    counted within a budget, most surplus first
`, "dupes census [--uri U] --db DB [flags]", runCensus},
	{"keys", `  dupes keys    --key F[,F...] [--sparse] [--collation JSON] [--groups] < DOCS.jsonl
                                    each document's index keys: why are two documents duplicates?
`, "dupes keys --key F[,F...] [flags] < DOCS.jsonl", func(args []string, stdout, stderr io.Writer) error {
		return runKeys(args, os.Stdin, stdout, stderr)
	}},
}

// usageText is the overall usage: the TUI's lines, then every subcommand's.
func usageText() string {
	var b strings.Builder
	b.WriteString(usageHead)
	for _, c := range subcommands {
		b.WriteString(c.usage)
	}
	b.WriteString(usageTail)
	return b.String()
}

// lookupSubcommand finds a subcommand by name.
func lookupSubcommand(name string) (subcommand, bool) {
	for _, c := range subcommands {
		if c.name == name {
			return c, true
		}
	}
	return subcommand{}, false
}

// run dispatches to a subcommand, or to the TUI.
func run(args []string, stdout, stderr io.Writer) error {
	err := dispatch(args, stdout, stderr)
	if errors.Is(err, errHelp) {
		if !printHelp(stdout, err) {
			fmt.Fprint(stdout, usageText())
		}
		return nil
	}
	return scrubError(err, args)
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		// The batch commands' output goes through the terminal guard (safeout.go); the
		// TUI draws its own screen.
		so, se := newSafeWriter(stdout), newSafeWriter(stderr)
		defer so.flush()
		defer se.flush()
		switch args[0] {
		case "-h", "--help", "-help", "help":
			fmt.Fprint(so, usageText())
			return nil
		case "--version", "-version", "version":
			fmt.Fprintln(so, versionText())
			return nil
		}
		if c, ok := lookupSubcommand(args[0]); ok {
			return c.run(args[1:], so, se)
		}
		if err := notASubcommand(args[0]); err != nil {
			return err
		}
	}
	return runTUI(args, stdout, stderr)
}

// notASubcommand refuses a bare first word that is neither a subcommand nor a URI: the TUI
// would take "scna" for a server's address and fail to connect to it.
func notASubcommand(word string) error {
	if word == "" {
		return usagef("the first argument is empty (an unset shell variable?): give a URI, or none to use $MONGODB_URI")
	}
	if strings.HasPrefix(word, "-") || isURI(word) {
		return nil
	}
	names := make([]string, 0, len(subcommands)+1)
	for _, c := range subcommands {
		names = append(names, c.name)
	}
	names = append(names, "version")
	msg := fmt.Sprintf("%q is neither a subcommand nor a MongoDB URI (mongodb://... or mongodb+srv://...)", word)
	if near := model.Closest(word, names); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", near)
	}
	return usagef("%s", msg)
}
