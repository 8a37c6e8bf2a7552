package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// resolve streams: it plans the scan's groups a chunk at a time, with the one plan builder
// (model.BuildPlan), and runs each chunk as it is planned (mongo.Stream: one backup, one
// manifest, one lease), so its memory does not grow with the collection. Groups that may share
// a document with another (a member holding an array under the key, model.Group.Multikey) are
// held back and planned together at the end, as one whole plan: a chunk planned on its own
// could otherwise delete a document another chunk keeps. `plan` and `apply` stay whole-plan.

// streamChunk is how many scan groups a streamed resolve plans at a time: several executor
// batches (mongo.DefaultExecBatch), few enough that memory stays flat. A variable only so
// that tests can make a small collection span several chunks.
var streamChunk = 5000

// errWholePlan says a streamed resolve stopped, having changed nothing, because the run must
// be decided whole: the keep rule's field is in no member of the first groups, and only all
// groups together can tell whether to refuse (as plan does) or go on.
var errWholePlan = errors.New("resolve needs the whole plan")

// streamResolve is one streamed resolve: what it runs, and the totals it prints at the end.
type streamResolve struct {
	c      *mongo.Client
	req    *scanRequest
	rule   model.KeepRule
	flags  planFlags
	apply  bool              // delete; otherwise only count
	exec   mongo.ExecOptions // the run's backup directory, batches and pace
	stderr io.Writer
	prog   *progress

	head      model.Plan    // the plan without groups: what every chunk shares
	st        *mongo.Stream // started at the first chunk that deletes something
	heldSeen  bool          // a member held the rule's field
	preview   bytes.Buffer  // the merge preview of the first chunk, printed after the summary
	previewed bool

	groups, deletes, adjusted int
	unheld, crowded           int              // overlapping groups left with no holder, or with several
	lacking                   model.PlanResult // LackingGroups, LackingDocs
	tooLarge                  tooLarge         // groups left out: too large for one scan to list
	whole                     bool             // the whole scan was planned: groups and deletes are the plan's
}

func newStreamResolve(c *mongo.Client, req *scanRequest, rule model.KeepRule, flags planFlags, apply bool, exec mongo.ExecOptions, stderr io.Writer) *streamResolve {
	return &streamResolve{c: c, req: req, rule: rule, flags: flags, apply: apply, exec: exec, stderr: stderr,
		prog: newProgress(stderr),
		head: model.Plan{
			Version: model.PlanVersion, NS: req.ns, Key: req.key, Semantics: req.key.Semantics(),
			Rule: rule.String(), DeleteMissing: flags.deleteMissing, Merge: flags.merge,
			CreatedAt: time.Now().UTC().Truncate(time.Second),
		}}
}

// run scans, plans and (with apply) deletes, chunk by chunk, then the multikey groups. It
// returns errWholePlan, having changed nothing, when the run must be planned whole.
func (s *streamResolve) run(ctx context.Context) (model.Report, error) {
	cur, err := s.c.ScanWith(ctx, s.req.ns, s.req.key, mongo.ScanOptions{MarkMultikey: true})
	if err != nil {
		return model.Report{}, err
	}
	defer closeScan(cur)
	var chunk, tail []model.Group
	scanned := 0
	for {
		gs, err := cur.NextBatch(ctx, mongo.ScanBatchSize)
		if err != nil && err != io.EOF {
			return s.stop(ctx, err)
		}
		for _, g := range gs {
			if g.Multikey {
				tail = append(tail, g)
			} else {
				chunk = append(chunk, g)
			}
		}
		scanned += len(gs)
		last := err == io.EOF
		for len(chunk) >= streamChunk || (last && len(chunk) > 0) {
			n := min(len(chunk), streamChunk)
			if err := s.chunk(ctx, cur, chunk[:n], true); err != nil || s.stopped() {
				return s.stop(ctx, err)
			}
			chunk = chunk[n:]
		}
		if last {
			break
		}
		s.prog.printf("resolving %s: %d groups scanned, %d planned, %d documents to delete", s.req.ns, scanned, s.groups, s.deletes)
	}
	if len(tail) > 0 {
		if err := s.chunk(ctx, cur, tail, false); err != nil {
			return s.stop(ctx, err)
		}
	}
	// Documents lacking the key in a group too large to list count at their true number.
	for _, o := range cur.Oversized() {
		if (model.Group{Key: o.Key}).LacksKey() && !s.flags.deleteMissing {
			s.lacking.LackingDocs += o.Count - o.Listed
		}
	}
	s.whole = true
	return s.stop(ctx, nil)
}

// chunk plans groups together and runs the plan. disjoint: none of them is Multikey.
func (s *streamResolve) chunk(ctx context.Context, cur *mongo.Cursor, groups []model.Group, disjoint bool) error {
	whole, left := scanResult{groups: groups, oversized: cur.Oversized()}.whole(s.stderr, s.flags.deleteMissing)
	s.tooLarge = append(s.tooLarge, left...)
	// A run reads every member once, whole: the rule decides from it, and the chunk's plan
	// records its fingerprint, so the run deletes only the versions the rule decided on. A
	// dry run deletes nothing, and reads only what the rule compares.
	var ranks [][]int
	var held bool
	var prints model.Fingerprints
	var err error
	if s.apply {
		ranks, held, prints, err = s.c.RanksPrinted(ctx, s.req.ns, s.rule, whole)
	} else {
		ranks, held, err = s.c.RanksHeld(ctx, s.req.ns, s.rule, whole)
	}
	if err != nil {
		return err
	}
	if !held && len(whole) > 0 && !s.heldSeen {
		// Nothing has run yet: every earlier chunk was empty (or this is the first).
		return errWholePlan
	}
	s.heldSeen = s.heldSeen || held
	choices := make([]model.Choice, len(whole))
	for i, r := range ranks {
		choices[i] = model.Choice{Keep: r[0], How: model.ByRule, Rank: r}
	}
	pr := model.BuildPlan(whole, choices, model.PlanOptions{DeleteMissing: s.flags.deleteMissing})
	if s.apply {
		prints.Stamp(pr.Groups)
	}
	s.groups += len(pr.Groups)
	s.deletes += pr.Deletes()
	s.adjusted += pr.Adjusted
	s.unheld += pr.Unheld
	s.crowded += pr.Crowded
	s.lacking.LackingGroups += pr.LackingGroups
	s.lacking.LackingDocs += pr.LackingDocs
	if len(pr.Groups) == 0 {
		return nil
	}
	if s.head.Merge != nil && !s.previewed {
		s.previewed = true
		p := s.head
		p.Groups = pr.Groups
		if err := printMergePreview(ctx, &s.preview, s.c, p); err != nil {
			return err
		}
	}
	if !s.apply {
		return nil
	}
	if s.st == nil {
		opt := s.exec
		opt.Progress = func(p model.Progress) {
			counts := fmt.Sprintf("resolving %s: %d groups planned, %d/%d documents deleted",
				s.req.ns, p.GroupsTotal, p.DocsDeleted, p.DocsTotal)
			// The totals grow as the scan goes on: no ETA can be told from them.
			p.GroupsTotal, p.DocsTotal = 0, 0
			s.prog.run(counts, p)
		}
		opt.Pace.Notice = func(n string) { s.prog.say("note: %s", n) }
		st, err := s.c.StartStream(ctx, s.head, opt)
		if err != nil {
			return err
		}
		s.st = st
	}
	return s.st.Run(ctx, pr.Groups, disjoint)
}

func (s *streamResolve) started() bool { return s.st != nil }

func (s *streamResolve) stopped() bool { return s.st != nil && s.st.Cancelled() }

// stop ends the run, the backup's manifest saying how (cause is what stopped it, if anything).
func (s *streamResolve) stop(ctx context.Context, cause error) (model.Report, error) {
	s.prog.done()
	if errors.Is(cause, errWholePlan) || s.st == nil {
		return model.Report{}, cause
	}
	return s.st.Finish(ctx, cause)
}

// print says what the run planned and did, as resolve's whole-plan path says it, plus what
// only a streamed run has to say: its report holds a sample, and a resume is a new run.
func (s *streamResolve) print(stdout io.Writer, out *runOutput, rep model.Report, runErr error) {
	out.obj.NS = s.head.NS
	out.obj.Plan = &planJSON{Key: s.head.Key, Semantics: s.head.Semantics, Rule: s.head.Rule,
		CreatedAt: s.head.CreatedAt, Groups: s.groups, Deletes: s.deletes, Incomplete: !s.whole}
	printPlanHead(stdout, s.head, s.lacking)
	if s.whole {
		printPlanCounts(stdout, s.groups, s.deletes)
	} else {
		// A stop (an error, a full disk, ctrl+c) before the scan's end: these are the chunks
		// planned so far, not the plan of the collection.
		fmt.Fprintf(stdout, "the run stopped before it planned the whole scan: %d groups planned so far, %d documents to delete in them\n",
			s.groups, s.deletes)
	}
	printOverlaps(s.stderr, s.adjusted, s.unheld, s.crowded)
	stdout.Write(s.preview.Bytes())
	if s.st == nil {
		return
	}
	out.ran(rep)
	// printReport looks each group up in a plan: the sample is its own.
	plan := s.head
	shown := rep
	shown.Groups = make([]model.GroupResult, len(rep.Sample))
	plan.Groups = make([]model.PlanGroup, len(rep.Sample))
	skipped := 0
	for i, g := range rep.Sample {
		plan.Groups[i] = model.PlanGroup{Key: g.Key, Keep: g.Keep}
		shown.Groups[i] = g.GroupResult
		shown.Groups[i].Group = i
		skipped += len(g.Skipped)
	}
	printReport(stdout, plan, shown, runErr)
	if skipped < rep.SkippedDocs || len(rep.Sample) == model.SampleGroups {
		fmt.Fprintf(stdout, "(a streamed run keeps a sample of what it skipped: the first %d groups, %d documents each; "+
			"the totals are above and in the manifest)\n", model.SampleGroups, model.SampleSkipped)
	}
}

// streamErr is the error a finished streamed run ends with, as execute's for a plan.
func streamErr(rep model.Report, err error) error {
	switch {
	case err != nil:
		return err
	case rep.Cancelled:
		return errors.New("interrupted: the batch in flight finished, the rest was not run; " +
			"run resolve again to go on (what was deleted is gone, and in the backup)")
	case rep.FailedGroups > 0:
		return fmt.Errorf("%d groups failed (see above); their documents were not deleted", rep.FailedGroups)
	}
	return nil
}
