package ui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// TestGolden runs the real program (teatest) through the main screens at two terminal sizes
// and compares the final frame with testdata/TestGolden/*.golden (go test ./ui -update
// rewrites them). The colour profile is ASCII (see init in harness_test.go).
func TestGolden(t *testing.T) {
	type step struct {
		keys []string // sent in order
		wait string   // then wait until the output shows this
	}
	groups := []step{{wait: "8 groups"}}
	flows := []struct {
		name  string
		ns    string
		steps []step
	}{
		{"collections", "", []step{{wait: "shop"}, {keys: []string{"down", "enter"}, wait: "page_views"}}},
		{"key", "shop.products", []step{{wait: "duplicates counted"}, {keys: []string{"space", "i"}, wait: "[x] ignore case"}}},
		{"groups", "shop.users", groups},
		{"group", "shop.users", append(groups[:1:1], step{keys: []string{"down", "down", "down", "enter"}, wait: "created 2024-03-09"})},
		{"document", "shop.users", append(groups[:1:1],
			step{keys: []string{"down", "down", "down", "enter"}, wait: "created 2024-03-09"},
			step{keys: []string{"v"}, wait: "canonical Extended JSON"})},
		{"rules", "shop.users", append(groups[:1:1], step{keys: []string{"r"}, wait: "most fields"})},
		{"review", "shop.users", append(groups[:1:1],
			step{keys: []string{"r", "enter"}, wait: "rule: keep #1"},
			step{keys: []string{"D"}, wait: "Press enter to confirm"})},
		{"done", "shop.users", append(groups[:1:1],
			step{keys: []string{"r", "enter"}, wait: "rule: keep #1"},
			step{keys: []string{"D"}, wait: "Press enter to confirm"},
			step{keys: []string{"enter", "shop.users", "enter"}, wait: "Done"})},
	}
	for _, size := range [][2]int{{100, 30}, {64, 20}} {
		for _, f := range flows {
			t.Run(fmt.Sprintf("%s_%dx%d", f.name, size[0], size[1]), func(t *testing.T) {
				st := memstore.Demo()
				st.Now = func() time.Time { return fixedNow }
				cfg := Config{URI: "demo", Demo: true, BackupDir: "/backups",
					Connect: func(context.Context, string) (Store, error) { return st, nil }}
				switch {
				case f.name == "key":
					cfg.NS = f.ns
				case f.ns != "":
					cfg.NS, cfg.Key = f.ns, model.Key{Fields: []string{"email"}}
				}
				m := New(cfg)
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]))
				for _, s := range f.steps {
					for _, k := range s.keys {
						if len(k) > 1 && !strings.Contains("enter down up esc space", k) {
							tm.Type(k)
							continue
						}
						tm.Send(keyMsg(k))
					}
					teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s.wait)) },
						teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
				}
				if err := tm.Quit(); err != nil {
					t.Fatal(err)
				}
				final := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second)).(*Model)
				golden.RequireEqual(t, []byte(final.View()))
			})
		}
	}
}

var _ tea.Model = (*Model)(nil)
