package ui

import (
	"fmt"
	"strings"
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
	showSession(m, s)
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
	if v := m.View(); strings.Contains(v, "of 200,000") || strings.Contains(v, "filtering…") {
		t.Fatalf("a keystroke filtered at once instead of after the debounce:\n%s", v)
	}
	if tick := filterTick(cmd); tick == nil {
		t.Fatal("no debounce scheduled")
	}
	m.Update(keyMsg("esc"))
	m.Update(keyMsg("G"))
	v := m.View()
	if got := cursorLine(v); !strings.Contains(got, "user0199999@example.com") {
		t.Fatalf("G: the cursor is on %q", got)
	}
	if rows := len(listRows(v, "KEY email")); rows > 40 {
		t.Fatalf("%d rows rendered", rows)
	}
}

// filterTick is the filter's debounce tick that cmd schedules (it waits for it), or nil.
func filterTick(cmd tea.Cmd) *filterTickMsg {
	for _, c := range flatten(cmd) {
		if tick, ok := c().(filterTickMsg); ok {
			return &tick
		}
	}
	return nil
}
