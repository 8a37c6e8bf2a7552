package cli

import (
	"bytes"
	"fmt"
	"io"

	"github.com/dupes-tui/dupes/internal/atomicfile"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/report"
)

// runReport is `dupes report`: scan, read every group's members, and write one self-contained
// HTML file (report/) for a second person to review: the counts and shape of the groups, a
// plan's decisions (--plan), the first groups side by side, what a run would delete and leave
// alone, the backup and the undo command. It only reads the database.
func runReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report")
	var t target
	t.register(fs)
	planPath := fs.String("plan", "", "plan file to review (written by dupes plan or the TUI); "+
		"without --ns and --key, its namespace and key are scanned")
	out := fs.String("out", "", "HTML file to write (- for standard output)")
	shown := fs.Int("groups", report.DefaultGroups, "how many groups to show side by side, members as columns (0: none)")
	backup := fs.String("backup", defaultBackupDir(), "backup directory the plan's run would use (apply's --backup), "+
		"named in the report with the undo command")
	positional, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("report: --out report.html is required (- for standard output)")
	}
	if *shown < 0 {
		return usagef("report: --groups %d: give a number of groups, 0 or more", *shown)
	}
	var plan *model.Plan
	if *planPath != "" {
		p, err := loadPlan(*planPath)
		if err != nil {
			return err
		}
		plan = &p
	}
	req, err := reportRequest(&t, positional, plan)
	if err != nil {
		return err
	}
	if plan != nil && plan.NS != req.ns {
		return fmt.Errorf("%s is a plan for %s, not %s: refusing to report on it", *planPath, plan.NS, req.ns)
	}
	ctx, stop := signalContext()
	defer stop()
	c, _, err := req.open(ctx, &t, stderr)
	if err != nil {
		return err
	}
	defer closeClient(c)
	if err := samePlanKey(*planPath, plan, req); err != nil {
		return err
	}
	res, err := scanAll(ctx, c, req.ns, req.key, newProgress(stderr))
	if err != nil {
		return err
	}
	in := report.Input{NS: req.ns, Key: req.key, Groups: res.groups, Plan: plan, Show: *shown, URI: mongo.Redact(req.uri),
		BackupDir: *backup}
	if *shown == 0 {
		in.Show = -1
	}
	for _, o := range res.oversized {
		in.Notes = append(in.Notes, fmt.Sprintf("Group %s has %d documents, more than one scan lists: the report shows and "+
			"counts the first %d. Narrow the scan with --filter to see them all.", model.KeyText(o.Key), o.Count, o.Listed))
	}
	prog := newProgress(stderr)
	in.Progress = func(done, total int) { prog.printf("reading the members: %d/%d groups", done, total) }
	r, err := report.Collect(ctx, c, in)
	prog.done()
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if *out == "-" {
		_, err := stdout.Write(page.Bytes())
		return err
	}
	if err := atomicfile.Write(*out, page.Bytes()); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	s := model.Summarize(res.groups)
	fmt.Fprintf(stdout, "report written to %s: %s, key %s (%s); %d groups, %d documents, %d surplus\n",
		*out, req.ns, req.key, req.key.Semantics(), s.Groups, s.Documents, s.Surplus)
	return nil
}

// reportRequest is what to scan: the flags, as scan takes them, or the plan's namespace and
// key where the flags name none.
func reportRequest(t *target, positional []string, plan *model.Plan) (scanRequest, error) {
	if plan == nil || t.hasKey() {
		if plan != nil && t.ns == "" {
			t.ns = plan.NS.String()
		}
		return t.check("report", positional)
	}
	if t.filter != "" || t.collation != "" || t.ignoreCase || t.trim {
		return scanRequest{}, usagef("report: --filter, --collation, --ignore-case and --trim go with --key; " +
			"without it the plan's key is scanned with the plan's options")
	}
	uri, err := uriFrom("report", t.uri, positional)
	if err != nil {
		return scanRequest{}, err
	}
	ns := plan.NS
	if t.ns != "" {
		if ns, err = model.ParseNamespace(t.ns); err != nil {
			return scanRequest{}, usagef("report: --ns: %v", err)
		}
	}
	return scanRequest{uri: uri, ns: ns, key: plan.Key}, nil
}

// samePlanKey refuses a plan made for another key than the one scanned (as open completed
// it): its decisions would be matched to groups of another notion of duplicate.
func samePlanKey(path string, plan *model.Plan, req scanRequest) error {
	switch {
	case plan == nil:
		return nil
	case plan.Key.String() != req.key.String() || plan.Key.Semantics() != req.key.Semantics():
		return fmt.Errorf("%s is a plan for key %s (%s), not %s (%s): refusing to report on it; "+
			"leave out --key to scan the plan's own", path, plan.Key, plan.Key.Semantics(), req.key, req.key.Semantics())
	}
	return nil
}
