package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// wholeFlags are the whole-document key's flags, shared by scan, plan and resolve.
type wholeFlags struct {
	on       bool
	ignore   string
	anyOrder bool
}

func (w *wholeFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&w.on, "whole-document", false, "documents equal in every field but _id (and --ignore) are duplicates")
	fs.StringVar(&w.ignore, "ignore", "", "with --whole-document: top-level fields F[,F...] left out of the comparison")
	fs.BoolVar(&w.anyOrder, "any-field-order", false, "with --whole-document: top-level field order does not count")
}

// check completes a whole-document key; a mistake is a usage error.
func (w *wholeFlags) check(cmd string, t *target, key *model.Key) error {
	switch {
	case !w.on:
		return usagef("%s: --ignore and --any-field-order go with --whole-document", cmd)
	case t.key != "" || t.index != "":
		return usagef("%s: give --key, --index or --whole-document, only one", cmd)
	}
	key.WholeDocument, key.Ignore, key.AnyFieldOrder = true, splitList(w.ignore), w.anyOrder
	key.IgnoreCase, key.Trim = t.ignoreCase, t.trim
	if err := key.Validate(); err != nil {
		return usagef("%s: %v", cmd, err)
	}
	return nil
}

// mergeFlags are --merge and --merge-arrays of plan and resolve.
type mergeFlags struct{ merge, arrays bool }

func (m *mergeFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&m.merge, "merge", false, "fill each keeper's missing or null fields from the members deleted, in rule order")
	fs.BoolVar(&m.arrays, "merge-arrays", false, "--merge, and array fields become the union of the keeper's and the members' elements")
}

// options is the plan's merge, or nil.
func (m mergeFlags) options() *model.MergeOptions {
	if !m.merge && !m.arrays {
		return nil
	}
	return &model.MergeOptions{Arrays: m.arrays}
}

// mergePreviewGroups is how many groups a plan summary shows the merged keeper of.
const mergePreviewGroups = 3

// printMergePreview shows, for the first groups whose keeper gains anything, what it gains:
// the run recomputes the merge from the documents it re-reads, so this is a preview.
func printMergePreview(ctx context.Context, w io.Writer, c *mongo.Client, p model.Plan) error {
	if p.Merge == nil {
		return nil
	}
	shown, looked := 0, 0
	for _, g := range p.Groups {
		if shown == mergePreviewGroups || looked == 10*mergePreviewGroups {
			fmt.Fprintln(w, "  …")
			break
		}
		looked++
		m, err := c.MergePreview(ctx, p.NS, p.MergeRule(), *p.Merge, g.Keep, g.Delete)
		if err != nil {
			return err
		}
		if len(m.Gains) == 0 {
			continue
		}
		shown++
		fmt.Fprintf(w, "  keeper %s gains %s\n    merged: %s\n", g.Keep.Display(), m.Describe(), m.Doc.Display())
	}
	if shown == 0 && looked > 0 {
		fmt.Fprintf(w, "  the first %d keepers gain nothing from their members\n", looked)
	}
	return nil
}

// checkApplyMerge makes apply's --merge match the plan: a plan that updates keepers runs only
// when the operator says so, and --merge cannot add a merge the reviewed plan does not hold.
func checkApplyMerge(path string, p model.Plan, merge bool) error {
	switch {
	case p.Merge != nil && !merge:
		return fmt.Errorf("%s merges into the keepers (%s): it updates documents as well as deleting them; "+
			"apply it with --merge; nothing was changed", path, p.Merge)
	case p.Merge == nil && merge:
		return fmt.Errorf("%s does not merge: --merge cannot add to a plan what its review did not see; "+
			"write a new plan with dupes plan --merge; nothing was changed", path)
	}
	return nil
}

// wholeShown is how many characters of a whole-document key a table row shows.
const wholeShown = 60

// shorten cuts a whole-document key for a table row; key values stay whole.
func shorten(s string, whole bool) string {
	if !whole {
		return s
	}
	r := []rune(s)
	if len(r) <= wholeShown {
		return s
	}
	return string(r[:wholeShown-1]) + "…"
}

// printKeeperRestore says what a restore did with the keepers a merging run updated.
func printKeeperRestore(w io.Writer, k *model.KeeperRestore, dry bool) {
	if k == nil {
		return
	}
	verb := "put back"
	if dry {
		verb = "would put back"
	}
	fmt.Fprintf(w, "  keepers merged by the run: %d updates, %s %d to their before-image\n", k.Updates, verb, k.Restored)
	if len(k.Changed) > 0 {
		fmt.Fprintf(w, "  %d keepers changed since the merge, left as they are: %s\n", len(k.Changed), idList(k.Changed))
	}
	if len(k.Gone) > 0 {
		fmt.Fprintf(w, "  %d keepers no longer in the collection, not re-inserted: %s\n", len(k.Gone), idList(k.Gone))
	}
}
