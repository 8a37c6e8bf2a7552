package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/dupes-tui/dupes/internal/atomicfile"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// runPlan is `dupes plan`: scan, choose a keeper per group by a rule, and write the plan file
// that `dupes apply` runs. It only reads the database.
func runPlan(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("plan")
	var p planner
	p.register(fs)
	out := fs.String("out", "", "plan file to write (- for standard output)")
	req, rule, err := p.read("plan", fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("plan: --out PLAN.json is required")
	}
	// Ctrl+C cancels the context, which kills the server-side cursor instead of leaving the
	// aggregation running after we are gone.
	ctx, stop := signalContext()
	defer stop()
	c, col, err := req.open(ctx, &p.target, stderr)
	if err != nil {
		return err
	}
	defer closeClient(c)
	if err := col.CanDelete(); err != nil {
		return fmt.Errorf("no plan: %w", err)
	}
	plan, res, left, err := makePlan(ctx, c, &req, rule, p.options(), stderr)
	if err != nil {
		return err
	}
	data, err := model.EncodePlan(plan)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	report := stdout
	if *out == "-" {
		if _, err := stdout.Write(data); err != nil {
			return err
		}
		report = stderr
	} else if err := atomicfile.Write(*out, data); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	printPlanSummary(report, plan, res)
	if err := printMergePreview(ctx, report, c, plan); err != nil {
		return err
	}
	if len(plan.Groups) > 0 {
		docs := map[model.Value]bool{} // a keeper of several groups (array key) counts once
		for _, g := range plan.Groups {
			docs[g.Keep] = true
			for _, id := range g.Delete {
				docs[id] = true
			}
		}
		fmt.Fprintf(report, "the plan records the version read of each of its %d documents: apply deletes a document "+
			"only if it is still that version\n", len(docs))
	}
	if *out != "-" {
		consent := ""
		if plan.Merge != nil {
			consent = " --merge"
		}
		fmt.Fprintf(report, "plan written to %s; review it, then: dupes apply --plan %s --yes%s\n", *out, *out, consent)
	}
	return left.err()
}

func keepRule(cmd, s string) (model.KeepRule, error) {
	if s == "" {
		return model.KeepRule{}, usagef("%s: --keep RULE is required (%s)", cmd, model.RuleNames())
	}
	r, err := model.ParseKeepRule(s)
	if err != nil {
		return r, usagef("%s: --keep: %v", cmd, err)
	}
	return r, nil
}

// deleteMissingUsage is the --delete-missing flag's help, shared by plan and resolve.
const deleteMissingUsage = "also delete documents lacking the key (every key field missing or null); " +
	"by default they are left alone"

// planner is what plan and resolve share: the collection and key (target), the keep rule, the
// missing-key policy and the merge, and the checks made before anything connects.
type planner struct {
	target
	keep          string
	deleteMissing bool
	merge         mergeFlags
}

func (p *planner) register(fs *flag.FlagSet) {
	p.target.register(fs)
	fs.StringVar(&p.keep, "keep", "", "keep rule: "+model.RuleNames())
	fs.BoolVar(&p.deleteMissing, "delete-missing", false, deleteMissingUsage)
	p.merge.register(fs)
}

// read parses the command line and checks it: what to scan, and the rule that keeps.
func (p *planner) read(cmd string, fs *flag.FlagSet, args []string) (scanRequest, model.KeepRule, error) {
	positional, err := parse(fs, args)
	if err != nil {
		return scanRequest{}, model.KeepRule{}, err
	}
	req, err := p.check(cmd, positional)
	if err != nil {
		return scanRequest{}, model.KeepRule{}, err
	}
	rule, err := keepRule(cmd, p.keep)
	return req, rule, err
}

func (p *planner) options() planFlags {
	return planFlags{deleteMissing: p.deleteMissing, allowMissingField: p.allowMissingField, merge: p.merge.options()}
}

// planFlags are the opt-ins of plan and resolve.
type planFlags struct {
	deleteMissing     bool // plan the group lacking the key too
	allowMissingField bool // go on when no member has the rule's field
	merge             *model.MergeOptions
}

// makePlan scans and decides every group by the rule, through the planner the TUI uses too.
// The groups too large to list come back apart (tooLarge), for the command to end in their
// error once it has done the rest.
func makePlan(ctx context.Context, c *mongo.Client, req *scanRequest, rule model.KeepRule, opt planFlags, stderr io.Writer) (model.Plan, model.PlanResult, tooLarge, error) {
	ns, key := req.ns, req.key
	res, err := scanAll(ctx, c, ns, key, newProgress(stderr))
	if err != nil {
		return model.Plan{}, model.PlanResult{}, nil, err
	}
	groups, left := res.whole(stderr, opt.deleteMissing)
	// Every member is read once, whole: the rule decides from it, and the plan records its
	// fingerprint, the version the plan deletes.
	ranks, held, prints, err := c.RanksPrinted(ctx, ns, rule, groups)
	if err != nil {
		return model.Plan{}, model.PlanResult{}, nil, err
	}
	if !held && len(groups) > 0 {
		uf := &model.UnknownFieldError{Field: rule.Field, In: model.InGroups}
		uf.Suggestion = model.Closest(uf.Field, req.paths(ctx, c, stderr))
		if !opt.allowMissingField {
			return model.Plan{}, model.PlanResult{}, nil, fmt.Errorf("keep rule %s: %w; --allow-missing-field keeps the smallest _id instead", rule, uf)
		}
		fmt.Fprintf(stderr, "warning: keep rule %s: %v; keeping the smallest _id (--allow-missing-field)\n", rule, uf)
		clear(ranks) // the smallest _id: each group's first, then _id order
	}
	choices := make([]model.Choice, len(groups))
	for i, r := range ranks {
		choices[i] = model.Choice{How: model.ByRule, Rank: r}
		if r != nil {
			choices[i].Keep = r[0]
		}
	}
	pr := model.BuildPlan(groups, choices, model.PlanOptions{DeleteMissing: opt.deleteMissing})
	prints.Stamp(pr.Groups)
	// Documents lacking the key in a group too large to list are counted at their true number.
	for _, o := range res.oversized {
		if (model.Group{Key: o.Key}).LacksKey() && !opt.deleteMissing {
			pr.LackingDocs += o.Count - o.Listed
		}
	}
	printOverlaps(stderr, pr.Adjusted, pr.Unheld, pr.Crowded)
	return model.Plan{
		Version:       model.PlanVersion,
		NS:            ns,
		Key:           key,
		Semantics:     key.Semantics(),
		Rule:          rule.String(),
		DeleteMissing: opt.deleteMissing,
		Merge:         opt.merge,
		CreatedAt:     time.Now().UTC().Truncate(time.Second),
		Groups:        pr.Groups,
	}, pr, left, nil
}

// printPlanSummary says what a plan would do, in a few lines, and what it leaves alone.
func printPlanSummary(w io.Writer, p model.Plan, res model.PlanResult) {
	printPlanHead(w, p, res)
	printPlanCounts(w, len(p.Groups), p.Deletes())
}

// printPlanHead is the summary's first lines: the key, the rule, what is left alone.
func printPlanHead(w io.Writer, p model.Plan, res model.PlanResult) {
	fmt.Fprintf(w, "plan for %s, key %s (%s)\n", p.NS, p.Key, p.Semantics)
	if p.Rule != "" {
		how := ""
		if r, err := model.ParseKeepRule(p.Rule); err == nil {
			how = " (" + r.Describe() + ")"
		}
		fmt.Fprintf(w, "rule: %s%s\n", p.Rule, how)
	}
	if res.LackingDocs > 0 {
		fmt.Fprintf(w, "%d documents lack %s (every key field missing or null): left alone, not deleted "+
			"(--delete-missing includes them)\n", res.LackingDocs, p.Key)
	}
	if p.DeleteMissing {
		fmt.Fprintf(w, "documents lacking %s are deleted like any duplicates (--delete-missing)\n", p.Key)
	}
	if p.Merge != nil {
		fmt.Fprintf(w, "merge: %s; each keeper is updated only if unchanged since read, and backed up first\n", p.Merge)
	}
}

// printPlanCounts is the summary's last line: how many groups, how many deletes.
func printPlanCounts(w io.Writer, groups, deletes int) {
	if groups == 0 {
		fmt.Fprintln(w, "no duplicates: the plan deletes nothing")
		return
	}
	fmt.Fprintf(w, "%d groups: keep one document each, delete %d\n", groups, deletes)
}

// printOverlaps says what planning overlapping groups (array keys) together did: a document
// holds several keys, so some groups keep another member than their rule's, and a group whose
// members are all duplicates on other keys keeps none (model.BuildPlan).
func printOverlaps(w io.Writer, adjusted, unheld, crowded int) {
	if adjusted == 0 {
		return
	}
	fmt.Fprintf(w, "note: %d groups share documents with other groups (array key): planned together, keeping each "+
		"document the unique index accepts in keep order, so some keep another member than the rule's", adjusted)
	if unheld > 0 {
		fmt.Fprintf(w, "; in %d no member keeps the key, as each is a duplicate on another key of a document kept there", unheld)
	}
	if crowded > 0 {
		fmt.Fprintf(w, "; %d stay duplicates, held by members of groups left alone", crowded)
	}
	fmt.Fprintln(w)
}
