package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/mongo"
)

// usageError marks a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg + " (dupes --help shows usage)" }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// errHelp asks run to print the usage and succeed: "dupes scan --help" is not a mistake.
var errHelp = errors.New("help requested")

// newFlags makes a flag set for a subcommand that reports errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse reads flags and positional arguments in any order ("dupes URI --ns X" and
// "dupes --ns X URI" both work, which the flag package alone does not allow).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, helpError{fs}
			}
			return nil, usageError{fs.Name() + ": " + err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, emptyURI(fs)
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// emptyURI refuses an explicit --uri "": an unset shell variable ($PROD_URI) must not
// quietly mean $MONGODB_URI or localhost, which may be another deployment.
func emptyURI(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "uri" && f.Value.String() == "" {
			err = usageError{fs.Name() + ": --uri is empty (an unset shell variable?): give a URI, " +
				"or leave --uri out to use $MONGODB_URI, else " + mongo.DefaultURI}
		}
	})
	return err
}

// leaseDBFlag registers --lease-db, for the commands that delete.
func leaseDBFlag(fs *flag.FlagSet, v *string) {
	fs.StringVar(v, "lease-db", "", "database for the lease that keeps runs on a namespace apart "+
		"(collection "+mongo.LeaseCollection+"; default: the namespace's own database)")
}

// paceFlags are how a command that writes in batches (apply, resolve, restore) shares a busy
// primary: the batch size, a rate, and pauses (mongo.Pace; docs/safety.md, "On a busy
// primary").
type paceFlags struct {
	batchSize int
	maxRate   float64
	maxLag    time.Duration
	pauseFile string
}

// register adds the flags; batch is the command's default batch size.
func (p *paceFlags) register(fs *flag.FlagSet, batch int) {
	fs.IntVar(&p.batchSize, "batch-size", batch, fmt.Sprintf("documents written per batch (deleted, keepers merged, or restored), 1 to %d; "+
		"a batch also stops at %d MiB of documents (restore: %d MiB)", mongo.MaxBatchDocs, mongo.ExecBatchBytes>>20, mongo.RestoreBatchBytes>>20))
	fs.Float64Var(&p.maxRate, "max-rate", 0, "write at most this many documents per second, spread evenly (0: no limit)")
	fs.DurationVar(&p.maxLag, "max-lag", 0, "pause between batches while a secondary is further behind the primary than this, e.g. 10s (0: off)")
	fs.StringVar(&p.pauseFile, "pause-file", "", "pause between batches while this file exists (SIGUSR1 also toggles a pause)")
}

// check refuses values no run can use.
func (p *paceFlags) check(cmd string) error {
	switch {
	case p.batchSize < 1 || p.batchSize > mongo.MaxBatchDocs:
		return usagef("%s: --batch-size %d: give 1 to %d documents", cmd, p.batchSize, mongo.MaxBatchDocs)
	case p.maxRate < 0 || math.IsNaN(p.maxRate) || math.IsInf(p.maxRate, 0):
		return usagef("%s: --max-rate %v: give documents per second, or 0 for no limit", cmd, p.maxRate)
	case p.maxLag < 0:
		return usagef("%s: --max-lag %s: give a duration such as 10s, or 0 for off", cmd, p.maxLag)
	}
	return nil
}

// pace is the mongo.Pace of a run; hold is the SIGUSR1 toggle's (userPause.hold).
func (p *paceFlags) pace(hold func() string) mongo.Pace {
	return mongo.Pace{MaxRate: p.maxRate, MaxLag: p.maxLag, PauseFile: p.pauseFile, Hold: hold}
}

// exec is a plan run's options: its backup directory, batches and pace.
func (p *paceFlags) exec(backup string, hold func() string) mongo.ExecOptions {
	return mongo.ExecOptions{BackupDir: backup, BatchDocs: p.batchSize, Pace: p.pace(hold)}
}

// checkLeaseDB refuses a --lease-db no database can be named.
func checkLeaseDB(cmd, db string) error {
	if db != "" && (strings.ContainsAny(db, "/\\. \"$\x00") || len(db) > 63) {
		return usagef("%s: --lease-db %q is not a database name", cmd, db)
	}
	return nil
}

// defaultURI is $MONGODB_URI, else the local default.
func defaultURI() string {
	if u := os.Getenv("MONGODB_URI"); u != "" {
		return u
	}
	return mongo.DefaultURI
}

// defaultBackupDir is $XDG_STATE_HOME/dupes/backups, else ~/.local/state/dupes/backups.
func defaultBackupDir() string {
	if s := os.Getenv("XDG_STATE_HOME"); s != "" && filepath.IsAbs(s) {
		return filepath.Join(s, "dupes", "backups")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".", "dupes-backups")
	}
	return filepath.Join(home, ".local", "state", "dupes", "backups")
}

// splitList reads "a,b" into trimmed non-empty parts.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
