package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// gatedRun is the demo store whose run waits, after each batch it reports, until the test lets
// it go on (step): a batch "in flight" lasts as long as the test wants, with no clock. Pause
// reports pass through ungated, so a paused run reports as the store does.
type gatedRun struct {
	*memstore.Store
	step chan struct{}
	pace *model.Pace // the pace the run was given
}

func (g gatedRun) Execute(ctx context.Context, plan model.Plan, dir string, pace model.Pace,
	progress func(model.Progress)) (model.Report, error) {
	*g.pace = pace
	return g.Store.Execute(ctx, plan, dir, pace, func(p model.Progress) {
		progress(p)
		if p.Paused == "" {
			select {
			case <-g.step:
			case <-ctx.Done():
			}
		}
	})
}

// startGatedRun opens the demo on shop.orders with the rule applied, one group a batch, and
// starts the run: it returns the store, its gate, and the screen's wait for the run's next
// event, once the first batch is reported.
func startGatedRun(t *testing.T, edit func(*Config)) (*harness, gatedRun, tea.Cmd) {
	t.Helper()
	st := memstore.Demo()
	st.ExecBatch = 1
	g := gatedRun{Store: st, step: make(chan struct{}), pace: new(model.Pace)}
	h := openGroups(t, "shop.orders", "orderNo", func(c *Config) {
		c.Connect = func(context.Context, string) (Store, error) { return g, nil }
		if edit != nil {
			edit(c)
		}
	})
	ruleFirst(h)
	_, cmd := h.m.Update(executeMsg{plan: h.m.sess.plan()})
	h.wantScreen(scrExecute)
	var wait tea.Cmd
	for _, c := range flatten(cmd) {
		if ev, ok := c().(execEvent); ok {
			_, wait = h.m.Update(ev) // the first batch's progress: the run waits at the gate
		}
	}
	if wait == nil {
		t.Fatal("the run sent no progress")
	}
	return h, g, wait
}

// next delivers the run's next event to the model and returns the wait for the one after, or
// nil once the run has reported (its answer handled).
func next(h *harness, wait tea.Cmd) (tea.Cmd, model.Progress) {
	h.t.Helper()
	ev, ok := wait().(execEvent)
	if !ok {
		h.t.Fatal("the run's events ended without a report")
	}
	_, cmd := h.m.Update(ev)
	if _, done := ev.msg.(reportMsg); done {
		h.seen = append(h.seen, ev)
		h.run(cmd)
		return nil, model.Progress{}
	}
	return cmd, model.Progress(ev.msg.(progressMsg))
}

// TestPPausesTheRunBetweenBatchesAndResumes: p during a batch pauses the run after it; the
// store reports the pause again and again while no document goes; p again resumes and the run
// ends, its report and the done screen counting the pause.
func TestPPausesTheRunBetweenBatchesAndResumes(t *testing.T) {
	h, g, wait := startGatedRun(t, nil)
	orders := ns("shop.orders")
	h.wantView("1 of ", "groups", "p pause after this batch")
	h.keys("p")
	h.wantView("pausing after the batch in flight (p resumes)", "p resume")
	left := len(g.Docs(orders))
	g.step <- struct{}{} // the batch in flight ends: the run pauses before the next one
	var p model.Progress
	for range 3 { // the first pause report, then the store looks again, still paused
		wait, p = next(h, wait)
		if p.Paused != pausedByYou || p.GroupsDone != 1 || p.Pauses.Count != 1 {
			t.Fatalf("progress while paused: %+v", p)
		}
		if n := len(g.Docs(orders)); n != left {
			t.Fatalf("%d documents left while paused, %d when it paused", n, left)
		}
		h.wantView("⏸ paused (p resumes): you pressed p", "no batch is in flight", "paused so far: 1 pause", "esc stop the run")
	}
	h.keys("p")
	h.wantView("resuming…", "p pause after this batch")
	close(g.step) // no more gating: the run goes to its end
	for wait != nil {
		wait, p = next(h, wait)
	}
	h.wantScreen(scrDone)
	rep := runReport(h)
	if rep.Cancelled || rep.NotReached != 0 || rep.Pauses.Count != 1 || len(g.Docs(orders)) >= left {
		t.Fatalf("report %+v, %d documents left (%d at the pause)", rep, len(g.Docs(orders)), left)
	}
	h.wantView("1 pause, ", "(between batches, included in the time it took)")
}

// TestCtrlCDuringAPauseStopsTheRunResumably: ctrl+c while paused ends the pause at once, with
// no batch in flight; the run stops with the rest not reached, which enter finishes.
func TestCtrlCDuringAPauseStopsTheRunResumably(t *testing.T) {
	h, g, wait := startGatedRun(t, nil)
	h.keys("p")
	g.step <- struct{}{}
	wait, p := next(h, wait)
	if p.Paused == "" {
		t.Fatalf("not paused: %+v", p)
	}
	left := len(g.Docs(ns("shop.orders")))
	h.keys("ctrl+c")
	h.wantView("Stopping: the run was paused, no batch is in flight; the run stops.")
	for wait != nil {
		wait, _ = next(h, wait)
	}
	h.wantScreen(scrDone)
	rep := runReport(h)
	if !rep.Cancelled || rep.NotReached == 0 || rep.Pauses.Count != 1 || len(g.Docs(ns("shop.orders"))) != left {
		t.Fatalf("report %+v: want cancelled with groups not reached, and nothing deleted after the pause", rep)
	}
	h.wantView("Stopped on request", "enter finishes the run")
}

// TestRunGetsTheCommandLinesPaceAndShowsTheRate: the flags' pace reaches the store with the p
// toggle as its Hold, before the command line's own (SIGUSR1), whose reason the screen shows
// as not the user's p; the rate limit, the ETA and what the pace cannot do here are on screen.
func TestRunGetsTheCommandLinesPaceAndShowsTheRate(t *testing.T) {
	sig := false
	h, g, wait := startGatedRun(t, func(c *Config) {
		c.Pace = model.Pace{BatchSize: 7, MaxRate: 1000, MaxLag: 10 * time.Second, PauseFile: "/nonexistent/pause",
			Hold: func() string {
				if sig {
					return "SIGUSR1 (send SIGUSR1 again to resume)"
				}
				return ""
			}}
	})
	if g.pace.BatchSize != 7 || g.pace.MaxRate != 1000 || g.pace.PauseFile != "/nonexistent/pause" || g.pace.Hold == nil {
		t.Fatalf("the store was given %+v", *g.pace)
	}
	h.wantView("docs/s (max 1000/s)", "ETA ", "--max-lag 10s does nothing here: the demo's data is no replica set")
	if strings.Contains(h.m.View(), "ETA —") {
		t.Fatalf("no ETA after a batch:\n%s", h.m.View())
	}
	sig = true // read by the run only once the gate opens: no race
	g.step <- struct{}{}
	wait, p := next(h, wait)
	if !strings.HasPrefix(p.Paused, "SIGUSR1") {
		t.Fatalf("paused for %q, want the command line's hold", p.Paused)
	}
	h.wantView("⏸ paused: SIGUSR1 (send SIGUSR1 again to resume)", "it resumes when that ends")
	h.keys("esc")
	for wait != nil {
		wait, _ = next(h, wait)
	}
	h.wantScreen(scrDone)
}
