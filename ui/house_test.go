package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

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
	if fields := fieldRows(h.m.View()); fs.tried != 2 || len(fields) == 0 {
		t.Fatalf("R: tried %d, fields %v", fs.tried, fields)
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
	if n := strings.Count(h.m.View(), "Comparison method violates"); n != 1 {
		t.Fatalf("the warning is shown %d times (in the footer too?):\n%s", n, h.m.View())
	}
}

func TestABurstOfKeysAppliesEachKey(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jjjj")})
	if got := rowOfCursor(t, h.m.View(), "KEY email"); got != 4 {
		t.Fatalf("jjjj moved to row %d, want 4", got)
	}
	// A burst that navigates: r opens the menu, j moves in it, enter applies.
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("rj")})
	h.wantScreen(scrRules)
	h.wantView("› last")
}

func TestKeysTypedWhileLoadingWaitForTheScreen(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	h.wantScreen(scrKey)
	fields := fieldRows(h.m.View())
	// Open the key screen again, holding its load.
	_, cmd := h.m.Update(openKeyMsg{ns: ns("shop.users")})
	h.keys("j", "j", "space")
	h.wantView("Sampling fields…", "3 keys wait")
	h.run(cmd)
	v := h.m.View()
	if got := cursorLine(v); !strings.Contains(got, "[1] "+fields[2]) {
		t.Fatalf("held keys not applied: the cursor is on %q, want the third field (%s) picked first\n%s", got, fields[2], v)
	}
	if strings.Contains(v, "keys wait") {
		t.Fatalf("keys still wait:\n%s", v)
	}
}

// ctxStore is the demo store that records whether the context of its last sample was
// cancelled.
type ctxStore struct {
	*memstore.Store
	sampled error
}

func (c *ctxStore) SampleFields(ctx context.Context, ns model.Namespace, n int) ([]model.FieldInfo, error) {
	c.sampled = ctx.Err()
	return c.Store.SampleFields(ctx, ns, n)
}

func TestEscCancelsTheLoadInFlight(t *testing.T) {
	st := &ctxStore{Store: memstore.Demo()}
	h := newHarness(t, func(c *Config) {
		c.NS = "shop.users"
		c.Connect = func(context.Context, string) (Store, error) { return st, nil }
	})
	h.wantScreen(scrKey)
	_, load := h.m.Update(openKeyMsg{ns: ns("shop.users")})
	h.keys("j", "esc")
	h.wantScreen(scrCollections)
	if v := h.m.View(); strings.Contains(v, "wait") {
		t.Fatalf("a key typed for the cancelled load still waits:\n%s", v)
	}
	h.run(load)
	if !errors.Is(st.sampled, context.Canceled) {
		t.Fatalf("the load ran on after esc: its context says %v", st.sampled)
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

// TestIdleSchedulesNoTicks: once every load is done, no screen is busy, and each spinner tick
// that was on its way when its load ended comes back and ends its chain.
func TestIdleSchedulesNoTicks(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil) // connect, databases, key data, scan
	h.keys("enter")                                // the group's documents
	h.wantScreen(scrGroup)
	for _, l := range h.m.stack {
		if l.Busy() {
			t.Fatalf("screen %d is busy when idle", l.id)
		}
	}
	if len(h.ticks) < 4 {
		t.Fatalf("%d spinner ticks seen: the loads did not spin, the test tests nothing", len(h.ticks))
	}
	for _, tick := range h.ticks {
		_, cmd := h.m.Update(tick)
		if n := len(ticksOf(cmd)); n > 0 {
			t.Fatalf("an idle spinner (%d) scheduled %d more ticks", tick.ID, n)
		}
	}
}

// ticksOf runs cmd and the batches it returns, and keeps the spinner ticks they schedule.
func ticksOf(cmd tea.Cmd) []spinner.TickMsg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case spinner.TickMsg:
		return []spinner.TickMsg{msg}
	case tea.BatchMsg:
		var out []spinner.TickMsg
		for _, c := range msg {
			out = append(out, ticksOf(c)...)
		}
		return out
	}
	return nil
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
	showSession(m, s)
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
	h.send(openRulesMsg{})
	h.wantScreen(scrRules)
	h.keys("esc")
	h.wantScreen(scrGroups)
}

func TestACancelledCallReportsNothing(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	before := h.m.View()
	h.send(ErrorMsg{Where: "read the group's documents", Err: context.Canceled})
	if v := h.m.View(); v != before {
		t.Fatalf("a cancelled call is reported:\n%s", v)
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
