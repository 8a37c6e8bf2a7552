package ui

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/internal/procmem"
	"github.com/dupes-tui/dupes/model"
)

// scanLikeGroups is n groups as a scan delivers them: a distinct key and three distinct
// ObjectId _ids per group, each value its own string, handed over in batches of 1 000. It
// returns the bytes of the ids' text, the part of a group's cost the budget leaves out.
func scanLikeGroups(n int, add func([]model.Group)) (idBytes int) {
	batch := make([]model.Group, 0, 1000)
	for i := 0; i < n; i++ {
		g := model.Group{Key: []model.Value{model.Value(fmt.Sprintf(`"user%08d@example.com"`, i))}, IDs: make([]model.Value, 3)}
		for j := range g.IDs {
			g.IDs[j] = model.Value(fmt.Sprintf(`{"$oid":"6592008001%014x"}`, i*3+j))
			idBytes += len(g.IDs[j])
		}
		batch = append(batch, g)
		if len(batch) == cap(batch) || i == n-1 {
			add(batch)
			batch = make([]model.Group, 0, 1000)
		}
	}
	return idBytes
}

// loadedModel is the root model on the groups screen of a finished scan of n scan-like groups.
func loadedModel(tb testing.TB, n int) (*Model, int) {
	tb.Helper()
	m := New(Config{URI: "bench", Demo: true})
	s := &session{id: 1, ns: model.Namespace{DB: "shop", Coll: "users"}, key: model.Key{Fields: []string{"email"}},
		col: model.Collection{Count: int64(n) * 3}}
	idBytes := scanLikeGroups(n, s.add)
	showSession(m, s)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return m, idBytes
}

// BenchmarkGroupsKeys measures one frame (Update of a key press, then View) on the groups
// screen with 1 000 and 1 000 000 groups, for each kind of key press the issue names: a move,
// a page, a keystroke in the filter; and, apart, applying the filter once typing pauses (the
// walk over every group runs in a Cmd, off the frame; "filter-apply" times the Cmd plus the
// frame that shows its result).
func BenchmarkGroupsKeys(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		m, _ := loadedModel(b, n)
		frame := func(k tea.KeyMsg) {
			m.Update(k)
			_ = m.View()
		}
		b.Run(fmt.Sprintf("move/%d", n), func(b *testing.B) { wander(b, frame, keyMsg("down"), keyMsg("up"), 500) })
		b.Run(fmt.Sprintf("page/%d", n), func(b *testing.B) {
			wander(b, frame, tea.KeyMsg{Type: tea.KeyPgDown}, tea.KeyMsg{Type: tea.KeyPgUp}, 20)
		})
		b.Run(fmt.Sprintf("filter-key/%d", n), func(b *testing.B) {
			frame(keyMsg("/"))
			typed, erase := keyMsg("7"), tea.KeyMsg{Type: tea.KeyBackspace}
			i := 0
			for b.Loop() {
				k := typed
				if i%2 == 1 {
					k = erase
				}
				frame(k)
				i++
			}
			frame(keyMsg("esc"))
		})
		b.Run(fmt.Sprintf("filter-apply/%d", n), func(b *testing.B) {
			frame(keyMsg("/"))
			_, typed := m.Update(keyMsg("9"))
			tick := filterTick(typed) // the pause in typing: delivered again and again below
			if tick == nil {
				b.Fatal("typing scheduled no filter")
			}
			for b.Loop() {
				_, cmd := m.Update(*tick)
				if cmd == nil {
					b.Fatal("the filter tick scheduled no filter")
				}
				m.Update(cmd())
				_ = m.View()
			}
			if v := m.View(); !strings.Contains(v, fmt.Sprintf(" of %s", count(int64(n)))) {
				b.Fatalf("filter not applied:\n%s", v)
			}
			frame(keyMsg("esc"))
		})
	}
}

// BenchmarkTUIResident loads 1 000 000 scan-like groups into the UI's session and groups
// screen and reports their resident heap per group, in total and beyond their ids' text (the
// issue's budget is 300 B/group beyond the ids), and the process's peak RSS (VmHWM).
func BenchmarkTUIResident(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m, idBytes := loadedModel(b, n)
		_ = m.View()
		runtime.GC()
		runtime.ReadMemStats(&after)
		per := float64(after.HeapAlloc-before.HeapAlloc) / n
		b.ReportMetric(per, "B/group")
		b.ReportMetric(per-float64(idBytes)/n, "B/group-beyond-ids")
		b.ReportMetric(float64(procmem.Peak())/(1<<20), "MiB-peak-RSS")
		runtime.KeepAlive(m)
	}
}
