package ui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// ruleFirst applies the keep-first rule from the groups list.
func ruleFirst(h *harness) {
	h.t.Helper()
	h.keys("r", "enter")
	h.wantScreen(scrGroups)
}

func TestSkipLeavesAGroupOutOfThePlanAndTakesItBack(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	ruleFirst(h)
	s := h.m.sess
	h.keys("down") // the first group with an email
	gi := on[*groupsScreen](h.m, scrGroups).at(1)
	rule, deletes := s.nRule, s.preview.Deletes()
	h.keys("s")
	if s.how[gi] != skipped || s.nSkip != 1 || s.nRule != rule-1 || s.preview.Deletes() >= deletes {
		t.Fatalf("after s: how %d nSkip %d nRule %d deletes %d (was %d)", s.how[gi], s.nSkip, s.nRule, s.preview.Deletes(), deletes)
	}
	h.wantView("skipped (s)", "skipped 1", "is skipped: never in the plan")
	for _, g := range s.plan().Groups {
		if g.Keep == s.groups[gi].IDs[0] {
			t.Fatal("a skipped group is in the plan")
		}
	}
	h.keys("s")
	if s.how[gi] != byRule || s.nSkip != 0 || s.preview.Deletes() != deletes {
		t.Fatalf("s again: how %d nSkip %d deletes %d", s.how[gi], s.nSkip, s.preview.Deletes())
	}
	// In the group view too.
	h.keys("enter", "s")
	if s.how[gi] != skipped {
		t.Fatal("s in the group view did not skip")
	}
	h.keys("?")
	h.wantView("skip group / take back", "differing fields only", "view whole document")
}

func TestUndoDropsTheHandChoiceBackToTheRule(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("down", "down", "down", "enter", "l", "space")
	s := h.m.sess
	gi := on[*groupScreen](h.m, scrGroup).gi
	if s.how[gi] != byHand || s.keep[gi] != 1 {
		t.Fatalf("space: how %d keep %d", s.how[gi], s.keep[gi])
	}
	h.keys("u")
	if s.how[gi] != undecided || s.nHand != 0 {
		t.Fatalf("u without a rule: how %d nHand %d", s.how[gi], s.nHand)
	}
	h.keys("space", "esc")
	ruleFirst(h)
	if s.how[gi] != byHand || s.keep[gi] != 1 {
		t.Fatal("the rule overrode a hand choice")
	}
	h.keys("u") // on the groups list, the cursor is on that group still
	if s.how[gi] != byRule || s.keep[gi] != 0 || s.nHand != 0 {
		t.Fatalf("u: how %d keep %d", s.how[gi], s.keep[gi])
	}
	h.wantView("the rule's keeper is back")
}

func TestRuleNoneClearsTheRuleButNotHandChoices(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	s := h.m.sess
	s.decide(on[*groupsScreen](h.m, scrGroups).at(2), 1, byHand)
	ruleFirst(h)
	if s.nRule == 0 {
		t.Fatal("rule applied to nothing")
	}
	h.keys("r", "G") // none is the last row
	h.wantView("› none")
	h.keys("enter")
	if s.nRule != 0 || s.nHand != 1 || s.ruleSet {
		t.Fatalf("none: nRule %d nHand %d ruleSet %v", s.nRule, s.nHand, s.ruleSet)
	}
	h.wantView("Rule cleared", "back to undecided", "rule: none")
}

func TestRuleAppliesOnlyToTheFilteredGroups(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("/")
	h.typ("turing")
	h.keys("enter")
	ruleFirst(h)
	s := h.m.sess
	if s.nRule != 1 {
		t.Fatalf("rule touched %d groups, want the 1 the filter shows", s.nRule)
	}
	h.wantView("Rule first applied to 1 group (the ones the filter shows)")
	// none, under the filter, clears that one only.
	h.keys("esc") // clear the filter
	ruleFirst(h)
	h.keys("/")
	h.typ("turing")
	h.keys("enter", "r", "G", "enter")
	if s.nRule != 7 {
		t.Fatalf("none under a filter: nRule %d, want 7", s.nRule)
	}
	h.wantView("in the 1 group the filter shows")
}

func TestSortCyclesKeySizeUndecided(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	g := on[*groupsScreen](h.m, scrGroups)
	s := h.m.sess
	h.wantView("sorted by key")
	h.keys("o")
	h.wantView("sorted by size, largest first")
	for pos := 1; pos < g.len(); pos++ {
		if s.groups[g.at(pos-1)].Count() < s.groups[g.at(pos)].Count() {
			t.Fatalf("not largest first at %d", pos)
		}
	}
	h.keys("o")
	h.wantView("sorted by undecided first")
	s.decide(g.at(0), 0, byHand)
	h.keys("o", "o", "o") // around again: the decided group goes last
	if s.how[g.at(g.len()-1)] == undecided {
		t.Fatal("undecided first: an undecided group is last")
	}
	h.keys("o")
	h.wantView("sorted by key")
}

func TestDiffOnlyDocumentViewAndPageKeys(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("down", "down", "down", "enter")
	gs := on[*groupScreen](h.m, scrGroup)
	all := len(gs.lay.lines)
	h.keys("d")
	if len(gs.lay.lines) >= all || strings.Contains(h.m.View(), "  name ") {
		t.Fatalf("d: %d lines (all: %d)\n%s", len(gs.lay.lines), all, h.m.View())
	}
	h.keys("?")
	h.wantView("≠ plan", "show all fields", "page down")
	h.keys("?")
	h.keys("d")
	if len(gs.lay.lines) != all {
		t.Fatal("d again did not show every field")
	}
	var copied string
	h.m.ctx.Cfg.Copy = func(s string) error { copied = s; return nil }
	h.keys("l", "v")
	h.wantScreen(scrDoc)
	h.wantView("Member #2 of group", `"_id": {`, `"$oid"`, "c copy the document")
	// One field a line, indented: the JSON's line breaks are not shown as escapes.
	if v := h.m.View(); !strings.Contains(v, "\n   \"email\": \"edijkstra@example.com\",") || strings.Contains(v, `\x0a`) {
		t.Fatalf("the document is not laid out one field a line:\n%s", v)
	}
	h.keys("c")
	if !strings.Contains(copied, `"email": "edijkstra@example.com"`) {
		t.Fatalf("copied %q", copied)
	}
	h.keys("esc")
	h.wantScreen(scrGroup)

	// Page keys on a stacked group: the cursor follows onto a member shown.
	h.send(tea.WindowSizeMsg{Width: 64, Height: 20})
	h.keys("h", "g")
	if gs.scroll != 0 || gs.focus != 0 {
		t.Fatalf("g: scroll %d focus %d", gs.scroll, gs.focus)
	}
	h.keys("f")
	if gs.scroll == 0 {
		t.Fatal("f did not scroll")
	}
	from, to := gs.window()
	if st := gs.lay.starts[gs.focus]; (st < from || st >= to) && !gs.focusAbove(from) {
		t.Fatalf("cursor #%d off screen (starts %d, window %d-%d)", gs.focus+1, st, from, to)
	}
	if !strings.Contains(h.m.View(), "›#") {
		t.Fatalf("no cursor on screen:\n%s", h.m.View())
	}
	h.keys("b")
	if gs.scroll != 0 {
		t.Fatalf("b: scroll %d", gs.scroll)
	}
}

func TestOpeningADecidedGroupShowsItsKeeper(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(tea.WindowSizeMsg{Width: 64, Height: 20})
	gi := on[*groupsScreen](h.m, scrGroups).at(3)
	h.m.sess.decide(gi, 2, byHand)
	h.keys("down", "down", "down", "enter")
	gs := on[*groupScreen](h.m, scrGroup)
	if gs.focus != 2 || gs.scroll != min(gs.lay.starts[2], len(gs.lay.lines)-gs.room()) {
		t.Fatalf("focus %d scroll %d starts %v", gs.focus, gs.scroll, gs.lay.starts)
	}
	h.wantView("›#3 ★ keep")
}

func TestDocJSONNestsPaths(t *testing.T) {
	d := model.Doc{ID: `{"$numberInt":"1"}`, Fields: []model.Field{
		{Path: "_id", Value: `{"$numberInt":"1"}`},
		{Path: "a.b", Value: `"x"`}, {Path: "a.c", Value: `[{"$numberInt":"1"},"2"]`}, {Path: "z", Value: `null`},
	}}
	want := "{\n  \"_id\": { \"$numberInt\": \"1\" },\n  \"a\": { \"b\": \"x\", \"c\": [{ \"$numberInt\": \"1\" }, \"2\"] },\n  \"z\": null\n}"
	if got := docJSON(d, 76); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestReviewListsWhatWillBeDeletedAndScrolls(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	ruleFirst(h)
	h.keys("down", "down", "down", "enter", "l", "space", "esc", "D")
	h.wantScreen(scrReview)
	r := on[*reviewScreen](h.m, scrReview)
	h.wantView("WHAT WILL BE DELETED  1/9", `"alovelace@example.com"`, "first — keep the smallest _id", "hand",
		"⚑ 3 documents lack email: left alone, not in the plan")
	h.send(tea.WindowSizeMsg{Width: 100, Height: 20})
	if r.list.h >= r.list.n {
		t.Fatalf("list of %d rows shown %d at a time: nothing to scroll", r.list.n, r.list.h)
	}
	h.keys("G")
	h.wantView("9/9", "⚑ 3 documents lack email")
	h.keys("g")
	h.wantView("1/9")
}

func TestReviewChecksTheBackupDirectoryBeforeAskingForTheNamespace(t *testing.T) {
	file := t.TempDir() + "/not-a-dir"
	if err := writeFile(file); err != nil {
		t.Fatal(err)
	}
	h := openGroups(t, "shop.users", "email", func(c *Config) { c.Demo = false; c.BackupDir = file + "/backups" })
	ruleFirst(h)
	h.keys("D", "enter")
	if on[*reviewScreen](h.m, scrReview).ask.open() {
		t.Fatal("the namespace is asked for although the backup directory cannot be written")
	}
	h.wantView("cannot take the backup", "--backup DIR on a writable disk")
	// A writable one: the prompt opens.
	h.m.ctx.Cfg.BackupDir = t.TempDir()
	h.keys("enter")
	if !on[*reviewScreen](h.m, scrReview).ask.open() {
		t.Fatal("no typed confirmation with a writable backup directory")
	}
}

func TestReviewEstimatesTheBackupSize(t *testing.T) {
	h := openGroups(t, "shop.users", "email", func(c *Config) { c.Demo = false })
	ruleFirst(h)
	h.keys("D")
	if on[*reviewScreen](h.m, scrReview).avg <= 0 {
		t.Fatalf("no average size: %v", on[*reviewScreen](h.m, scrReview).sizeErr)
	}
	h.wantView("on disk (11 documents × average document")
}

func TestEscOnGroupsAsksWhenAPlanIsPendingAndCtrlCTwiceQuits(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("esc")
	h.wantScreen(scrKey) // nothing decided: nothing to lose
	h = openGroups(t, "shop.users", "email", nil)
	ruleFirst(h)
	h.keys("esc")
	h.wantScreen(scrGroups)
	h.wantView("Leave the groups and lose it? y/n")
	h.keys("n")
	h.wantScreen(scrGroups)
	h.keys("esc", "y")
	h.wantScreen(scrKey)
	if h.m.sess.pending() {
		t.Fatal("the plan left behind still counts as pending")
	}
	h = openGroups(t, "shop.users", "email", nil)
	ruleFirst(h)
	h.keys("ctrl+c")
	if h.quit {
		t.Fatal("the first ctrl+c quit with a plan pending")
	}
	h.wantView("ctrl+c again quits")
	h.keys("ctrl+c")
	if !h.quit {
		t.Fatal("the second ctrl+c did not quit")
	}
}

func writeFile(path string) error { return os.WriteFile(path, []byte("x"), 0o600) }

func TestLoadPlanOpensItsGroupsWithTheirDecisionsAndTheSameDigest(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	ruleFirst(h)
	h.keys("down", "down", "down", "enter", "l", "space", "esc", "D")
	saved := on[*reviewScreen](h.m, scrReview).plan // it records the members' versions
	h.keys("esc")
	if len(saved.Groups) != 8 || saved.Unprinted() != 0 {
		t.Fatalf("plan of %d groups", len(saved.Groups))
	}
	h2 := newHarness(t, func(c *Config) { c.Plan = &saved; c.Interrupted = "cancelled, 3 of 11 deleted" })
	h2.wantScreen(scrGroups)
	s := h2.m.sess
	if s.nRule != 7 || s.nHand != 1 || !s.ruleSet || s.ns != saved.NS {
		t.Fatalf("loaded: nRule %d nHand %d ruleSet %v ns %s", s.nRule, s.nHand, s.ruleSet, s.ns)
	}
	if got := s.plan(); got.Digest() != unprinted(saved).Digest() {
		t.Fatal("the loaded plan, unchanged, is not the same plan (digest): a run of it would not resume")
	}
	h2.wantView("A run of this plan did not finish", "Review it to resume? y/n")
	h2.keys("y")
	h2.wantScreen(scrReview)
	h2.wantView("a run of this plan did not finish (cancelled, 3 of 11 deleted)")
	if on[*reviewScreen](h2.m, scrReview).plan.Digest() != saved.Digest() {
		t.Fatal("the review's plan differs from the saved one")
	}
	h2.keys("esc", "esc", "y")
	h2.wantScreen(scrKey)
}

// TestReopenedAppliedPlanSaysSo: a plan reopened after it ran to its end does not claim that
// nothing has been deleted: the review says it ran before, and that a new run deletes only
// what is still there.
func TestReopenedAppliedPlanSaysSo(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	ruleFirst(h)
	h.keys("D")
	saved := on[*reviewScreen](h.m, scrReview).plan
	h2 := newHarness(t, func(c *Config) { c.Plan = &saved; c.Applied = "done, 11 of 11 documents deleted" })
	h2.wantScreen(scrGroups)
	if !strings.Contains(h2.m.status, "It ran before: done, 11 of 11 documents deleted") {
		t.Fatalf("status: %q", h2.m.status)
	}
	h2.keys("D")
	h2.wantScreen(scrReview)
	if v := h2.m.View(); strings.Contains(v, "nothing has been deleted yet") || !strings.Contains(v, "this plan ran before") {
		t.Fatalf("the review of a plan that ran:\n%s", v)
	}
}

// cannotCollMod is the demo store on a server without collMod unique: the drop path.
type cannotCollMod struct{ *memstore.Store }

func (c cannotCollMod) MakeUnique(ctx context.Context, ns model.Namespace, name string) error {
	return fmt.Errorf("%w: no such command: 'collMod'", ErrCannotMakeUnique)
}

func TestDoneFixesAnExistingNonUniqueIndexOfTheSameName(t *testing.T) {
	for _, drop := range []bool{false, true} {
		h := openGroups(t, "shop.users", "email", func(c *Config) {
			if drop {
				st := c.Connect
				c.Connect = func(ctx context.Context, uri string) (Store, error) {
					s, err := st(ctx, uri)
					return cannotCollMod{s.(*memstore.Store)}, err
				}
			}
		})
		h.keys("m") // every document, so the plain email_1 is offered: the demo has a non-unique one
		ruleFirst(h)
		h.keys("D", "enter")
		h.typ("shop.users")
		h.keys("enter", "x", "y")
		h.wantView("an index named email_1 exists on shop.users and is not unique", "Press x to make email_1 unique in place")
		h.keys("x")
		h.wantView("Make the existing index email_1 of shop.users unique now? y/n")
		h.keys("y")
		if !drop {
			h.wantView("✓ Unique index email_1 made unique in place (collMod):")
			continue
		}
		h.wantView("Press x to drop email_1 and build the unique index in its place")
		h.keys("x")
		h.wantView("Drop the index email_1 of shop.users to build the unique one? y/n")
		h.keys("y")
		h.wantView("Really drop email_1 now?")
		h.keys("y")
		h.wantView("✓ Unique index email_1 built in place of the dropped non-unique one")
		ix, _ := h.store.Indexes(context.Background(), ns("shop.users"))
		if last := ix[len(ix)-1]; last.Name != "email_1" || !last.Unique {
			t.Fatalf("indexes %v", ix)
		}
	}
}

func TestIgnoreCaseOffersACollationIndexOrSaysWhyNot(t *testing.T) {
	h := openGroups(t, "shop.users", "email", func(c *Config) { c.Key.IgnoreCase = true })
	if !h.m.sess.key.IgnoreCase {
		t.Fatal("--ignore-case did not reach the scan")
	}
	h.wantView("ignore case")
	o := h.m.sess.offer()
	if o.Key.Collation == nil || o.Key.Collation.Strength != 2 || o.Name() != "email_1_present_ci" {
		t.Fatalf("offer %+v", o)
	}
	ruleFirst(h)
	h.keys("D", "enter")
	h.typ("shop.users")
	h.keys("enter", "x", "y")
	h.wantView("✓ Unique index email_1_present_ci built")
	h.m.sess.noCollation, h.m.sess.engine = true, "FerretDB 2.5"
	if o := h.m.sess.offer(); !strings.Contains(o.Refused, "FerretDB 2.5 has no collations") {
		t.Fatalf("offer on an engine without collations: %+v", o)
	}
}

func TestCollectionsFilterAndPosition(t *testing.T) {
	h := newHarness(t, nil)
	h.keys("down", "enter")
	c := on[*collectionsScreen](h.m, scrCollections)
	total := len(c.cols)
	h.wantView(fmt.Sprintf("1/%d", total))
	h.keys("down")
	h.wantView(fmt.Sprintf("2/%d", total))
	h.keys("/")
	h.typ("ORD")
	h.wantView(fmt.Sprintf("1/1 (of %d)", total), "orders")
	h.keys("enter", "enter") // keep the filter, then open the one collection it shows
	h.wantScreen(scrKey)
	if on[*keyScreen](h.m, scrKey).ns.Coll != "orders" {
		t.Fatalf("opened %s", on[*keyScreen](h.m, scrKey).ns)
	}
	h.keys("esc", "esc") // back to the list, then clear the filter
	if len(c.rows) != total {
		t.Fatalf("esc left %d of %d collections", len(c.rows), total)
	}
	h.keys("?")
	h.wantView("filter collections")
}

// TestRuleCountsTheGroupsItDecided: the status line counts the groups the rule decided, not
// the flagged group of documents lacking the key (left alone), and says the hand choice apart.
func TestRuleCountsTheGroupsItDecided(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	s := h.m.sess
	if len(s.lacking) == 0 {
		t.Fatal("the demo's users have no flagged group lacking the key: the test needs one")
	}
	s.decide(on[*groupsScreen](h.m, scrGroups).at(2), 1, byHand)
	ruleFirst(h)
	want := fmt.Sprintf("Rule first applied to %d groups; 1 group kept the hand choice or skip.", s.nRule)
	if s.nRule != s.sum.Groups-1 {
		t.Fatalf("the rule decided %d of %d duplicate groups, want all but the hand one", s.nRule, s.sum.Groups)
	}
	h.wantView(want)
}

// TestTrimmedScanIsOfferedNoIndex: after a scan with trim (and ignore case), the TUI offers no
// unique index, since none trims: it says why and what would enforce the key instead. Ignore
// case alone, on a store with collations, is offered the strength-2 index.
func TestTrimmedScanIsOfferedNoIndex(t *testing.T) {
	h := openGroups(t, "shop.users", "email", func(c *Config) { c.Key.IgnoreCase, c.Key.Trim = true, true })
	if o := h.m.sess.offer(); o.Refused == "" || !strings.Contains(o.Refused, "trimmed") {
		t.Fatalf("a trimmed scan was offered %+v", o)
	}
	h = openGroups(t, "shop.users", "email", func(c *Config) { c.Key.IgnoreCase = true })
	if o := h.m.sess.offer(); o.Refused != "" || o.Key.Collation == nil || o.Key.Collation.Strength != 2 {
		t.Fatalf("an ignore-case scan was offered %+v", o)
	}
}
