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
	h.send(tea.WindowSizeMsg{Width: 240, Height: 40}) // the semantics in full
	h.wantView("4 groups", "whole document except importedAt", "every field but _id, importedAt", "top-level field order ignored", "SKU-000")
	if rows := listRows(h.m.View(), "KEY "); len(rows) != 4 {
		t.Fatalf("%d groups, want 4 (rows imported twice)\n%s", len(rows), h.m.View())
	}
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
	for i := 0; !strings.Contains(h.m.View(), `email = "alovelace`); i++ {
		if i > 30 {
			t.Fatal("no alovelace group")
		}
		h.keys("n")
	}
	h.keys("M")
	h.wantView("⊕ merge: choose a keeper", "Merge on: ")
	h.keys("space") // keep #1: it has the phone; #2 also has tags
	h.wantView("merged keeper #1 gains 1 field", "+ tags", `["beta", "newsletter"]`)
	h.keys("?")
	h.wantView("merge arrays too")
	h.keys("?")
	h.keys("M")
	h.wantView("⊕ merge (arrays united): merged keeper #1 gains 1 field")
	h.keys("M")
	if strings.Contains(h.m.View(), "⊕ merge") {
		t.Fatalf("M a third time left the merge on:\n%s", h.m.View())
	}
	h.keys("M", "D")
	h.wantScreen(scrReview)
	h.wantView("up to 1 keeper will be updated")
	h.keys("enter")
	h.wantView("and update up to 1 keeper with what they gain")
	p := reviewedPlan(h)
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
