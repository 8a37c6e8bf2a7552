package ui

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// censusLine reads a census row: collection, key, groups, surplus.
var censusLine = regexp.MustCompile(`^ [ ›] (\S+)\s+(.+?)\s+([\d,]+|…)\s+([\d,]+|…)  `)

type censusRow struct {
	coll, key       string
	groups, surplus string
	notCounted      bool
}

// censusRows are the rows of the census's frame, in order; notCounted marks those under
// NOT COUNTED.
func censusRows(view string) []censusRow {
	var out []censusRow
	under := false
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, "NOT COUNTED") {
			under = true
		}
		if strings.Contains(l, "NOT SCANNED") {
			break
		}
		if m := censusLine.FindStringSubmatch(l); m != nil {
			out = append(out, censusRow{coll: m[1], key: strings.TrimSpace(m[2]), groups: m[3], surplus: m[4], notCounted: under})
		}
	}
	return out
}

func num(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		t.Fatalf("%q is no number", s)
	}
	return n
}

// onShop opens the demo's shop database on the collection list.
func onShop(t *testing.T, h *harness) {
	t.Helper()
	h.cursorTo("shop")
	h.keys("enter")
	h.wantView("Collections of shop")
}

func TestCensusListsCandidatesBySurplus(t *testing.T) {
	h := newHarness(t, nil)
	onShop(t, h)
	h.keys("c")
	h.wantScreen(scrCensus)
	h.wantView("Census of shop", "all counted", "NOT SCANNED",
		"active_users", "view on users", "page_views", "time-series collection", "system.views", "system collection")
	rows := censusRows(h.m.View())
	if len(rows) < 5 {
		t.Fatalf("%d rows:\n%s", len(rows), h.m.View())
	}
	// Every count is what a scan of that collection by that key finds, and the list goes
	// down by surplus.
	last := int64(-1)
	seen := map[string]bool{}
	for _, r := range rows {
		if r.notCounted {
			t.Fatalf("no budget was spent, yet %v is not counted", r)
		}
		seen[r.coll] = true
		var k model.Key
		switch {
		case r.key == "whole document" || strings.HasPrefix(r.key, "whole document"):
			k = model.Key{WholeDocument: true}
		case strings.HasPrefix(r.key, "index "):
			ixs, _ := h.store.Indexes(context.Background(), ns("shop."+r.coll))
			for _, ix := range ixs {
				if strings.HasPrefix(r.key, "index "+ix.Name+" ") {
					k = ix.Key()
				}
			}
		default:
			k = model.Key{Fields: []string{r.key}}
		}
		if k.Validate() != nil {
			t.Fatalf("row %v: no key read", r)
		}
		want := scanCountKey(t, h.store, ns("shop."+r.coll), k)
		if got := [2]string{r.groups, r.surplus}; got != want {
			t.Errorf("%s %s: the census shows %v, a scan finds %v", r.coll, r.key, got, want)
		}
		if s := num(t, r.surplus); last >= 0 && s > last {
			t.Errorf("%s %s: surplus %d after %d: not by surplus", r.coll, r.key, s, last)
		} else {
			last = s
		}
	}
	for _, c := range []string{"users", "orders", "products", "imports"} {
		if !seen[c] {
			t.Errorf("no candidate of %s:\n%s", c, h.m.View())
		}
	}
	// enter scans the collection by the key under the cursor; esc comes back.
	top := rows[0]
	h.keys("g", "enter")
	h.wantScreen(scrGroups)
	h.wantView("shop." + top.coll)
	h.keys("esc")
	h.wantScreen(scrKey)
	h.keys("esc")
	h.wantScreen(scrCensus)
	// A field's row and the whole document's scan too.
	for _, row := range []string{"phone", "whole document"} {
		h.cursorTo(row)
		h.keys("enter")
		h.wantScreen(scrGroups)
		h.keys("esc", "esc")
		h.wantScreen(scrCensus)
	}
	h.keys("esc")
	h.wantScreen(scrCollections)
}

// TestCensusStopsWithinItsBudget: a budget of a few collections' reads counts that much, and
// lists the rest as not counted, saying why.
func TestCensusStopsWithinItsBudget(t *testing.T) {
	h := newHarness(t, nil)
	onShop(t, h)
	users := int64(len(h.store.Docs(ns("shop.users"))))
	budget := 2 * users
	h.send(openCensusMsg{db: "shop", opt: model.CensusOptions{Budget: model.Budget{Docs: budget}}})
	h.wantScreen(scrCensus)
	h.wantView("not counted", "NOT COUNTED", model.NotDoneDocs, "NOT SCANNED")
	rows := censusRows(h.m.View())
	var read int64
	counted, not := 0, 0
	for _, r := range rows {
		if r.notCounted {
			not++
			if r.groups != "…" {
				t.Errorf("%v is listed as not counted with a count", r)
			}
			continue
		}
		counted++
		read += int64(len(h.store.Docs(ns("shop." + r.coll))))
	}
	if counted == 0 || not == 0 || read > budget {
		t.Fatalf("%d counted (%d documents read, budget %d), %d not:\n%s", counted, read, budget, not, h.m.View())
	}
}

// blockingCensus counts as the demo store does, but its second count waits for the census to
// be cancelled.
type blockingCensus struct {
	*memstore.Store
	calls *int
}

func (b blockingCensus) DuplicateCount(ctx context.Context, n model.Namespace, k model.Key) (model.DupCount, error) {
	if *b.calls++; *b.calls == 2 {
		<-ctx.Done()
		return model.DupCount{}, ctx.Err()
	}
	return b.Store.DuplicateCount(ctx, n, k)
}

func (b blockingCensus) Census(ctx context.Context, db string, opt model.CensusOptions, report func(model.CandidateCount)) (model.Census, error) {
	return model.TakeCensus(ctx, b, db, opt, report)
}

func TestCensusStopsWithEsc(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Connect = func(context.Context, string) (Store, error) {
			return blockingCensus{Store: memstore.Demo(), calls: new(int)}, nil
		}
	})
	onShop(t, h)
	// The first count is held: the census then waits on the second, which blocks.
	h.hold = func(msg tea.Msg) bool { _, ok := msg.(censusCountMsg); return ok }
	h.keys("c")
	h.wantScreen(scrCensus)
	h.wantView("counting:", "esc stops")
	h.keys("esc")
	h.wantScreen(scrCensus)
	h.wantView("stopping:")
	h.hold = nil
	h.release()
	h.wantScreen(scrCensus)
	h.wantView("1 key counted", "not counted", "NOT COUNTED", model.NotDoneCancelled, "NOT SCANNED")
	not := 0
	for _, r := range censusRows(h.m.View()) {
		if r.notCounted {
			not++
		}
	}
	if not == 0 {
		t.Fatalf("nothing listed as not counted:\n%s", h.m.View())
	}
	h.keys("esc")
	h.wantScreen(scrCollections)
}

// TestGoldenCensus is the census of the demo's shop database at 80 columns
// (testdata/TestGoldenCensus.golden; -update rewrites it).
func TestGoldenCensus(t *testing.T) {
	st := memstore.Demo()
	m := New(Config{URI: "demo", Demo: true, BackupDir: "/backups",
		Connect: func(context.Context, string) (Store, error) { return st, nil }})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 30))
	wait := func(s string) {
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	}
	wait("shop")
	tm.Send(keyMsg("down"))
	tm.Send(keyMsg("enter"))
	wait("page_views")
	tm.Send(keyMsg("c"))
	wait("all counted")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(*Model)
	golden.RequireEqual(t, []byte(final.View()))
}
