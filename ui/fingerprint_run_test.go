package ui

import (
	"testing"

	"github.com/dupes-tui/dupes/model"
)

// TestTUIPlanHoldsTheVersionsShown: the plan the review confirms records, per member, the
// version the group view showed, or for a member never shown, the one read when the review
// built the plan; the run deletes a member only if it is still that version, and reports the
// others "changed since the plan". A member changed and changed back is the same version.
func TestTUIPlanHoldsTheVersionsShown(t *testing.T) {
	n := ns("shop.users")
	h := openGroups(t, n.String(), "email", nil)
	ruleFirst(h)
	shown := openGroupOf(h, 3) // the groups before it were shown on the way
	at := groupIndex(h, shown)
	for _, id := range shown.IDs {
		if h.m.sess.seen[id] == "" {
			t.Fatalf("the group view showed %s, and the session did not record its version", id.Display())
		}
	}
	h.keys("esc")
	note := &model.Field{Path: "note", Value: `"edited"`}
	// Shown, then changed: not the version approved.
	change(h, n, shown.IDs[1], note)
	// Shown, changed, and changed back: the same bytes, the same version.
	back := change(h, n, shown.IDs[2], note)
	restore(h, n, back)
	// Never shown, changed before the review: the review reads it, so this is the version the
	// user approves.
	var early, late model.Group
	for _, g := range h.m.sess.groups[at+1:] {
		switch {
		case g.LacksKey():
		case early.IDs == nil:
			early = g
		case late.IDs == nil:
			late = g
		}
	}
	change(h, n, early.IDs[1], note)
	plan := reviewedPlan(h)
	if plan.Unprinted() != 0 {
		t.Fatalf("%d groups of the review's plan record no versions", plan.Unprinted())
	}
	// Never shown, changed after the review built the plan.
	change(h, n, late.IDs[1], note)
	h.send(executeMsg{plan: plan})
	h.wantScreen(scrDone)
	rep := runReport(h)
	why := skipReasons(rep)
	left := present(h, n)
	for _, id := range []model.Value{shown.IDs[1], late.IDs[1]} {
		if why[id] != model.ReasonChangedSincePlan || !left[id] {
			t.Errorf("%s changed since the plan: present %v, reason %q", id.Display(), left[id], why[id])
		}
	}
	for _, id := range []model.Value{shown.IDs[2], early.IDs[1]} {
		if left[id] {
			t.Errorf("%s is the version planned, yet was not deleted (%q)", id.Display(), why[id])
		}
	}
	if rep.SkippedDocs != 2 || rep.Deleted != plan.Deletes()-2 {
		t.Fatalf("deleted %d, skipped %d of %d planned", rep.Deleted, rep.SkippedDocs, plan.Deletes())
	}
	h.wantView("changed since the plan")
}

// TestTUIMergeLeavesAGroupWhoseKeeperChanged: under a merge, the keeper shown and then changed
// leaves its whole group untouched; the other groups merge and delete.
func TestTUIMergeLeavesAGroupWhoseKeeperChanged(t *testing.T) {
	n := ns("shop.users")
	h := openGroups(t, n.String(), "email", nil)
	ruleFirst(h)
	g := openGroupOf(h, 2)
	h.keys("M", "esc")
	if h.m.sess.merge == nil {
		t.Fatal("M did not turn the merge on")
	}
	gi := groupIndex(h, g)
	keep := g.IDs[h.m.sess.keep[gi]]
	before := change(h, n, keep, &model.Field{Path: "note", Value: `"edited"`})
	plan := reviewedPlan(h)
	if plan.Merge == nil || plan.Unprinted() != 0 || len(plan.Groups) < 2 {
		t.Fatalf("plan: merge %v, %d groups, %d unprinted", plan.Merge, len(plan.Groups), plan.Unprinted())
	}
	h.send(executeMsg{plan: plan})
	h.wantScreen(scrDone)
	rep := runReport(h)
	left := present(h, n)
	for _, id := range g.IDs {
		if !left[id] {
			t.Errorf("%s of the group whose keeper changed was deleted", id.Display())
		}
	}
	why := skipReasons(rep)
	for _, id := range g.IDs {
		if id != keep && why[id] != model.ReasonKeeperChangedSincePlan {
			t.Errorf("%s: reason %q", id.Display(), why[id])
		}
	}
	for _, d := range h.store.Docs(n) {
		if d.ID == keep && len(d.Fields) != len(before.Fields)+1 {
			t.Errorf("the changed keeper was merged into: %+v", d)
		}
	}
	if rep.Deleted != plan.Deletes()-(g.Count()-1) {
		t.Fatalf("deleted %d of %d planned; the group of %d left alone", rep.Deleted, plan.Deletes(), g.Count())
	}
}
