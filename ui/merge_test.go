package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// TestKeyScreenWholeDocument: W asks for the fields to ignore, refuses what the command line's
// --ignore refuses, and scans a whole-document key; A makes top-level field order not count.
// The twice-run import of the demo is found: one group per row imported twice.
func TestKeyScreenWholeDocument(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.imports" })
	h.wantScreen(scrKey)
	h.wantView("whole document (W)", "[ ] any field order (A)")
	h.keys("A")
	h.wantView("[x] any field order (A)")
	h.keys("W")
	h.wantView("top-level fields to leave out", "ignore ›")
	if strings.Contains(h.m.View(), "ignore › importedAt") {
		t.Fatal("the prompt shows an example as if it were typed")
	}
	h.typ("a.b")
	h.keys("enter")
	h.wantScreen(scrKey)
	h.wantView("only top-level fields can be ignored")
	for range "a.b" {
		h.send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	h.typ("importedAt")
	h.keys("enter")
	h.wantScreen(scrGroups)
	k := h.m.sess.key
	if !k.WholeDocument || !k.AnyFieldOrder || len(k.Ignore) != 1 || k.Ignore[0] != "importedAt" || len(k.Fields) != 0 {
		t.Fatalf("key %+v", k)
	}
	if n := len(h.m.sess.groups); n != 4 {
		t.Fatalf("%d groups, want 4 (rows imported twice)\n%s", n, h.m.View())
	}
	h.wantView("whole document except importedAt", "SKU-000")
	// Without any field order, and with ignore case on, the key is refused, saying why.
	h.keys("esc")
	h.wantScreen(scrKey)
	h.keys("i", "W", "enter")
	h.wantView("--ignore-case and --trim apply to key fields")
}

// TestGroupMerge: M turns the plan's merge on (then arrays, then off); the group view shows the
// merged keeper with the fields it gains marked before anything runs; the review says keepers
// will be updated; the demo store runs it, filling the keeper.
func TestGroupMerge(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("enter")
	h.wantScreen(scrGroup)
	for i := 0; !strings.Contains(keyText(h.m.sess.groups[on[*groupScreen](h.m, scrGroup).gi]), "alovelace"); i++ {
		if i > 30 {
			t.Fatal("no alovelace group")
		}
		h.keys("n")
	}
	h.keys("M")
	if h.m.sess.merge == nil || h.m.sess.merge.Arrays {
		t.Fatalf("M: merge %+v", h.m.sess.merge)
	}
	h.wantView("⊕ merge: choose a keeper")
	h.keys("space") // keep #1: it has the phone; #2 also has tags
	h.wantView("merged keeper #1 gains 1 field", "+ tags", `["beta", "newsletter"]`)
	if d := on[*groupScreen](h.m, scrGroup).keys.Merge.Help().Desc; d != "merge arrays too" {
		t.Fatalf("M's help after M: %q", d)
	}
	h.keys("M")
	h.wantView("⊕ merge (arrays united): merged keeper #1 gains 1 field")
	h.keys("M")
	if h.m.sess.merge != nil || strings.Contains(h.m.View(), "⊕ merge") {
		t.Fatalf("M a third time left the merge on:\n%s", h.m.View())
	}
	h.keys("M", "D")
	h.wantScreen(scrReview)
	h.wantView("up to 1 keeper will be updated")
	h.keys("enter")
	h.wantView("and update up to 1 keeper with what they gain")
	p := h.m.sess.plan()
	if p.Merge == nil || len(p.Groups) != 1 {
		t.Fatalf("plan merge %+v, %d groups", p.Merge, len(p.Groups))
	}
	h.send(executeMsg{plan: p})
	h.wantScreen(scrDone)
	h.wantView("1 keeper updated")
	for _, d := range h.store.Docs(ns("shop.users")) {
		if d.ID == p.Groups[0].Keep && d.Get("tags") != model.Value(`["beta","newsletter"]`) {
			t.Fatalf("keeper not merged: %+v", d)
		}
	}
}
