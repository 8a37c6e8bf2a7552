package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// countRow reads a key screen row's GROUPS and SURPLUS cells: "[ ] email  100%  8  11  string".
var countRow = regexp.MustCompile(`(?m)^ [ ›] \[(?: |\d+)\] (\S+)\s+\d+%\s+(\S+)\s+(\S+)`)

// shownCounts are the key screen's field rows and their two count cells, as the frame shows them.
func shownCounts(view string) map[string][2]string {
	out := map[string][2]string{}
	for _, m := range countRow.FindAllStringSubmatch(view, -1) {
		out[m[1]] = [2]string{m[2], m[3]}
	}
	return out
}

// scanCount scans a field through the store and counts what it finds, the way the groups
// list does: groups of two documents or more, and the surplus beyond one per group.
func scanCount(t *testing.T, st Store, n model.Namespace, path string) [2]string {
	t.Helper()
	return scanCountKey(t, st, n, model.Key{Fields: []string{path}})
}

func scanCountKey(t *testing.T, st Store, n model.Namespace, k model.Key) [2]string {
	t.Helper()
	cur, err := st.Scan(context.Background(), n, k)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	var groups, surplus int64
	for {
		gs, err := cur.NextBatch(context.Background(), 100)
		for _, g := range gs {
			if len(g.IDs) > 1 {
				groups++
				surplus += int64(len(g.IDs) - 1)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return [2]string{count(groups), count(surplus)}
}

func TestKeyCountsEqualWhatAScanFinds(t *testing.T) {
	for _, name := range []string{"shop.users", "crm.contacts", "shop.orders"} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.NS = name })
			h.wantScreen(scrKey)
			h.wantView("duplicates counted for", "GROUPS", "SURPLUS")
			shown := shownCounts(h.m.View())
			if len(shown) < 2 {
				t.Fatalf("only %d field rows read:\n%s", len(shown), h.m.View())
			}
			some := false
			for path, got := range shown {
				want := scanCount(t, h.store, ns(name), path)
				if got != want {
					t.Errorf("%s: the column shows %v, a scan finds %v", path, got, want)
				}
				some = some || want[0] != "0"
			}
			if !some {
				t.Fatal("no field has duplicates: the comparison proves little")
			}
		})
	}
}

// TestKeyCountsOrder: the indexes are counted first, then the fields that look unique.
func TestKeyCountsOrder(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	var cands []model.Candidate
	for _, m := range h.seen {
		if m, ok := m.(keyCandidatesMsg); ok {
			cands = m.cands
		}
	}
	if len(cands) < 3 || cands[0].Kind != model.CandidateIndex || cands[0].Key.Index != "email_1" {
		t.Fatalf("candidates %+v: email_1 first", cands)
	}
	unique := true
	for _, c := range cands[1:] {
		if c.LooksUnique && !unique {
			t.Fatalf("%s looks unique but comes after a field that does not: %+v", c.Key, cands)
		}
		unique = unique && c.LooksUnique
	}
	// The index's row shows its count too.
	h.wantView("OR A NON-UNIQUE INDEX'S KEY", "email_1")
	if !regexp.MustCompile(`email_1\s+\d+\s+\d+`).MatchString(h.m.View()) {
		t.Fatalf("email_1 has no count:\n%s", h.m.View())
	}
}

func TestKeyCountsBudgetCut(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	docs := int64(len(h.store.Docs(ns("shop.users"))))
	h.send(openKeyMsg{ns: ns("shop.users"), budget: model.Budget{Docs: 2 * docs}})
	h.wantView("counted 2 of", "not counted: "+model.NotDoneDocs, "C counts the rest")
	shown := shownCounts(h.m.View())
	cut := 0
	for _, c := range shown {
		if c == [2]string{"…", "…"} {
			cut++
		}
	}
	if cut == 0 || cut == len(shown) {
		t.Fatalf("%d of %d rows cut by a budget of two counts:\n%s", cut, len(shown), h.m.View())
	}
	// C counts the rest within a new budget: two more, the first two kept.
	h.keys("C")
	h.wantView("counted 4 of", "not counted: "+model.NotDoneDocs)
	for i := 0; i < len(shown); i++ {
		h.keys("C")
	}
	h.wantView("duplicates counted for")
	for path, c := range shownCounts(h.m.View()) {
		if want := scanCount(t, h.store, ns("shop.users"), path); c != want {
			t.Errorf("%s after C: %v, a scan finds %v", path, c, want)
		}
	}
}

// slowCounts counts as the demo store does, but fails on one path and blocks on its third
// count until the run is cancelled.
type slowCounts struct {
	*memstore.Store
	fail  string
	block bool
	calls *int // the counts asked for so far (one run at a time, in its goroutine)
}

func (s slowCounts) CountCandidates(ctx context.Context, cands []model.Candidate, b model.Budget,
	report func(model.CandidateCount)) ([]model.CandidateCount, []model.NotDone) {
	return model.CountCandidates(ctx, cands, b, func(ctx context.Context, n model.Namespace, k model.Key) (model.DupCount, error) {
		switch {
		case len(k.Fields) == 1 && k.Fields[0] == s.fail:
			return model.DupCount{}, errors.New("refused: collation not supported")
		}
		if *s.calls++; s.block && *s.calls == 3 {
			<-ctx.Done()
			return model.DupCount{}, ctx.Err()
		}
		return s.Store.DuplicateCount(ctx, n, k)
	}, report)
}

// slowHarness has slowCounts as its store; unless it blocks, it opens on shop.users (else
// on the database list, for the test to hold messages first).
func slowHarness(t *testing.T, fail string, block bool) *harness {
	return newHarness(t, func(c *Config) {
		if !block {
			c.NS = "shop.users"
		}
		c.Connect = func(context.Context, string) (Store, error) {
			return slowCounts{Store: memstore.Demo(), fail: fail, block: block, calls: new(int)}, nil
		}
	})
}

func TestKeyCountFailureSaysWhy(t *testing.T) {
	h := slowHarness(t, "plan", false)
	h.wantView("duplicates counted for")
	if got := shownCounts(h.m.View())["plan"]; !strings.HasPrefix(got[0], "✗") {
		t.Fatalf("plan's cells %v, want the failure:\n%s", got, h.m.View())
	}
	h.cursorTo("plan")
	h.wantView("count failed: refused: collation not supported")
}

// TestKeyCountsStop: esc stops the counts and stays on the screen; what was counted can be
// scanned at once.
func TestKeyCountsStop(t *testing.T) {
	h := slowHarness(t, "", true)
	// The second count is held: the run then waits on the third (which blocks until
	// cancelled) and nothing more is asked of it.
	var order []model.Candidate
	h.hold = func(msg tea.Msg) bool {
		switch m := msg.(type) {
		case keyCandidatesMsg:
			order = m.cands
		case keyCountMsg:
			return candidateRow(m.res.Candidate) == candidateRow(order[1])
		}
		return false
	}
	h.send(openKeyMsg{ns: ns("shop.users")})
	h.wantScreen(scrKey)
	if len(h.held) != 1 || len(order) < 4 || order[1].Kind != model.CandidateField || order[2].Kind != model.CandidateField {
		t.Fatalf("held %d messages, candidates %+v", len(h.held), order)
	}
	counted, blocked := order[1].Key.Fields[0], order[2].Key.Fields[0]
	h.wantView("counting duplicates:", "esc stops", " counting  ")
	h.keys("esc")
	h.wantScreen(scrKey)
	h.wantView("stopping:")
	if got := shownCounts(h.m.View())[blocked]; got != [2]string{"…", "…"} {
		t.Fatalf("%s after esc: %v\n%s", blocked, got, h.m.View())
	}
	h.hold = nil
	h.release()
	h.wantView("counted 2 of", "not counted: "+model.NotDoneCancelled, "C counts the rest")
	row := shownCounts(h.m.View())
	if row[blocked] != [2]string{"…", "…"} || row[counted][0] == "…" {
		t.Fatalf("after the stop: %v\n%s", row, h.m.View())
	}
	// A field counted before the stop is scanned at once.
	h.cursorTo(counted)
	h.keys("enter")
	h.wantScreen(scrGroups)
}

// TestGoldenKeyCounts is the key screen with its counts at 80 columns, on a collection with a
// non-unique index (testdata/TestGoldenKeyCounts.golden; -update rewrites it).
func TestGoldenKeyCounts(t *testing.T) {
	st := memstore.Demo()
	st.Now = func() time.Time { return fixedNow }
	m := New(Config{URI: "demo", Demo: true, BackupDir: "/backups", NS: "shop.users",
		Connect: func(context.Context, string) (Store, error) { return st, nil }})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("duplicates counted")) },
		teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(*Model)
	golden.RequireEqual(t, []byte(final.View()))
}
