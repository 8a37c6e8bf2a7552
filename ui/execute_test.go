package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// slowRun is the demo store whose run reports progress once, then holds its batch until it is
// cancelled.
type slowRun struct {
	*memstore.Store
	progress model.Progress
}

func (s slowRun) Execute(ctx context.Context, plan model.Plan, _ string, _ model.Pace, progress func(model.Progress)) (model.Report, error) {
	progress(s.progress)
	<-ctx.Done()
	return model.Report{NS: plan.NS, Cancelled: true, NotReached: len(plan.Groups)}, nil
}

// startRun opens the demo on shop.orders with the rule applied, on a store whose run holds,
// and starts the run without waiting for it: it returns the run's commands, their messages
// not yet delivered.
func startRun(t *testing.T, progress model.Progress) (*harness, []tea.Cmd) {
	t.Helper()
	h := openGroups(t, "shop.orders", "orderNo", func(c *Config) {
		c.Connect = func(context.Context, string) (Store, error) { return slowRun{memstore.Demo(), progress}, nil }
	})
	ruleFirst(h)
	_, cmd := h.m.Update(executeMsg{plan: h.m.sess.plan()})
	h.wantScreen(scrExecute)
	return h, flatten(cmd)
}

// flatten runs the batches of cmd and returns the commands in them.
func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	b, ok := msg.(tea.BatchMsg)
	if !ok {
		return []tea.Cmd{func() tea.Msg { return msg }}
	}
	var out []tea.Cmd
	for _, c := range b {
		out = append(out, flatten(c)...)
	}
	return out
}

func TestExecuteScreenShowsProgressAndEscStopsAfterTheBatch(t *testing.T) {
	h, cmds := startRun(t, model.Progress{GroupsDone: 1, GroupsTotal: 2, DocsDeleted: 5, DocsTotal: 10, Elapsed: time.Second})
	var wait tea.Cmd
	for _, c := range cmds {
		switch msg := c().(type) {
		case execEvent: // the run's first event: its progress
			_, wait = h.m.Update(msg)
		}
	}
	if wait == nil {
		t.Fatal("the run sent no progress")
	}
	h.wantView("Deleting duplicates in shop.orders", "5 of 10 documents deleted", "5 docs/s", "ETA 1.0s", "50%", "esc stop after this batch")
	h.keys("esc")
	h.wantScreen(scrExecute)
	h.wantView("Stopping: the batch in flight finishes, then the run stops.")
	if strings.Contains(h.m.View(), "esc stop after this batch") {
		t.Fatal("esc is still offered once the run is stopping")
	}
	h.run(wait) // the report
	h.wantScreen(scrDone)
	h.wantView("Stopped on request")
}

// TestExecuteClockMovesDuringTheFirstBatch: the elapsed time is the screen's own, moved by its
// spinner, so it moves during a first batch that takes minutes; the rate waits for a batch.
func TestExecuteClockMovesDuringTheFirstBatch(t *testing.T) {
	h, cmds := startRun(t, model.Progress{GroupsTotal: 8, DocsTotal: 8})
	var tick *spinner.TickMsg
	for _, c := range cmds {
		if msg, ok := c().(spinner.TickMsg); ok {
			tick = &msg
		}
	}
	if tick == nil {
		t.Fatal("the run's spinner did not start")
	}
	h.wantView("first batch in flight", "elapsed 0.0s")
	time.Sleep(120 * time.Millisecond) // the first batch takes its time
	_, next := h.m.Update(*tick)
	if len(ticksOf(next)) == 0 {
		t.Fatal("the spinner stopped while the run goes on")
	}
	v := h.m.View()
	if !strings.Contains(v, "first batch in flight") || strings.Contains(v, "elapsed 0.0s") {
		t.Fatalf("the clock did not move with the spinner:\n%s", v)
	}
	h.keys("esc") // the held run ends
}
