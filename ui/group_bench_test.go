package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// groupModel is the root model on the group screen of one group of n members, its documents
// fetched: the 5 000-member group cost 0.38 s a key press.
func groupModel(tb testing.TB, n, w int) *Model {
	tb.Helper()
	m := New(Config{URI: "bench", Demo: true})
	s := &session{id: 1, ns: model.Namespace{DB: "shop", Coll: "users"}, key: model.Key{Fields: []string{"email"}},
		col: model.Collection{Count: int64(n)}}
	g := model.Group{Key: []model.Value{`"a@example.com"`}, IDs: make([]model.Value, n)}
	docs := make([]model.Doc, n)
	for i := range g.IDs {
		g.IDs[i] = model.Value(fmt.Sprintf(`{"$oid":"6592008001%014x"}`, i))
		docs[i] = model.Doc{ID: g.IDs[i], Fields: []model.Field{
			{Path: "_id", Value: g.IDs[i]},
			{Path: "email", Value: `"a@example.com"`},
			{Path: "name", Value: model.Value(fmt.Sprintf(`"User number %d"`, i%7))},
			{Path: "plan", Value: []model.Value{`"free"`, `"pro"`, `"team"`}[i%3]},
			{Path: "address.city", Value: `"Amsterdam"`},
			{Path: "visits", Value: model.Value(fmt.Sprintf(`{"$numberInt":"%d"}`, i%5))},
			{Path: "updatedAt", Value: model.Value(fmt.Sprintf(`{"$date":{"$numberLong":"%d"}}`, 1710000000000+int64(i)*1000))},
		}}
	}
	s.add([]model.Group{g})
	showSession(m, s)
	m.Update(tea.WindowSizeMsg{Width: w, Height: 40})
	m.Update(keyMsg("enter"))
	m.Update(docsMsg{group: 0, docs: docs})
	if v := m.View(); m.active() != scrGroup || !strings.Contains(v, "address.city") {
		tb.Fatalf("not on a laid-out group screen (screen %d):\n%s", m.active(), v)
	}
	return m
}

// BenchmarkGroupKeys measures one frame (Update of a key press, then View) on the group
// screen at 3, 500 and 5 000 members: scrolling and moving the member cursor. The layout is
// built once per group and width, so the cost must not grow with the members.
func BenchmarkGroupKeys(b *testing.B) {
	for _, n := range []int{3, 500, 5_000} {
		m := groupModel(b, n, 120)
		frame := func(k tea.KeyMsg) {
			m.Update(k)
			_ = m.View()
		}
		b.Run(fmt.Sprintf("scroll/%d", n), func(b *testing.B) { wander(b, frame, keyMsg("j"), keyMsg("k"), 200) })
		b.Run(fmt.Sprintf("member/%d", n), func(b *testing.B) { wander(b, frame, keyMsg("l"), keyMsg("h"), 100) })
		b.Run(fmt.Sprintf("keep/%d", n), func(b *testing.B) {
			for b.Loop() {
				frame(keyMsg("space"))
			}
		})
	}
}

// wander presses forth every times, then back as many, and so on, one frame per press.
func wander(b *testing.B, frame func(tea.KeyMsg), forth, back tea.KeyMsg, every int) {
	i := 0
	for b.Loop() {
		k := forth
		if i/every%2 == 1 {
			k = back
		}
		frame(k)
		i++
	}
}
