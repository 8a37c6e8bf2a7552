package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// runResolve is `dupes resolve`: plan and apply in one step, then optionally build the unique
// index. With --dry-run, or without --yes, it prints the plan's summary and changes nothing.
func runResolve(args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("resolve")
	var p planner
	p.register(fs)
	leaseDBFlag(fs, &p.leaseDB)
	backup := fs.String("backup", defaultBackupDir(), "directory for the backup of deleted documents")
	dryRun := fs.Bool("dry-run", false, "print what would be done and change nothing")
	yes := fs.Bool("yes", false, "delete; without it, only print what would be done")
	createIndex := fs.Bool("create-index", false, "build the unique index once the duplicates are gone")
	format := formatFlag(fs)
	var pace paceFlags
	pace.register(fs, mongo.ExecBatchDocs)
	req, rule, err := p.read("resolve", fs, args)
	if err != nil {
		return err
	}
	if err := pace.check("resolve"); err != nil {
		return err
	}
	if err := checkLeaseDB("resolve", p.leaseDB); err != nil {
		return err
	}
	if *createIndex && req.key.WholeDocument {
		return usagef("resolve: --create-index: no unique index can hold a whole-document key")
	}
	out, err := newRunOutput("resolve", *format, req.uri, *dryRun || !*yes, stdout)
	if err != nil {
		return err
	}
	stdout = out.text(stdout)
	defer func() { err = out.finish(err) }()
	ctx, stop := signalContext()
	defer stop()
	pause := watchPause()
	defer pause.stop()
	c, col, err := req.open(ctx, &p.target, stderr)
	if err != nil {
		return err
	}
	defer closeClient(c)
	sayRunID(stderr, "resolve", c)
	if err := col.CanDelete(); err != nil {
		return err
	}
	// The index is decided before anything is deleted: a sharded collection may make it
	// impossible, and --yes must not delete on the promise of an index that cannot be built.
	var offer model.IndexOffer
	if *createIndex {
		if offer, err = offerIndex(ctx, c, req.ns, req.key, p.deleteMissing); err != nil {
			return err
		}
	}
	pf := p.options()
	apply := *yes && !*dryRun
	if apply {
		boundMemory()
	}
	// Streamed (cmd_stream.go), in memory that does not grow with the collection, unless the
	// run must be decided whole.
	s := newStreamResolve(c, &req, rule, pf, apply, pace.exec(*backup, pause.hold), stderr)
	if rep, err := s.run(ctx); !errors.Is(err, errWholePlan) {
		if err != nil && !s.started() {
			return err // stopped before anything ran: a failed scan, as plan reports it
		}
		s.print(stdout, out, rep, err)
		if !apply && err == nil {
			printNothingChanged(stdout, *dryRun, s.deletes, *backup, *createIndex, offer)
		}
		if err = streamErr(rep, err); err == nil {
			err = s.tooLarge.err() // the rest ran; the index cannot be built over them
		}
		if err != nil || !apply || !*createIndex {
			return err
		}
		err = buildOffered(ctx, c, req.ns, req.key, offer, stdout, stderr)
		out.index(offer.Name(), err)
		return err
	}
	plan, res, left, err := makePlan(ctx, c, &req, rule, pf, stderr)
	if err != nil {
		return err
	}
	out.plan(plan)
	printPlanSummary(stdout, plan, res)
	if err := printMergePreview(ctx, stdout, c, plan); err != nil {
		return err
	}
	if !apply {
		printNothingChanged(stdout, *dryRun, plan.Deletes(), *backup, *createIndex, offer)
		return left.err()
	}
	rep, err := execute(ctx, c, plan, pace.exec(*backup, pause.hold), stdout, stderr)
	if err == nil {
		err = left.err() // the rest ran; the index cannot be built over them
	}
	if out.ran(rep); err != nil || !*createIndex {
		return err
	}
	err = buildOffered(ctx, c, req.ns, req.key, offer, stdout, stderr)
	out.index(offer.Name(), err)
	return err
}

// printNothingChanged ends a dry run (or a run without --yes): what --yes would do.
func printNothingChanged(w io.Writer, dryRun bool, deletes int, backup string, createIndex bool, offer model.IndexOffer) {
	why := "dry run"
	if !dryRun {
		why = "without --yes"
	}
	fmt.Fprintf(w, "%s: nothing changed.", why)
	if deletes > 0 {
		fmt.Fprintf(w, " With --yes, the %d documents would be backed up to %s and deleted.", deletes, backup)
	}
	if createIndex {
		fmt.Fprintf(w, " Then the unique index %s would be built: %s.", describeOffer(offer), offer.Guarantee)
	}
	fmt.Fprintln(w)
}

// offerIndex decides the unique index to build after the cleanup (model.OfferIndex: partial
// while documents lacking the key stay, shard key first), and refuses when none can be.
func offerIndex(ctx context.Context, c *mongo.Client, ns model.Namespace, key model.Key, deleteMissing bool) (model.IndexOffer, error) {
	sk, err := c.ShardKey(ctx, ns)
	if err != nil {
		return model.IndexOffer{}, fmt.Errorf("--create-index: %w", err)
	}
	o := model.OfferIndex(key, !deleteMissing, sk)
	if o.Refused != "" {
		return o, fmt.Errorf("--create-index: %s; nothing was changed (run without --create-index to clean up only)", o.Refused)
	}
	return o, nil
}

// describeOffer names the offered index and its shape: "email_1 on email (partial: …)".
func describeOffer(o model.IndexOffer) string {
	s := o.Name() + " on " + o.Key.String()
	if o.Partial {
		s += " (partial: documents lacking the key are left out of it)"
	}
	return s
}

// buildOffered builds the offered unique index and says what it guarantees.
func buildOffered(ctx context.Context, c *mongo.Client, ns model.Namespace, key model.Key, o model.IndexOffer, stdout, stderr io.Writer) error {
	if key.IgnoreCase || key.Trim || key.Filter != "" {
		fmt.Fprintln(stderr, "note: the unique index compares exactly, over the whole collection: "+
			"--ignore-case, --trim and --filter have no part in it")
	}
	name, err := c.CreateUniqueIndex(ctx, ns, o.Key)
	var nd *mongo.NewDuplicatesError
	if errors.As(err, &nd) {
		return fmt.Errorf("%w\nscan again: %s", err, rescanCommand(ns, key))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "unique index %s built on %s: the server accepted it, so no duplicates remain under it; it guarantees %s\n",
		name, ns, o.Guarantee)
	return nil
}

// rescanCommand is the scan command line for a key, to suggest after a failed index build.
func rescanCommand(ns model.Namespace, key model.Key) string {
	s := "dupes scan --ns " + ns.String()
	if key.WholeDocument {
		s += " --whole-document"
		if len(key.Ignore) > 0 {
			s += " --ignore " + strings.Join(key.Ignore, ",")
		}
		if key.AnyFieldOrder {
			s += " --any-field-order"
		}
	} else if key.Index != "" {
		s += " --index " + key.Index
	} else {
		s += " --key " + strings.Join(key.Fields, ",")
	}
	if key.IgnoreCase {
		s += " --ignore-case"
	}
	if key.Trim {
		s += " --trim"
	}
	return s
}
