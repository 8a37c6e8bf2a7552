package ui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// groupsModel is the root model on the groups screen of a finished scan of n groups.
func groupsModel(tb testing.TB, n int) *Model {
	tb.Helper()
	m := New(Config{URI: "bench", Demo: true})
	s := &session{id: 1, ns: model.Namespace{DB: "shop", Coll: "users"}, key: model.Key{Fields: []string{"email"}},
		col: model.Collection{Count: int64(n) * 3}}
	ids := []model.Value{`{"$oid":"65ebad885f1c2a0000000007"}`, `{"$oid":"65ed1b285f1c2a0000000008"}`}
	gs := make([]model.Group, n)
	for i := range gs {
		gs[i] = model.Group{Key: []model.Value{model.Value(fmt.Sprintf(`"user%07d@example.com"`, i))}, IDs: ids}
	}
	s.add(gs)
	m.sess = s
	m.groups.open(s)
	m.stack = []screenID{scrGroups}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return m
}

// BenchmarkGroupsView measures one key press on the groups screen, Update and View, with a
// thousand and a million groups: the cost must not grow with the number of groups.
func BenchmarkGroupsView(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := groupsModel(b, n)
			down, up := keyMsg("down"), keyMsg("up")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := down
				if i/500%2 == 1 { // wander up and down through the first 500 rows
					k = up
				}
				m.Update(k)
				_ = m.View()
			}
		})
	}
}

// TestGroupsKeyPressWorkIsIndependentOfSize checks the property the benchmark measures
// without timing: a filter keystroke schedules work instead of doing it, and moving renders
// only the visible rows.
func TestGroupsKeyPressWorkIsIndependentOfSize(t *testing.T) {
	m := groupsModel(t, 200_000)
	m.Update(keyMsg("/"))
	_, cmd := m.Update(keyMsg("u"))
	if m.groups.query != "" || m.groups.filtering {
		t.Fatal("a keystroke filtered at once instead of after the debounce")
	}
	if cmd == nil {
		t.Fatal("no debounce scheduled")
	}
	m.Update(keyMsg("esc"))
	m.Update(keyMsg("G"))
	if m.groups.cursor.pos != 199_999 {
		t.Fatalf("G: cursor %d", m.groups.cursor.pos)
	}
	from, to := m.groups.cursor.window()
	if to-from > 40 {
		t.Fatalf("window of %d rows", to-from)
	}
}
