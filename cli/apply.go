package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// runApply is `dupes apply`: run a plan file. Without --yes it prints what the plan would do
// and changes nothing.
func runApply(args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("apply")
	uriFlag := fs.String("uri", "", "MongoDB URI (default $MONGODB_URI, else "+mongo.DefaultURI+")")
	planPath := fs.String("plan", "", "plan file written by dupes plan or the TUI")
	nsFlag := fs.String("ns", "", "refuse the plan unless it is for this namespace DB.COLL")
	backup := fs.String("backup", defaultBackupDir(), "directory for the backup of deleted documents")
	var leaseDB string
	leaseDBFlag(fs, &leaseDB)
	yes := fs.Bool("yes", false, "delete; without it, only print what would be done")
	createIndex := fs.Bool("create-index", false, "build the unique index once the duplicates are gone")
	format := formatFlag(fs)
	merge := fs.Bool("merge", false, "consent to a plan that merges into its keepers (written by plan --merge)")
	unprinted := fs.Bool("no-fingerprints", false, "accept a plan that records no fingerprints (written by a dupes "+
		"before them): its members are checked only as they are re-read, so a change made after the plan is not seen")
	var pf paceFlags
	pf.register(fs, mongo.ExecBatchDocs)
	positional, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := pf.check("apply"); err != nil {
		return err
	}
	if err := checkLeaseDB("apply", leaseDB); err != nil {
		return err
	}
	uri, err := uriFrom("apply", *uriFlag, positional)
	if err != nil {
		return err
	}
	out, err := newRunOutput("apply", *format, uri, !*yes, stdout)
	if err != nil {
		return err
	}
	stdout = out.text(stdout)
	defer func() { err = out.finish(err) }()
	if *planPath == "" {
		return usagef("apply: --plan PLAN.json is required")
	}
	var want model.Namespace
	if *nsFlag != "" {
		if want, err = model.ParseNamespace(*nsFlag); err != nil {
			return usagef("apply: --ns: %v", err)
		}
	}
	plan, err := loadPlan(*planPath)
	if err != nil {
		return fmt.Errorf("%w; nothing was changed", err)
	}
	if *nsFlag != "" && plan.NS != want {
		return fmt.Errorf("%s is a plan for %s, not %s: refusing to apply it; nothing was changed", *planPath, plan.NS, want)
	}
	if err := checkApplyMerge(*planPath, plan, *merge); err != nil {
		return err
	}
	if err := checkFingerprints(*planPath, plan, *unprinted, stderr); err != nil {
		return err
	}
	if *createIndex && plan.Key.WholeDocument {
		return usagef("apply: --create-index: no unique index can hold a whole-document key")
	}
	out.plan(plan)
	printPlanSummary(stdout, plan, model.PlanResult{})
	if !plan.CreatedAt.IsZero() {
		check := "a member is deleted only if it is still the version the plan read (its fingerprint)"
		if plan.Unprinted() > 0 {
			check = "every group is re-checked against the live data before any delete"
		}
		fmt.Fprintf(stdout, "planned %s (%s ago); %s\n",
			plan.CreatedAt.Format(time.RFC3339), time.Since(plan.CreatedAt).Round(time.Second), check)
	}
	if !*yes {
		if len(plan.Groups) > 0 {
			fmt.Fprintf(stdout, "dry run: nothing changed. Run again with --yes to back up to %s and delete.\n", *backup)
		}
		return nil
	}
	ctx, stop := signalContext()
	defer stop()
	pause := watchPause()
	defer pause.stop()
	c, err := mongo.Connect(ctx, uri, mongo.Options{LeaseDB: leaseDB, Command: "apply"})
	if err != nil {
		return err
	}
	defer closeClient(c)
	sayRunID(stderr, "apply", c)
	// As in resolve: the index is decided (or refused) before anything is deleted. A plan that
	// did not opt into deleting documents lacking the key gets the partial index.
	var offer model.IndexOffer
	if *createIndex {
		if offer, err = offerIndex(ctx, c, plan.NS, plan.Key, plan.DeleteMissing); err != nil {
			return err
		}
	}
	boundMemory()
	rep, err := execute(ctx, c, plan, pf.exec(*backup, pause.hold), stdout, stderr)
	if out.ran(rep); err != nil || !*createIndex {
		return err
	}
	err = buildOffered(ctx, c, plan.NS, plan.Key, offer, stdout, stderr)
	out.index(offer.Name(), err)
	return err
}

// checkFingerprints refuses a plan that records no fingerprints (a plan file written before
// them, or edited) unless --no-fingerprints accepts it: its members cannot be held to the
// versions the plan was made from, only to the key as they are re-read.
func checkFingerprints(path string, p model.Plan, accept bool, stderr io.Writer) error {
	n := p.Unprinted()
	switch {
	case n == 0:
		return nil
	case !accept:
		return fmt.Errorf("%s records no fingerprints for %d of its %d groups (a plan written by an older dupes): "+
			"a member changed after the plan could not be told from the version planned. "+
			"Write the plan again with dupes plan, or accept it with --no-fingerprints; nothing was changed", path, n, len(p.Groups))
	}
	fmt.Fprintf(stderr, "warning: %s records no fingerprints for %d of its %d groups (--no-fingerprints): their members "+
		"are deleted if they still hold the key when re-read, even if they changed after the plan\n", path, n, len(p.Groups))
	return nil
}

// execute checks that the collection may be written, runs the plan with opt (its backup
// directory, batches and pace) and prints its report. It returns an error when a group failed
// or the run was cut short.
func execute(ctx context.Context, c *mongo.Client, plan model.Plan, opt mongo.ExecOptions, stdout, stderr io.Writer) (model.Report, error) {
	col, err := c.Collection(ctx, plan.NS)
	if err != nil {
		return model.Report{}, err
	}
	if err := col.CanDelete(); err != nil {
		return model.Report{}, err
	}
	if len(plan.Groups) == 0 {
		return model.Report{NS: plan.NS}, nil
	}
	prog := newProgress(stderr)
	opt.Progress = func(p model.Progress) {
		prog.run(fmt.Sprintf("deleting: %d/%d groups, %d/%d documents", p.GroupsDone, p.GroupsTotal, p.DocsDeleted, p.DocsTotal), p)
	}
	opt.Pace.Notice = func(s string) { prog.say("note: %s", s) }
	rep, err := c.Execute(ctx, plan, opt)
	prog.done()
	printReport(stdout, plan, rep, err)
	if err != nil {
		return rep, err
	}
	switch {
	case rep.Cancelled:
		return rep, errors.New("interrupted: the batch in flight finished, the rest was not run; run the same plan again to go on")
	case rep.FailedGroups > 0:
		return rep, fmt.Errorf("%d groups failed (see above); their documents were not deleted", rep.FailedGroups)
	}
	return rep, nil
}

// printReport says what a run did: deleted, skipped and why, failed, and where the backup is.
func printReport(w io.Writer, plan model.Plan, rep model.Report, runErr error) {
	if rep.Resumed {
		fmt.Fprintln(w, "resuming the interrupted run of this plan (same backup)")
	}
	for _, n := range rep.Notices {
		fmt.Fprintln(w, "note: "+n)
	}
	fmt.Fprintf(w, "deleted %d documents from %s", rep.Deleted, plan.NS)
	if rep.Earlier > 0 {
		fmt.Fprintf(w, " (and %d by the earlier run)", rep.Earlier)
	}
	if rep.SkippedDocs > 0 {
		why := rep.SkippedSummary()
		if why == "" {
			why = "see below"
		}
		fmt.Fprintf(w, ", skipped %d (%s: not deleted)", rep.SkippedDocs, why)
	}
	if rep.FailedGroups > 0 {
		fmt.Fprintf(w, ", %d groups failed", rep.FailedGroups)
	}
	if rep.NotReached > 0 {
		fmt.Fprintf(w, ", %d groups not reached", rep.NotReached)
	}
	fmt.Fprintln(w)
	if rep.MergedKeepers > 0 {
		fmt.Fprintf(w, "merged into %d keepers the fields they lacked (restore puts their before-images back)\n", rep.MergedKeepers)
	}
	if ps := rep.Pauses.String(); ps != "" {
		fmt.Fprintf(w, "paused between batches: %s\n", ps)
	}
	shown := 0
	for _, g := range rep.Groups {
		if g.Group < 0 || g.Group >= len(plan.Groups) {
			continue
		}
		key := model.KeyText(plan.Groups[g.Group].Key)
		for _, s := range g.Skipped {
			if shown++; shown <= 20 {
				fmt.Fprintf(w, "  group %s: kept %s: %s\n", key, s.ID.Display(), s.Reason)
			}
		}
	}
	if shown > 20 {
		fmt.Fprintf(w, "  … and %d more skipped (see the manifest)\n", shown-20)
	}
	printGroupErrors(w, plan, rep, runErr)
	printUndo(w, rep)
}

// loadPlan reads and decodes a plan file (apply, report and the TUI's --plan), canonically
// (model.DecodePlan).
func loadPlan(path string) (model.Plan, error) {
	data, err := readPlanFile(path)
	if err != nil {
		return model.Plan{}, fmt.Errorf("cannot read the plan: %w", err)
	}
	p, err := model.DecodePlan(data)
	if err != nil {
		return model.Plan{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// readPlanFile reads a plan file, refusing what is not a regular file: a FIFO or a device
// such as /dev/urandom would block the read, or never end it.
func readPlanFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s): a plan is a file written by dupes plan or the TUI", path, st.Mode().Type())
	}
	return os.ReadFile(path)
}
