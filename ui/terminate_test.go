package ui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestTerminateDuringExecuteStopsAfterTheBatch: a signal during a run does what the quit key
// does there (the run stops before its next batch and is left cancelled, so it can resume),
// and the program ends once the run's report is in, not before.
func TestTerminateDuringExecuteStopsAfterTheBatch(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("r", "enter")
	before := len(h.store.Docs(ns("shop.users")))
	_, run := h.m.Update(executeMsg{plan: h.m.sess.plan()})
	h.wantScreen(scrExecute)
	_, cmd := h.m.Update(TerminateMsg{})
	h.run(cmd)
	if h.quit {
		t.Fatal("a signal during a run quit before the run stopped")
	}
	h.wantView("Stopping: the batch in flight finishes", "dupes quits (signal received)")
	h.run(run) // the run sees its cancel before the first batch and reports
	if !h.quit {
		t.Fatal("the program did not end once the stopped run reported")
	}
	rep := runReport(h)
	h.wantView("Stopped on request")
	if !rep.Cancelled || rep.NotReached == 0 {
		t.Fatalf("report %+v: want cancelled with groups not reached", rep)
	}
	if after := len(h.store.Docs(ns("shop.users"))); after != before-rep.Deleted {
		t.Fatalf("%d documents before, %d after, %d reported deleted", before, after, rep.Deleted)
	}
}

// TestTerminateWhenIdleQuitsAtOnce: anywhere but a run a signal ends the program at once, even
// with a plan pending (there is no one to answer a question), and cancels the calls in flight.
func TestTerminateWhenIdleQuitsAtOnce(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("r", "enter")
	if !h.m.sess.pending() {
		t.Fatal("no plan pending to test against")
	}
	base := h.m.ctx.base
	_, cmd := h.m.Update(TerminateMsg{})
	if cmd == nil {
		t.Fatal("a signal returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("a signal when idle did not quit at once")
	}
	if base.Err() == nil {
		t.Fatal("quitting on a signal left the server calls running")
	}
}

// TestDoneFinishesAnInterruptedRun: after a run stopped with groups not reached, the done
// screen offers enter, which runs the same plan again: it goes on where it stopped, and the
// collection ends as one whole run leaves it.
func TestDoneFinishesAnInterruptedRun(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("r", "enter")
	before := len(h.store.Docs(ns("shop.users")))
	plan := h.m.sess.plan()
	_, run := h.m.Update(executeMsg{plan: plan})
	h.wantScreen(scrExecute)
	h.keys("esc") // stop after the batch in flight
	h.run(run)
	h.wantScreen(scrDone)
	if rep := runReport(h); rep.NotReached == 0 {
		t.Fatalf("the stopped run reached every group: %+v", rep)
	}
	h.wantView("enter finishes the run, with the same backup", "enter finish the run")
	h.keys("enter")
	h.wantScreen(scrDone)
	h.wantView("✓ Done")
	if rep := runReport(h); rep.NotReached != 0 || rep.Cancelled {
		t.Fatalf("the second run did not finish: %+v", rep)
	}
	if after := len(h.store.Docs(ns("shop.users"))); after != before-plan.Deletes() {
		t.Fatalf("%d documents before, %d after: the plan deletes %d", before, after, plan.Deletes())
	}
}
