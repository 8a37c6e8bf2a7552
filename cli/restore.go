package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// restoreListMax is how many _ids the restore summary names per list before "and N more".
const restoreListMax = 10

// runRestore is `dupes restore [--uri U] --backup PATH [--ns DB.COLL] [--yes] [--read-only]
// [--format json]`: re-insert backed-up documents that are gone. Without --yes it only reads
// and says what it would do, including what the collection's unique indexes would refuse.
// Without --uri it restores into the server the backup's manifest names.
func runRestore(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore")
	uriFlag := fs.String("uri", "", "server to restore into (default: the one the backup's manifest names)")
	backup := fs.String("backup", "", "backup file (DB.COLL.TIMESTAMP.bson) or a directory of them")
	nsFlag := fs.String("ns", "", "restore into this namespace DB.COLL instead of the backup's own")
	yes := fs.Bool("yes", false, "write; without it, only print what would be restored")
	readOnly := fs.Bool("read-only", false, "refuse to write (a dry run whatever --yes says)")
	allowShort := fs.Bool("allow-short", false, "restore what a backup holds although it is shorter than its manifest says (cut or damaged)")
	format := formatFlag(fs)
	var pace paceFlags
	pace.register(fs, mongo.RestoreBatch)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := pace.check("restore"); err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("restore: unexpected argument %q", pos[0])
	}
	if err := checkFormat("restore", *format); err != nil {
		return err
	}
	if *backup == "" {
		return usagef("restore: --backup PATH is required (a .bson or .bson.gz backup, or a directory of them)")
	}
	var ns model.Namespace
	if *nsFlag != "" {
		if ns, err = model.ParseNamespace(*nsFlag); err != nil {
			return usagef("restore: --ns: %v", err)
		}
	}
	if err := mongo.CheckBackupPath(*backup); err != nil {
		return err
	}
	uri, err := restoreURI(*uriFlag, *backup, stderr)
	if err != nil {
		return err
	}
	// SIGTERM stops a restore between batches as ctrl+c does; SIGUSR1 pauses it.
	ctx, stop := signalContext()
	defer stop()
	pause := watchPause()
	defer pause.stop()
	c, err := mongo.Connect(ctx, uri, mongo.Options{ReadOnly: *readOnly, Command: "restore"})
	if err != nil {
		return err
	}
	defer closeClient(c)
	sayRunID(stderr, "restore", c)
	prog := newProgress(stderr)
	opt := mongo.RestoreOptions{NS: ns, DryRun: !*yes, AllowShort: *allowShort, BatchSize: pace.batchSize, Pace: pace.pace(pause.hold),
		Progress: func(p model.Progress) {
			prog.run(fmt.Sprintf("restoring: %d/%d documents", p.DocsDeleted, p.DocsTotal), p)
		}}
	opt.Pace.Notice = func(n string) { prog.say("note: %s", n) }
	if *yes {
		boundMemory()
	}
	rep, err := c.Restore(ctx, *backup, opt)
	prog.done()
	if err == nil && rep.Failed > 0 && !rep.DryRun {
		err = fmt.Errorf("%d backed-up documents could not be restored (listed above)", rep.Failed)
	}
	if *format == "json" {
		return printRestoreJSON(stdout, uri, rep, err)
	}
	if err != nil && len(rep.Files) == 0 {
		return err // refused before any file was read: no account, and no "run again with --yes"
	}
	printRestore(stdout, rep, uri, *backup)
	return err
}

// restoreURI picks the server to restore into: --uri, else the one the backup's manifest
// names (said on stderr, as it may not be $MONGODB_URI), else the default. A password shown as
// **** (manifests and undo lines never hold one) is taken from $MONGODB_URI when that is the
// same URI, asked for on a terminal, and otherwise refused with a way out.
func restoreURI(flagURI, backup string, stderr io.Writer) (string, error) {
	if _, err := os.Stat(backup); err != nil {
		return "", fmt.Errorf("backup %w", err)
	}
	uri := flagURI
	if uri == "" {
		from, err := mongo.BackupServer(backup)
		switch {
		case err == nil:
			uri = from
			fmt.Fprintf(stderr, "restoring into %s, the server the backup came from (its manifest says so; --uri to choose another)\n", from)
		case errors.Is(err, os.ErrNotExist):
			uri = defaultURI()
			fmt.Fprintf(stderr, "restoring into %s: no manifest names the server the backup came from (--uri to choose another)\n", mongo.Redact(uri))
		default:
			return "", err
		}
	}
	if !mongo.HidesPassword(uri) {
		return uri, nil
	}
	if env := os.Getenv("MONGODB_URI"); env != "" && !mongo.HidesPassword(env) && mongo.Redact(env) == uri {
		return env, nil
	}
	return askPassword(uri, "shows its password as ****, as dupes never stores one", stderr)
}

// printRestore writes what a restore did, or would do, and how to go on from refusals.
func printRestore(w io.Writer, rep model.RestoreReport, uri, backup string) {
	verb, refused := "inserted", "refused"
	if rep.DryRun {
		verb, refused = "would insert", "would be refused"
		fmt.Fprintln(w, "Dry run: nothing is written. Run again with --yes to restore.")
	}
	indexes := map[string]bool{}
	for _, f := range rep.Files {
		fmt.Fprintf(w, "%s -> %s\n", f.Path, f.NS)
		if f.Nothing != "" {
			fmt.Fprintf(w, "  nothing to restore: %s\n", f.Nothing)
			continue
		}
		fmt.Fprintf(w, "  %d records", f.Records)
		if f.Superseded > 0 {
			fmt.Fprintf(w, " (%d older copies superseded by later ones)", f.Superseded)
		}
		fmt.Fprintln(w)
		if f.TornBytes > 0 {
			fmt.Fprintf(w, "  %d bytes of a torn last record ignored (that batch was never deleted)\n", f.TornBytes)
		}
		fmt.Fprintf(w, "  %s %d\n", verb, f.Inserted)
		printKeeperRestore(w, f.Keepers, rep.DryRun)
		if len(f.Existing) > 0 {
			fmt.Fprintf(w, "  %d already in the collection, left as they are: %s\n", len(f.Existing), idList(f.Existing))
		}
		for i, fl := range f.Failed {
			if fl.Index != "" {
				indexes[fl.Index] = true
			}
			if i == restoreListMax {
				fmt.Fprintf(w, "  … and %d more %s\n", len(f.Failed)-i, refused)
				continue
			}
			if i < restoreListMax {
				fmt.Fprintf(w, "  %s %s: %s\n", refused, fl.ID.Display(), fl.Error)
			}
		}
		for _, u := range f.Unchecked {
			fmt.Fprintf(w, "  unique index %s cannot be checked ahead: the server decides\n", u)
		}
	}
	fmt.Fprintf(w, "Total: %s %d, %d already present, %d %s.\n", verb, rep.Inserted, rep.Existing, rep.Failed, refused)
	if ps := rep.Pauses.String(); ps != "" {
		fmt.Fprintf(w, "Paused between batches: %s.\n", ps)
	}
	if rep.Failed > 0 && len(rep.Files) > 0 {
		printRefusalHelp(w, rep, indexes, uri, backup)
	}
}

// printRefusalHelp says how to go on when unique indexes refuse documents: they are duplicates
// of the documents the cleanup kept, so putting them back means giving up the index, or
// restoring them beside the collection to compare.
func printRefusalHelp(w io.Writer, rep model.RestoreReport, indexes map[string]bool, uri, backup string) {
	var names []string
	for n := range indexes {
		names = append(names, n)
	}
	sort.Strings(names)
	ns := rep.Files[0].NS
	fmt.Fprintln(w, "How to go on:")
	if len(names) > 0 {
		fmt.Fprintf(w, "  The unique index %s refuses these documents: the documents the cleanup kept hold the same keys.\n", strings.Join(names, ", "))
	}
	if rep.DryRun {
		fmt.Fprintln(w, "  - with --yes, the others are restored and these stay in the backup;")
	}
	other := model.Namespace{DB: ns.DB, Coll: ns.Coll + "_restored"}
	fmt.Fprintf(w, "  - to compare them with what was kept, restore into another collection:\n      %s\n",
		model.UndoCommand(mongo.Redact(uri), other, backup))
	for _, n := range names {
		fmt.Fprintf(w, "  - to have them back as duplicates, drop the index first: db.getSiblingDB(%q).getCollection(%q).dropIndex(%q)\n", ns.DB, ns.Coll, n)
	}
}

func idList(ids []model.Value) string {
	s := ""
	for i, id := range ids {
		if i == restoreListMax {
			return s + fmt.Sprintf(" … and %d more", len(ids)-i)
		}
		if i > 0 {
			s += ", "
		}
		s += id.Display()
	}
	return s
}
