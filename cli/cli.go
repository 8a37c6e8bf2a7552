// Package cli is dupes' command line: the usage text, the dispatch to one file per
// subcommand (scan.go, plan.go, ...), and the exit status. main.go only calls Main.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Main runs dupes with its command-line arguments and returns the exit status: 0 done,
// 1 error (said on stderr), 2 usage.
func Main(args []string) int {
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

const usage = `dupes finds and safely removes duplicate documents in MongoDB.

Usage:
  dupes [URI] [--ns DB.COLL] [--key F[,F...] | --index NAME] [--ignore-case] [--trim]
        [--filter Q] [--plan PLAN.json] [--backup DIR] [--read-only] [--mouse]
                                    the terminal UI; with --ns and --key it opens on the groups,
                                    with --plan on a saved plan and its decisions
  dupes --demo                      the terminal UI on built-in demo data, no server needed
  dupes scan    [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) [--ignore-case] [--trim]
                [--filter JSON] [--format table|json]
  dupes plan    [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) [--ignore-case] [--trim]
                [--filter JSON] --keep RULE [--merge [--merge-arrays]] --out PLAN.json
  dupes apply   [--uri U] --plan PLAN.json [--ns DB.COLL] [--backup DIR] [--merge] [--yes]
                [--format json]
  dupes resolve [--uri U] --ns DB.COLL (--key F[,F...] | --index NAME) [--ignore-case] [--trim]
                [--filter JSON] --keep RULE [--merge [--merge-arrays]] [--backup DIR] [--dry-run]
                [--yes] [--create-index] [--format json]
                scan, plan and resolve take --whole-document [--ignore F[,F...]] [--any-field-order]
                instead of --key: duplicates are equal in every field but _id and the ignored ones
  dupes restore [--uri U] --backup PATH [--ns DB.COLL] [--yes] [--format json]
                                    without --uri: the server the backup's manifest names
  dupes explain-error [--uri U] [--ns DB.COLL] 'E11000 duplicate key error ...'   (or on stdin)
  dupes keys    --key F[,F...] [--sparse] [--collation JSON] < DOCS.jsonl
                                    each document's index keys: why are two documents duplicates?

URI and --uri default to $MONGODB_URI, else mongodb://localhost:27017; a URI with a user and
no password asks for the password on the terminal. --filter takes mongosh syntax or JSON.
dupes SUBCOMMAND --help describes that subcommand's flags; dupes version prints the version.
RULE is first, last (by _id), max:FIELD, min:FIELD or most-fields.
--backup defaults to $XDG_STATE_HOME/dupes/backups (~/.local/state/dupes/backups).
Without --yes, apply and resolve only print what they would do.
Exit status: 0 done, 1 error, 2 usage.
`

// run dispatches to a subcommand, or to the TUI.
func run(args []string, stdout, stderr io.Writer) error {
	err := dispatch(args, stdout, stderr)
	if errors.Is(err, errHelp) {
		if !printHelp(stdout, err) {
			fmt.Fprint(stdout, usage)
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
			fmt.Fprint(so, usage)
			return nil
		case "--version", "-version", "version":
			fmt.Fprintln(so, versionText())
			return nil
		case "scan":
			return runScan(args[1:], so, se)
		case "plan":
			return runPlan(args[1:], so, se)
		case "apply":
			return runApply(args[1:], so, se)
		case "resolve":
			return runResolve(args[1:], so, se)
		case "restore":
			return runRestore(args[1:], so, se)
		case "explain-error":
			return runExplainError(args[1:], so, se)
		case "keys":
			return runKeys(args[1:], os.Stdin, so, se)
		}
	}
	return runTUI(args, stdout, stderr)
}
