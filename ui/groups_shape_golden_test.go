package ui

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// TestGoldenShape runs the real program on the demo's shop.users by email, at 80 and 120
// columns, and compares the groups screen, its shape panel measured (the histogram of sizes,
// the fields the members differ in), with testdata/TestGoldenShape/*.golden; then the panel
// focused and its "tags" line applied as a filter (go test ./ui -update rewrites them).
func TestGoldenShape(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 36}} {
		for _, f := range []struct {
			name string
			keys []string
			wait string
		}{
			{"groups", nil, "identical but _id"},
			{"filtered", []string{"tab", "down", "down", "down", "down", "down", "enter"}, "groups differ in tags: 5 of 8"},
		} {
			t.Run(fmt.Sprintf("%s_%dx%d", f.name, size[0], size[1]), func(t *testing.T) {
				st := memstore.Demo()
				st.Now = func() time.Time { return fixedNow }
				cfg := Config{URI: "demo", Demo: true, BackupDir: "/backups", NS: "shop.users", Key: model.Key{Fields: []string{"email"}},
					Connect: func(context.Context, string) (Store, error) { return st, nil }}
				tm := teatest.NewTestModel(t, New(cfg), teatest.WithInitialTermSize(size[0], size[1]))
				wait := func(s string) {
					teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
						teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
				}
				wait("identical but _id")
				for _, k := range f.keys {
					tm.Send(keyMsg(k))
				}
				if f.keys != nil {
					wait(f.wait)
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
