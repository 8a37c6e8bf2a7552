package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// failingSample is the demo store whose field sample fails, as $sample does now and then on
// mongo-java-server ("Comparison method violates its general contract!").
type failingSample struct {
	*memstore.Store
	fails int // how many samples fail before one succeeds
	tried int
}

func (f *failingSample) SampleFields(ctx context.Context, ns model.Namespace, n int) ([]model.FieldInfo, error) {
	f.tried++
	if f.tried <= f.fails {
		return nil, errors.New("sample shop.users: Comparison method violates its general contract!")
	}
	return f.Store.SampleFields(ctx, ns, n)
}

func withFailingSample(fs *failingSample) func(*Config) {
	return func(c *Config) {
		c.Connect = func(context.Context, string) (Store, error) {
			if fs.Store == nil {
				fs.Store = memstore.Demo()
			}
			return fs, nil
		}
	}
}

func TestFailedSampleWithKeyScansAndWarnsOnce(t *testing.T) {
	fs := &failingSample{fails: 1}
	h := newHarness(t, func(c *Config) {
		c.NS, c.Key = "shop.users", model.Key{Fields: []string{"email"}}
		withFailingSample(fs)(c)
	})
	h.wantScreen(scrGroups)
	h.keys("esc") // back to the key screen: the warning is there, once, and R retries
	h.wantScreen(scrKey)
	v := h.m.View()
	if n := strings.Count(v, "Comparison method violates"); n != 1 {
		t.Fatalf("the sample's error is shown %d times:\n%s", n, v)
	}
	h.keys("R")
	if fs.tried != 2 || h.m.key.sampleErr != nil || len(h.m.key.fields) == 0 {
		t.Fatalf("R: tried %d, err %v, %d fields", fs.tried, h.m.key.sampleErr, len(h.m.key.fields))
	}
	if strings.Contains(h.m.View(), "Comparison method") {
		t.Fatal("the warning outlived the retry")
	}
}

func TestFailedSampleWithoutKeyLeavesTheIndexesAndWarns(t *testing.T) {
	fs := &failingSample{fails: 1}
	h := newHarness(t, func(c *Config) {
		c.NS = "shop.users"
		withFailingSample(fs)(c)
	})
	h.wantScreen(scrKey)
	h.wantView("Could not sample the fields", "R samples again")
	if h.m.err.on() {
		t.Fatalf("the warning is in the footer too: %v", h.m.err.err)
	}
}

func TestABurstOfKeysAppliesEachKey(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjjj")})
	if got := h.m.groups.cursor.pos; got != 4 {
		t.Fatalf("jjjj moved to row %d, want 4", got)
	}
	// A burst that navigates: r opens the menu, j moves in it, enter applies.
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("rj")})
	h.wantScreen(scrRules)
	if h.m.rules.cursor.pos != 1 {
		t.Fatalf("rules cursor %d", h.m.rules.cursor.pos)
	}
}

func TestKeysTypedWhileLoadingWaitForTheScreen(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	h.wantScreen(scrKey)
	// Open the key screen again, holding its load.
	cmd := h.m.key.open(ns("shop.users"), nil, nil, nil)
	h.keys("j", "j", "space")
	if h.m.key.cursor.pos != 0 || len(h.m.queued) != 3 {
		t.Fatalf("keys applied to a loading screen: cursor %d, queued %d", h.m.key.cursor.pos, len(h.m.queued))
	}
	h.wantView("3 keys wait")
	h.run(cmd)
	if h.m.key.cursor.pos != 2 || len(h.m.key.selected) != 1 || len(h.m.queued) != 0 {
		t.Fatalf("held keys not applied: cursor %d, selected %v", h.m.key.cursor.pos, h.m.key.selected)
	}
}

func TestEscCancelsTheLoadInFlight(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	h.wantScreen(scrKey)
	h.m.key.open(ns("shop.users"), nil, nil, nil)
	cancel := h.m.key.call.cancel
	if cancel == nil {
		t.Fatal("no cancel carried for the call in flight")
	}
	ctxDone := false
	h.m.key.call.cancel = func() { ctxDone = true; cancel() }
	h.keys("j", "esc")
	if !ctxDone || h.m.key.Busy() || len(h.m.queued) != 0 {
		t.Fatalf("esc: cancelled %v, busy %v, queued %d", ctxDone, h.m.key.Busy(), len(h.m.queued))
	}
	h.wantScreen(scrCollections)
}

func TestQuitCancelsEveryCall(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	base := h.m.ctx.base
	h.keys("q")
	if !h.quit || base.Err() == nil {
		t.Fatalf("quit %v, base context %v", h.quit, base.Err())
	}
}

func TestIdleSchedulesNoTicks(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	for id, s := range h.m.screens {
		if s.Busy() {
			t.Fatalf("screen %d is busy when idle", id)
		}
	}
	// The ticks that were in flight when each load ended come back and end their chains.
	for _, a := range []*activity{&h.m.connect.call, &h.m.colls.call, &h.m.key.call, &h.m.group.call, &h.m.exec.run, &h.m.done.build} {
		if _, cmd := h.m.Update(a.spin.Tick()); cmd != nil {
			if msg := cmd(); msg != nil {
				if _, ok := msg.(tea.BatchMsg); !ok {
					t.Fatalf("an idle spinner scheduled %T", msg)
				}
			}
		}
	}
	if _, cmd := h.m.Update(spinner.TickMsg{ID: h.m.scan.spin.ID()}); cmd != nil {
		t.Fatal("the scan spinner ticks after the scan")
	}
}

func TestErrorWrapsInFullAndShowsOnce(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	long := strings.Repeat("the server said no ", 12) + "at operator $sampleRate"
	h.send(ErrorMsg{Where: "read", Err: errors.New(long)})
	v := h.m.View()
	if !strings.Contains(v, "$sampleRate") {
		t.Fatalf("the end of the error was cut:\n%s", v)
	}
	if strings.Count(v, "at operator") != 1 {
		t.Fatalf("error shown more than once:\n%s", v)
	}
}

func TestViewIsNamedWithItsSource(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.active_users" })
	h.wantScreen(scrKey)
	h.wantView("shop.active_users is a view on shop.users")
	if strings.Contains(h.m.View(), "The collection is empty") {
		t.Fatal("a view called an empty collection")
	}
}

func TestDoneSaysWhenDuplicatesRemain(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("down", "enter", "space", "esc") // one group decided by hand, the rest undecided
	h.keys("D", "enter")
	h.typ("shop.users")
	h.keys("enter")
	h.wantScreen(scrDone)
	h.wantView("Done, but duplicates remain", "left undecided")
	if strings.Contains(h.m.View(), "✓ Done") {
		t.Fatal("a run that left duplicates says ✓ Done")
	}
}

func TestFitMiddleKeepsBothEnds(t *testing.T) {
	got := fitMiddle("attribute_with_a_long_name_117", 20)
	if !strings.HasPrefix(got, "attribute_") || !strings.HasSuffix(got, "name_117") || !strings.Contains(got, "…") {
		t.Fatalf("fitMiddle = %q", got)
	}
	if w := len([]rune(got)); w != 20 {
		t.Fatalf("width %d", w)
	}
	if got := fitMiddle("名前の長いフィールド", 9); !strings.Contains(got, "…") {
		t.Fatalf("wide characters: %q", got)
	}
}

func TestObjectIdsKeepThePartThatDiffers(t *testing.T) {
	hexes := []string{"65ebad885f1c2a0000000007", "65ebad885f1c2a0000000008"}
	a, b := distinctPart(hexes, 0, 10), distinctPart(hexes, 1, 10)
	if a == b || !strings.HasSuffix(a, "07") || !strings.HasSuffix(b, "08") {
		t.Fatalf("cut ObjectIds %q %q", a, b)
	}
	// Made at different times by one process: the ends (counters) tell them apart, not the
	// middle all of them share.
	hexes = []string{"65fb8d985f1c2a000000001f", "65fc0c285f1c2a0000000020", "65fc8ab85f1c2a0000000021"}
	for i, want := range []string{"1f", "20", "21"} {
		if got := distinctPart(hexes, i, 12); !strings.HasSuffix(got, want) {
			t.Errorf("cut ObjectId %d: %q, want its end %s", i, got, want)
		}
	}
	// Equal ends: what follows the shared prefix.
	hexes = []string{"65fb8d98aaaa2a0000000001", "65fb8d98bbbb2a0000000001"}
	if a, b := distinctPart(hexes, 0, 8), distinctPart(hexes, 1, 8); a == b {
		t.Errorf("ids with equal ends cut alike: %q %q", a, b)
	}
}

func TestOnlyDifferingCellsAreMarkedAndTypesShown(t *testing.T) {
	r := model.DiffRow{Path: "n", Values: []model.Value{`{"$numberInt":"5"}`, `{"$numberInt":"5"}`, `{"$numberLong":"5"}`}}
	texts, marks := cellTexts(r)
	if marks[0] || marks[1] || !marks[2] {
		t.Fatalf("marks %v", marks)
	}
	if !strings.Contains(texts[0], "int)") || !strings.Contains(texts[2], "long)") {
		t.Fatalf("types not shown: %q", texts)
	}
}

func TestLongFieldNamesGetRoomOnWideScreens(t *testing.T) {
	docs := []model.Doc{{ID: `{"$oid":"65ebad885f1c2a0000000007"}`, Fields: []model.Field{{Path: "attribute_with_a_long_name_117", Value: `"a"`}}},
		{ID: `{"$oid":"65ebad885f1c2a0000000008"}`, Fields: []model.Field{{Path: "attribute_with_a_long_name_117", Value: `"b"`}}}}
	lay := buildLayout(NewStyles(), layoutKey{w: 200}, docs, model.Diff(docs))
	if !strings.Contains(strings.Join(lay.lines, "\n"), "attribute_with_a_long_name_117") {
		t.Fatalf("the field name was cut on a 200-column screen:\n%s", strings.Join(lay.lines, "\n"))
	}
}

func TestWideKeysKeepTheCountColumn(t *testing.T) {
	m := New(Config{URI: "t", Demo: true})
	s := &session{id: 1, ns: ns("shop.users"), key: model.Key{Fields: []string{"name"}}}
	ids := []model.Value{`{"$oid":"65ebad885f1c2a0000000007"}`, `{"$oid":"65ed1b285f1c2a0000000008"}`}
	s.add([]model.Group{{Key: []model.Value{`"ascii name"`}, IDs: ids}, {Key: []model.Value{`"名前テスト🙂"`}, IDs: ids}})
	m.sess = s
	m.groups.open(s)
	m.stack = []screenID{scrGroups}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	var cols []int
	for _, l := range strings.Split(m.View(), "\n") {
		if i := strings.Index(l, " 2  undecided"); i >= 0 {
			cols = append(cols, ansi.StringWidth(l[:i]))
		}
	}
	if len(cols) != 2 || cols[0] != cols[1] {
		t.Fatalf("the member count sits at cells %v", cols)
	}
}

func TestARegisteredScreenOpensByPushMsg(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(pushMsg{to: scrRules})
	h.wantScreen(scrRules)
	h.keys("esc")
	h.wantScreen(scrGroups)
}

func TestExecuteClockMovesDuringTheFirstBatch(t *testing.T) {
	h := newHarness(t, nil)
	e := h.m.exec
	e.plan = model.Plan{NS: ns("shop.orders")}
	_, tick := e.run.start(context.Background())
	defer e.run.stop()
	e.run.started = e.run.started.Add(-3 * time.Second) // three seconds into a slow first batch
	if cmd := e.Update(tick()); cmd == nil {
		t.Fatal("the spinner stopped while the run goes on")
	}
	v := e.View()
	for _, want := range []string{"first batch in flight", "elapsed 3."} {
		if !strings.Contains(v, want) {
			t.Fatalf("view lacks %q:\n%s", want, v)
		}
	}
	e.finished()
	if cmd := e.Update(e.run.spin.Tick()); cmd != nil {
		t.Fatal("the spinner ticks after the report")
	}
}

func TestACancelledCallReportsNothing(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(ErrorMsg{Where: "read the group's documents", Err: context.Canceled})
	if h.m.err.on() {
		t.Fatalf("a cancelled call is reported: %v", h.m.err.err)
	}
}

// TestNarrowIdLineStaysReadable: on 80 columns the _id line says its type in what fits ("oid",
// not a cut "…ctId"), and each creation time shows whole under its id.
func TestNarrowIdLineStaysReadable(t *testing.T) {
	var docs []model.Doc
	for _, h := range []string{"65fb8d985f1c2a000000001f", "65fc0c285f1c2a0000000020", "65fc8ab85f1c2a0000000021"} {
		docs = append(docs, model.Doc{ID: model.Value(`{"$oid":"` + h + `"}`), Fields: []model.Field{{Path: "createdAt", Value: `"x"`}}})
	}
	lay := buildLayout(NewStyles(), layoutKey{w: 78}, docs, model.Diff(docs))
	out := ansi.Strip(strings.Join(lay.lines, "\n"))
	for _, want := range []string{"_id oid", "000000001f ", "2024-03-21 01:30Z", "2024-03-21 19:30Z"} {
		if !strings.Contains(out, want) {
			t.Errorf("the id lines lack %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ctId") {
		t.Errorf("the _id label was cut in the middle:\n%s", out)
	}
}
