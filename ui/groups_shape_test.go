package ui

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// shapeOracle is what the group view shows member by member, group by group: the fields whose
// rows it marks ≠ (model.Diff), the groups equal in all but _id, the sizes. It is computed
// from the store's documents, apart from model.Shape.
type shapeOracle struct {
	compared  int
	differs   map[string][]string // field -> keys (keyText) of the groups that differ in it
	identical []string
	sizes     map[string][]string // bucket label -> keys
}

func oracleOf(t *testing.T, st Store, n model.Namespace, groups []model.Group) shapeOracle {
	t.Helper()
	o := shapeOracle{differs: map[string][]string{}, sizes: map[string][]string{}}
	for _, g := range groups {
		if g.LacksKey() {
			continue
		}
		label := "100+"
		switch c := g.Count(); {
		case c == 2, c == 3:
			label = strconv.Itoa(c)
		case c < 10:
			label = "4-9"
		case c < 100:
			label = "10-99"
		}
		o.sizes[label] = append(o.sizes[label], keyText(g))
		docs, err := st.FetchDocs(context.Background(), n, g.IDs)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) < 2 {
			continue
		}
		o.compared++
		same := true
		for _, r := range model.Diff(docs) {
			if r.Same || r.Path == "_id" || strings.HasPrefix(r.Path, "_id.") {
				continue
			}
			same = false
			o.differs[r.Path] = append(o.differs[r.Path], keyText(g))
		}
		if same {
			o.identical = append(o.identical, keyText(g))
		}
	}
	return o
}

// scanned is every group of a scan of the store, in scan order.
func scanned(t *testing.T, st Store, n model.Namespace, k model.Key) []model.Group {
	t.Helper()
	cur, err := st.Scan(context.Background(), n, k)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Group
	for {
		gs, err := cur.NextBatch(context.Background(), 1000)
		out = append(out, gs...)
		if err != nil {
			break
		}
	}
	return out
}

var (
	fieldLine = regexp.MustCompile(`^ [ ›•] (\S+)\s+(<?>?\d+ %)\s+(\d+) groups?`)
	sizeLine  = regexp.MustCompile(`[ ›•] (2|3|4-9|10-99|100\+)\s+▇*\s+(\d+)$`)
)

// panelOf reads the shape panel of a frame: each field line's share and groups (the identical
// line under "identical"), in order, and each size bar's count.
func panelOf(view string) (fields []string, shares map[string]string, groups map[string]int, sizes map[string]int) {
	shares, groups, sizes = map[string]string{}, map[string]int{}, map[string]int{}
	in := false
	for _, l := range strings.Split(view, "\n") {
		switch {
		case strings.Contains(l, "SHAPE"):
			in = true
			continue
		case strings.Contains(l, "KEY "):
			in = false
		}
		if !in {
			continue
		}
		l = strings.TrimRight(l, " ")
		if m := sizeLine.FindStringSubmatch(l); m != nil {
			sizes[m[1]], _ = strconv.Atoi(m[2])
		}
		line := strings.Replace(l, "identical but _id", "identical", 1)
		if m := fieldLine.FindStringSubmatch(line); m != nil {
			fields = append(fields, m[1])
			shares[m[1]] = m[2]
			groups[m[1]], _ = strconv.Atoi(m[3])
		}
	}
	return fields, shares, groups, sizes
}

// keyRows are the key texts of the rows the groups list shows.
func keyRows(view string) []string {
	_, list, ok := strings.Cut(view, "KEY ")
	if !ok {
		return nil
	}
	var out []string
	for _, l := range strings.Split(list, "\n")[1:] {
		l = strings.TrimSpace(strings.TrimPrefix(l, " ›"))
		if l == "" {
			break
		}
		if strings.HasPrefix(l, `"`) { // not the line of the documents lacking the key
			out = append(out, l[:strings.LastIndex(l, `"`)+1])
		}
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

var demoKeys = []struct{ ns, key string }{
	{"shop.users", "email"}, {"shop.orders", "orderNo"}, {"crm.contacts", "lastName,firstName"}, {"shop.orders", "customer"},
}

// TestShapePanelShowsWhatTheGroupViewShows: the panel's shares, identical count and histogram
// are what comparing each group's members (the group view's ≠) finds.
func TestShapePanelShowsWhatTheGroupViewShows(t *testing.T) {
	for _, c := range demoKeys {
		t.Run(c.ns+"/"+c.key, func(t *testing.T) {
			h := openGroups(t, c.ns, c.key, nil)
			h.send(tea.WindowSizeMsg{Width: 120, Height: 60})
			n := ns(c.ns)
			o := oracleOf(t, h.store, n, scanned(t, h.store, n, model.Key{Fields: strings.Split(c.key, ",")}))
			view := h.m.View()
			fields, shares, groups, sizes := panelOf(view)
			if len(fields) != len(o.differs)+1 {
				t.Fatalf("the panel lists %v, the groups differ in %d fields (and the identical line):\n%s", fields, len(o.differs), view)
			}
			for i, f := range fields {
				want := o.differs[f]
				if f == "identical" {
					want = o.identical
				}
				if groups[f] != len(want) || shares[f] != model.SharePercent(float64(len(want))/float64(o.compared)) {
					t.Errorf("%s: panel %d groups %s, members differ in %d of %d groups\n%s", f, groups[f], shares[f], len(want), o.compared, view)
				}
				if i > 0 && f != "identical" && groups[f] > groups[fields[i-1]] {
					t.Errorf("%s listed after %s, which fewer groups differ in", f, fields[i-1])
				}
			}
			for _, b := range []string{"2", "3", "4-9", "10-99", "100+"} {
				if sizes[b] != len(o.sizes[b]) {
					t.Errorf("bar %s shows %d groups, the scan has %d\n%s", b, sizes[b], len(o.sizes[b]), view)
				}
			}
		})
	}
}

// TestShapeLinesFilterTheList: enter on each line of the panel shows exactly the groups it
// names, within the / filter, in any order of the list; r then applies to those alone, and
// esc shows every group again.
func TestShapeLinesFilterTheList(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(tea.WindowSizeMsg{Width: 120, Height: 60})
	n := ns("shop.users")
	o := oracleOf(t, h.store, n, scanned(t, h.store, n, model.Key{Fields: []string{"email"}}))
	all := keyRows(h.m.View())
	fields, _, _, _ := panelOf(h.m.View())
	lines := append(slices.Clone(fields), "2", "3", "4-9", "10-99", "100+")
	for _, text := range []string{"", "t"} { // "t": six of the eight keys
		if text != "" {
			h.keys("/")
			h.typ(text)
			h.keys("enter")
		}
		for i, line := range lines {
			want := o.differs[line]
			switch {
			case line == "identical":
				want = o.identical
			case i >= len(fields):
				want = o.sizes[line]
			}
			if text != "" {
				want = slices.DeleteFunc(slices.Clone(want), func(k string) bool { return !strings.Contains(strings.ToLower(k), text) })
			}
			h.keys("tab")
			for range lines { // the panel's cursor stays where it was: to its top
				h.keys("up")
			}
			for range i {
				h.keys("down")
			}
			h.keys("enter")
			for _, order := range []string{"key", "size", "undecided"} {
				if got := keyRows(h.m.View()); !slices.Equal(sorted(got), sorted(want)) {
					t.Fatalf("filter %q, line %s, order %s: the list shows %v, want %v\n%s", text, line, order, got, want, h.m.View())
				}
				h.keys("o")
			}
			if len(want) > 0 && line == "tags" {
				ruleFirst(h)
				h.wantView(fmt.Sprintf("applied to %s (the ones the filter shows)", plural(len(want), "group", "groups")))
			}
			h.keys("esc")
			if text == "" {
				if got := keyRows(h.m.View()); !slices.Equal(got, all) {
					t.Fatalf("esc leaves %v, want every group %v", got, all)
				}
			} else {
				h.keys("/")
				h.typ(text)
				h.keys("enter")
			}
		}
	}
}

// suggestStore holds one collection whose copies differ only in updatedAt (a suggestion) and
// one whose copies differ in two fields (none).
func suggestStore() *memstore.Store {
	st := memstore.Demo()
	at := time.Date(2024, 3, 4, 9, 30, 0, 0, time.UTC)
	for _, coll := range []string{"saves", "edits"} {
		n := model.Namespace{DB: "lab", Coll: coll}
		st.AddCollection(model.Collection{NS: n})
		id := 0
		for g := range 6 {
			for c := range 2 + g%2 {
				id++
				iv := model.Value(fmt.Sprintf(`{"$numberInt":"%d"}`, id))
				d := model.Doc{ID: iv, Fields: []model.Field{{Path: "_id", Value: iv},
					{Path: "sku", Value: model.Value(fmt.Sprintf(`"S-%d"`, g))},
					{Path: "updatedAt", Value: model.Value(fmt.Sprintf(`{"$date":{"$numberLong":"%d"}}`, at.Add(time.Duration(c)*time.Hour).UnixMilli()))}}}
				if coll == "edits" {
					d.Fields = append(d.Fields, model.Field{Path: "qty", Value: model.Value(fmt.Sprintf(`{"$numberInt":"%d"}`, c))})
				}
				st.Insert(n, d)
			}
		}
	}
	return st
}

// TestShapeSuggestionWhenModelSuggests: the groups screen says the suggested rule when, and
// only when, the store's shape has one.
func TestShapeSuggestionWhenModelSuggests(t *testing.T) {
	cases := append(slices.Clone(demoKeys), struct{ ns, key string }{"lab.saves", "sku"}, struct{ ns, key string }{"lab.edits", "sku"})
	suggested := 0
	for _, c := range cases {
		t.Run(c.ns+"/"+c.key, func(t *testing.T) {
			st := suggestStore()
			h := openGroups(t, c.ns, c.key, func(cfg *Config) {
				cfg.Connect = func(context.Context, string) (Store, error) { return st, nil }
			})
			n := ns(c.ns)
			sh, err := st.Shape(context.Background(), n, scanned(t, st, n, model.Key{Fields: strings.Split(c.key, ",")}), nil)
			if err != nil {
				t.Fatal(err)
			}
			v := h.m.View()
			if sg := sh.Suggestion; sg != nil {
				suggested++
				h.wantView("suggested: "+sg.Keep+" — "+sg.Field+" differs in "+model.SharePercent(sh.Fields[0].Share)+" of groups", "r offers it")
				h.keys("r", "enter")
				h.wantView("field › " + sg.Field)
				h.keys("enter")
				h.wantView("Rule " + sg.Keep + " applied to")
			} else if strings.Contains(v, "suggested:") {
				t.Fatalf("the model suggests nothing, the screen does:\n%s", v)
			}
		})
	}
	if suggested != 1 {
		t.Fatalf("%d cases with a suggestion, want 1 (lab.saves)", suggested)
	}
}

// bigStore has 1 500 groups of two: the shape is measured in several batches.
func bigStore() *memstore.Store {
	st := memstore.New()
	n := model.Namespace{DB: "big", Coll: "c"}
	st.AddCollection(model.Collection{NS: n})
	for i := range 3000 {
		iv := model.Value(fmt.Sprintf(`{"$numberInt":"%d"}`, i))
		st.Insert(n, model.Doc{ID: iv, Fields: []model.Field{{Path: "_id", Value: iv},
			{Path: "k", Value: model.Value(fmt.Sprintf(`{"$numberInt":"%d"}`, i/2))},
			{Path: "v", Value: model.Value(fmt.Sprintf(`{"$numberInt":"%d"}`, i%2))}}})
	}
	return st
}

// TestShapeMeasuresInTheBackgroundAndEscStopsIt: the panel shows the progress, esc stops the
// measurement and the panel says the figures are partial; a second esc goes back.
func TestShapeMeasuresInTheBackgroundAndEscStopsIt(t *testing.T) {
	st := bigStore()
	h := newHarness(t, func(c *Config) {
		c.NS = "big.c"
		c.Connect = func(context.Context, string) (Store, error) { return st, nil }
	})
	h.hold = func(msg tea.Msg) bool { _, ok := msg.(shapeProgressMsg); return ok }
	h.cursorTo("k ")
	h.keys("space", "enter") // scan on k
	h.wantScreen(scrGroups)
	h.wantView("Measuring the groups' shape… 0 of 1,500 groups · esc stops")
	if len(h.held) != 1 {
		t.Fatalf("%d progress reports held, want 1: the next waits for the screen", len(h.held))
	}
	h.keys("esc")
	h.wantScreen(scrGroups)
	h.hold = nil
	h.release()
	if !regexp.MustCompile(`SHAPE \(partial: (500|1,000) of 1,500 groups measured\)`).MatchString(h.m.View()) {
		t.Fatalf("the stopped measurement is not shown partial:\n%s", h.m.View())
	}
	h.keys("esc")
	h.wantScreen(scrKey)
}

// TestShapeWholeInTheBackground: unheld, the same store's shape is whole.
func TestShapeWholeInTheBackground(t *testing.T) {
	st := bigStore()
	h := openGroups(t, "big.c", "k", func(c *Config) {
		c.Connect = func(context.Context, string) (Store, error) { return st, nil }
	})
	h.wantView("SHAPE · 1,500 groups compared · members differ in", "100 %  1,500 groups")
}

// TestShapePanelKeysOutsideTheHelpDoNothing: with the panel focused, its help lists every key
// that acts; the list's keys (r, D, /, s…) wait until tab or esc gives the list back.
func TestShapePanelKeysOutsideTheHelpDoNothing(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("tab")
	h.wantView("› address.city")
	onlyHelpKeysAct(t, h)
	h.keys("esc")
	if strings.Contains(h.m.View(), "› address.city") {
		t.Fatal("esc leaves the panel focused")
	}
}
