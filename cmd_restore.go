package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// restoreListMax is how many _ids the restore summary names per list before "and N more".
const restoreListMax = 10

// runRestore is `dupes restore [--uri U] --backup PATH [--ns DB.COLL] [--yes] [--read-only]`:
// re-insert backed-up documents that are gone. Without --yes it only reads and says what it
// would do.
func runRestore(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore")
	uri := fs.String("uri", defaultURI(), "")
	backup := fs.String("backup", "", "")
	nsFlag := fs.String("ns", "", "")
	yes := fs.Bool("yes", false, "")
	readOnly := fs.Bool("read-only", false, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("restore: unexpected argument %q", pos[0])
	}
	if *backup == "" {
		return usagef("restore: --backup PATH is required (a .bson backup, or a directory of them)")
	}
	var ns model.Namespace
	if *nsFlag != "" {
		if ns, err = model.ParseNamespace(*nsFlag); err != nil {
			return usagef("restore: --ns: %v", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := mongo.Connect(ctx, *uri, mongo.Options{ReadOnly: *readOnly})
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	rep, err := c.Restore(ctx, *backup, mongo.RestoreOptions{NS: ns, DryRun: !*yes})
	printRestore(stdout, rep)
	if err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("%d backed-up documents could not be restored (listed above)", rep.Failed)
	}
	return nil
}

// printRestore writes what a restore did, or would do.
func printRestore(w io.Writer, rep model.RestoreReport) {
	verb := "inserted"
	if rep.DryRun {
		verb = "would insert"
		fmt.Fprintln(w, "Dry run: nothing is written. Run again with --yes to restore.")
	}
	for _, f := range rep.Files {
		fmt.Fprintf(w, "%s -> %s\n", f.Path, f.NS)
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
			if i == restoreListMax {
				fmt.Fprintf(w, "  … and %d more refused\n", len(f.Failed)-i)
				break
			}
			fmt.Fprintf(w, "  refused %s: %s\n", fl.ID.Display(), fl.Error)
		}
	}
	fmt.Fprintf(w, "Total: %s %d, %d already present, %d refused.\n", verb, rep.Inserted, rep.Existing, rep.Failed)
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
