package ui

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
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
	h.cursorTo("alovelace") // the first group with an email
	rule, deletes := s.nRule, s.preview.Deletes()
	h.keys("s")
	if s.nSkip != 1 || s.nRule != rule-1 || s.preview.Deletes() >= deletes {
		t.Fatalf("after s: nSkip %d nRule %d deletes %d (was %d)", s.nSkip, s.nRule, s.preview.Deletes(), deletes)
	}
	h.wantView("skipped 1", "is skipped: never in the plan")
	if row := cursorLine(h.m.View()); !strings.Contains(row, "skipped (s)") {
		t.Fatalf("the skipped row says %q", row)
	}
	for _, g := range reviewedPlan(h).Groups {
		if strings.Contains(string(g.Key[0]), "alovelace") {
			t.Fatal("a skipped group is in the plan")
		}
	}
	h.keys("s")
	if s.nSkip != 0 || s.preview.Deletes() != deletes || !strings.Contains(cursorLine(h.m.View()), "rule: keep #1") {
		t.Fatalf("s again: nSkip %d deletes %d, row %q", s.nSkip, s.preview.Deletes(), cursorLine(h.m.View()))
	}
	// In the group view too.
	h.keys("enter", "s", "esc")
	if row := cursorLine(h.m.View()); !strings.Contains(row, "skipped (s)") {
		t.Fatalf("s in the group view did not skip: %q", row)
	}
	h.keys("enter", "?")
	h.wantView("skip group / take back", "differing fields only", "view whole document")
}

func TestUndoDropsTheHandChoiceBackToTheRule(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.cursorTo("edijkstra")
	h.keys("enter", "l", "space")
	h.wantView("#2 ★ keep")
	h.keys("u")
	h.wantView("Hand choice undone: the group is undecided")
	if h.m.sess.nHand != 0 || strings.Contains(h.m.View(), "★ keep") {
		t.Fatalf("u without a rule: nHand %d\n%s", h.m.sess.nHand, h.m.View())
	}
	h.keys("space", "esc")
	ruleFirst(h)
	if row := cursorLine(h.m.View()); !strings.Contains(row, "hand: keep #2") {
		t.Fatalf("the rule overrode a hand choice: %q", row)
	}
	h.keys("u") // on the groups list, the cursor is on that group still
	if row := cursorLine(h.m.View()); !strings.Contains(row, "rule: keep #1") || h.m.sess.nHand != 0 {
		t.Fatalf("u: %q, nHand %d", row, h.m.sess.nHand)
	}
	h.wantView("the rule's keeper is back")
}

// decideByHand keeps, by hand, member n (from 1) of the group whose row holds text, and comes
// back to the list.
func decideByHand(h *harness, text string, n int) {
	h.t.Helper()
	h.cursorTo(text)
	h.keys("enter")
	for range n - 1 {
		h.keys("l")
	}
	h.keys("space", "esc")
	h.wantScreen(scrGroups)
}

func TestRuleNoneClearsTheRuleButNotHandChoices(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	s := h.m.sess
	decideByHand(h, "aturing", 2)
	ruleFirst(h)
	if s.nRule == 0 {
		t.Fatal("rule applied to nothing")
	}
	h.keys("r", "G") // none is the last row
	h.wantView("› none")
	h.keys("enter")
	if s.nRule != 0 || s.nHand != 1 {
		t.Fatalf("none: nRule %d nHand %d", s.nRule, s.nHand)
	}
	h.wantView("Rule cleared", "back to undecided", "rule: none", "hand: keep #2")
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
	h.wantView("Rule first applied to 1 group (the ones the filter shows)", "decided 1 ")
	// none, under the filter, clears that one only.
	h.keys("esc") // clear the filter
	ruleFirst(h)
	h.keys("/")
	h.typ("turing")
	h.keys("enter", "r", "G", "enter")
	if s.nRule != 7 {
		t.Fatalf("none under a filter: nRule %d, want 7", s.nRule)
	}
	h.wantView("in the 1 group the filter shows", "decided 7 ")
}

func TestSortCyclesKeySizeUndecided(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	docs := func(row string) int {
		n, _ := strconv.Atoi(regexp.MustCompile(` (\d+)  [a-z]`).FindStringSubmatch(row)[1])
		return n
	}
	h.wantView("sorted by key")
	h.keys("o")
	h.wantView("sorted by size, largest first")
	rows := listRows(h.m.View(), "KEY email")
	for i := 1; i < len(rows); i++ {
		if docs(rows[i-1]) < docs(rows[i]) {
			t.Fatalf("not largest first at %d:\n%s", i, strings.Join(rows, "\n"))
		}
	}
	h.keys("o")
	h.wantView("sorted by undecided first")
	decideByHand(h, "@", 1) // the first group with an email
	h.keys("o", "o", "o")   // around again: the decided group goes last
	rows = listRows(h.m.View(), "KEY email")
	if last := rows[len(rows)-1]; !strings.Contains(last, "hand: keep #1") {
		t.Fatalf("undecided first: the last row is %q", last)
	}
	h.keys("o")
	h.wantView("sorted by key")
}

func TestDiffOnlyDocumentViewAndPageKeys(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.cursorTo("edijkstra")
	h.keys("enter")
	body := func() int { return len(strings.Fields(strings.Join(strings.Split(h.m.View(), "\n")[4:], "\n"))) }
	all := body()
	h.wantView("   name ")
	h.keys("d")
	if body() >= all || strings.Contains(h.m.View(), "   name ") {
		t.Fatalf("d: the equal fields still show:\n%s", h.m.View())
	}
	h.keys("?")
	h.wantView("≠ plan", "show all fields", "page down")
	h.keys("?")
	h.keys("d")
	if body() != all {
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
	first := func() string { return strings.Split(h.m.View(), "\n")[4] } // under the title and the legend
	h.keys("h", "g")
	if !strings.HasPrefix(first(), " ›#1") {
		t.Fatalf("g: not at the top on #1:\n%s", h.m.View())
	}
	h.keys("f")
	if strings.HasPrefix(first(), " ›#1") {
		t.Fatalf("f did not scroll:\n%s", h.m.View())
	}
	if !strings.Contains(h.m.View(), "›#") {
		t.Fatalf("no cursor on screen:\n%s", h.m.View())
	}
	h.keys("b")
	if !strings.HasPrefix(first(), " ›") {
		t.Fatalf("b: the cursor is not on the member at the top:\n%s", h.m.View())
	}
	h.keys("g")
	if !strings.HasPrefix(first(), " ›#1") {
		t.Fatalf("g: not back on #1:\n%s", h.m.View())
	}
}

func TestOpeningADecidedGroupShowsItsKeeper(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(tea.WindowSizeMsg{Width: 64, Height: 20})
	decideByHand(h, "edijkstra", 3)
	h.keys("enter")
	h.wantView("›#3 ★ keep")
	if first := strings.Split(h.m.View(), "\n")[4]; strings.Contains(first, "#1") {
		t.Fatalf("the group opens on #1, not on its keeper:\n%s", h.m.View())
	}
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
	decideByHand(h, "edijkstra", 2)
	h.keys("D")
	h.wantScreen(scrReview)
	h.wantView("WHAT WILL BE DELETED  1/9", `"alovelace@example.com"`, "first — keep the smallest _id", "hand",
		"⚑ 3 documents lack email: left alone, not in the plan")
	h.send(tea.WindowSizeMsg{Width: 100, Height: 20})
	if rows := listRows(h.m.View(), "WHAT WILL BE DELETED"); len(rows) >= 9 {
		t.Fatalf("%d rows shown of 9: nothing to scroll", len(rows))
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
	h.wantView("cannot take the backup", "--backup DIR on a writable disk")
	if strings.Contains(h.m.View(), "type shop.users ›") {
		t.Fatal("the namespace is asked for although the backup directory cannot be written")
	}
	// A writable one: the prompt opens.
	h.m.ctx.Cfg.BackupDir = t.TempDir()
	h.keys("enter")
	h.wantView("type shop.users ›")
}

func TestReviewEstimatesTheBackupSize(t *testing.T) {
	h := openGroups(t, "shop.users", "email", func(c *Config) { c.Demo = false })
	ruleFirst(h)
	h.keys("D")
	h.wantView("~", "(11 documents, each sized)")
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
	decideByHand(h, "edijkstra", 2)
	saved := reviewedPlan(h) // it records the members' versions
	if len(saved.Groups) != 8 || saved.Unprinted() != 0 {
		t.Fatalf("plan of %d groups", len(saved.Groups))
	}
	h2 := newHarness(t, func(c *Config) { c.Plan = &saved; c.Interrupted = "cancelled, 3 of 11 deleted" })
	h2.wantScreen(scrGroups)
	s := h2.m.sess
	if s.nRule != 7 || s.nHand != 1 {
		t.Fatalf("loaded: nRule %d nHand %d", s.nRule, s.nHand)
	}
	h2.wantView("rule: first", "shop.users › email", "hand: keep #1")
	if got := s.plan(); got.Digest() != unprinted(saved).Digest() {
		t.Fatal("the loaded plan, unchanged, is not the same plan (digest): a run of it would not resume")
	}
	h2.wantView("A run of this plan did not finish", "Review it to resume? y/n")
	h2.keys("y")
	h2.wantScreen(scrReview)
	h2.wantView("a run of this plan did not finish (cancelled, 3 of 11 deleted)")
	if reviewedPlan(h2).Digest() != saved.Digest() {
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
	saved := reviewedPlan(h)
	h2 := newHarness(t, func(c *Config) { c.Plan = &saved; c.Applied = "done, 11 of 11 documents deleted" })
	h2.wantScreen(scrGroups)
	h2.send(tea.WindowSizeMsg{Width: 200, Height: 40}) // the status line in full
	h2.wantView("It ran before: done, 11 of 11 documents deleted")
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
	h.wantView("Collections of shop")
	total, _ := strconv.Atoi(regexp.MustCompile(`Collections of shop  1/(\d+)`).FindStringSubmatch(h.m.View())[1])
	h.wantView(fmt.Sprintf("1/%d", total))
	h.keys("down")
	h.wantView(fmt.Sprintf("2/%d", total))
	h.keys("/")
	h.typ("ORD")
	h.wantView(fmt.Sprintf("1/1 (of %d)", total), "orders")
	h.keys("enter", "enter") // keep the filter, then open the one collection it shows
	h.wantScreen(scrKey)
	h.wantView("Key of shop.orders")
	h.keys("esc", "esc") // back to the list, then clear the filter
	h.wantView(fmt.Sprintf("1/%d  —", total))
	h.keys("?")
	h.wantView("filter collections")
}

// TestRuleCountsTheGroupsItDecided: the status line counts the groups the rule decided, not
// the flagged group of documents lacking the key (left alone), and says the hand choice apart.
func TestRuleCountsTheGroupsItDecided(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.wantView("⚑ 3 documents lack email") // the flagged group the rule must not count
	decideByHand(h, "aturing", 2)
	ruleFirst(h)
	s := h.m.sess
	if s.nRule != s.sum.Groups-1 {
		t.Fatalf("the rule decided %d of %d duplicate groups, want all but the hand one", s.nRule, s.sum.Groups)
	}
	h.wantView(fmt.Sprintf("Rule first applied to %d groups; 1 group kept the hand choice or skip.", s.nRule))
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
