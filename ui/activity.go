package ui

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// activity is a screen's server call in flight. Its spinner ticks only while the call runs,
// so an idle UI schedules nothing and draws nothing; its context is cancelled by esc (abort)
// and, through the root's base context, by quitting, so the server stops the work too.
type activity struct {
	spin    spinner.Model
	cancel  context.CancelFunc
	started time.Time
	now     time.Time // the last tick: elapsed time moves with the spinner, computed in Update
	on      bool
}

func newActivity() activity {
	return activity{spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
}

// start begins a call under base and returns its context and the spinner's first tick. A
// call still running is cancelled: its answer is no longer wanted.
func (a *activity) start(base context.Context) (context.Context, tea.Cmd) {
	a.abort()
	ctx, cancel := context.WithCancel(base)
	a.cancel, a.on = cancel, true
	a.started = time.Now()
	a.now = a.started
	return ctx, a.spin.Tick
}

// stop ends the call (its answer arrived), releasing its context.
func (a *activity) stop() {
	if a.cancel != nil {
		a.cancel()
	}
	a.cancel, a.on = nil, false
}

// abort cancels the call in flight; it reports whether one was.
func (a *activity) abort() bool {
	was := a.on
	a.stop()
	return was
}

// tick advances the spinner while the call runs; after it, the tick is dropped and the
// chain ends.
func (a *activity) tick(msg spinner.TickMsg) tea.Cmd {
	if !a.on || msg.ID != a.spin.ID() {
		return nil
	}
	a.now = time.Now()
	var cmd tea.Cmd
	a.spin, cmd = a.spin.Update(msg)
	return cmd
}

// elapsed is the time since start, as of the last tick.
func (a activity) elapsed() time.Duration { return a.now.Sub(a.started) }

func (a activity) view() string { return a.spin.View() }
