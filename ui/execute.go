package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// executeScreen runs the confirmed plan: a progress bar with rate and ETA; esc cancels, which
// lets the batch in flight finish (backed up and deleted, or not started) and stops.
type executeScreen struct {
	ctx        *Context
	keys       keymap.KeyMap
	plan       model.Plan
	bar        progress.Model
	prog       model.Progress
	run        activity        // ticks (spinner, elapsed time) until the report arrives
	runCtx     context.Context // the run's: esc cancels it
	cancelling bool
	ending     bool   // a signal stopped the run: the program ends with it
	saving     bool   // the plan is being written, before the run starts
	planPath   string // where the plan was kept before the run, "" in the demo
	w, h       int
}

func (executeMsg) opens() screenID   { return scrExecute }
func (execEvent) target() screenID   { return scrExecute }
func (planKeptMsg) target() screenID { return scrExecute }

// stopRunMsg asks the run to stop after the batch in flight: the quit key, or a signal, which
// also ends the program once the run has reported (signal).
type stopRunMsg struct{ signal bool }

// runEndedMsg is the execute screen's answer: the run's report (err: why it stopped early)
// and where the plan was kept before it ran ("" when it was not).
type runEndedMsg struct {
	report   model.Report
	err      error
	planPath string
}

func newExecuteScreen(ctx *Context) *executeScreen {
	s := &executeScreen{ctx: ctx, bar: progress.New(progress.WithDefaultGradient()), run: newActivity()}
	s.setKeys()
	return s
}

func (s *executeScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Back.SetHelp("esc", "stop after this batch")
	k.Back.SetEnabled(!s.cancelling)
}

// start keeps the plan in the backup directory, then runs it (the demo keeps nothing on disk).
func (s *executeScreen) start(plan model.Plan) tea.Cmd {
	// Not under the base context: quitting is refused during a run, and a cancel must come
	// from esc, which lets the batch in flight finish.
	ctx, tick := s.run.start(context.Background())
	s.runCtx = ctx
	s.plan, s.cancelling, s.ending, s.planPath = plan, false, false, ""
	s.prog = model.Progress{GroupsTotal: len(plan.Groups), DocsTotal: plan.Deletes()}
	s.setKeys()
	if s.ctx.Cfg.Demo {
		return tea.Batch(tick, execCmd(ctx, s.ctx.Store, plan, s.ctx.Cfg.BackupDir))
	}
	s.saving = true
	return tea.Batch(tick, keepPlanCmd(s.ctx.Cfg.BackupDir, plan))
}

// planKept starts the run once its plan is on disk; a plan that cannot be kept, or a stop
// asked for meanwhile, ends the run before its first delete.
func (s *executeScreen) planKept(msg planKeptMsg) tea.Cmd {
	s.saving = false
	p := s.plan
	switch {
	case msg.err != nil:
		s.run.stop()
		return s.ctx.intent(runEndedMsg{report: model.Report{NS: p.NS},
			err: fmt.Errorf("nothing was deleted: the plan could not be kept before the run, in %s: %w", s.ctx.Cfg.BackupDir, msg.err)})
	case s.cancelling:
		s.run.stop()
		return s.ctx.intent(runEndedMsg{report: notStarted(p), planPath: msg.path})
	}
	s.planPath = msg.path
	return execCmd(s.runCtx, s.ctx.Store, p, s.ctx.Cfg.BackupDir)
}

// notStarted is the report of a run stopped before its first batch: every group not reached.
func notStarted(p model.Plan) model.Report {
	rep := model.Report{NS: p.NS, Cancelled: true, NotReached: len(p.Groups)}
	for i := range p.Groups {
		rep.Groups = append(rep.Groups, model.GroupResult{Group: i, Outcome: model.NotReached})
	}
	return rep
}

func (s *executeScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case executeMsg:
		return s.start(msg.plan)
	case planKeptMsg:
		return s.planKept(msg)
	case spinner.TickMsg:
		return s.run.tick(msg)
	case execEvent:
		if rep, ok := msg.msg.(reportMsg); ok {
			s.run.stop()
			return s.ctx.intent(runEndedMsg{report: rep.report, err: rep.err, planPath: s.planPath})
		}
		if p, ok := msg.msg.(progressMsg); ok {
			s.prog = model.Progress(p)
		}
		return waitExecCmd(msg.ch)
	case stopRunMsg:
		s.ending = s.ending || msg.signal
		s.stopRun()
	case tea.KeyMsg:
		if key.Matches(msg, s.keys.Back) {
			s.stopRun()
		}
	}
	return nil
}

// stopRun cancels the run's context: the batch in flight finishes, then the run reports. The
// spinner goes on until the report.
func (s *executeScreen) stopRun() {
	if s.run.on && !s.cancelling {
		s.cancelling = true
		s.run.cancel()
		s.setKeys()
	}
}

func (s *executeScreen) View() string {
	st := s.ctx.Styles
	p := s.prog
	var b strings.Builder
	b.WriteString(s.run.view() + " " + st.Title.Render("Deleting duplicates in "+s.plan.NS.String()) + "\n\n")
	pct := 0.0
	if p.DocsTotal > 0 {
		pct = float64(p.DocsDeleted) / float64(p.DocsTotal)
	} else if p.GroupsTotal > 0 {
		pct = float64(p.GroupsDone) / float64(p.GroupsTotal)
	}
	b.WriteString(s.bar.ViewAs(min(pct, 1)) + "\n\n")
	b.WriteString(fmt.Sprintf("%s of %s documents deleted · %s of %s groups\n",
		count(int64(p.DocsDeleted)), count(int64(p.DocsTotal)), count(int64(p.GroupsDone)), count(int64(p.GroupsTotal))))
	rate := p.Rate()
	eta := "—"
	if rate > 0 && p.DocsTotal > p.DocsDeleted {
		eta = duration(time.Duration(float64(p.DocsTotal-p.DocsDeleted) / rate * float64(time.Second)))
	}
	// The clock is the screen's own, so it moves during a first batch that takes minutes;
	// the rate waits for a batch to be done.
	rateText := "first batch in flight"
	if p.DocsDeleted > 0 || p.GroupsDone > 0 {
		rateText = fmt.Sprintf("%.0f docs/s", rate)
	}
	b.WriteString(st.Muted.Render(fmt.Sprintf("%s · elapsed %s · ETA %s", rateText, duration(s.run.elapsed()), eta)) + "\n")
	switch {
	case s.saving:
		b.WriteString("\n" + st.Muted.Render("Keeping the plan in "+s.ctx.Cfg.BackupDir+" before the first delete…") + "\n")
	case s.planPath != "":
		b.WriteString("\n" + st.Muted.Render(para("plan kept at "+s.planPath+": if the run stops, the next scan of "+
			s.plan.NS.String()+" (or dupes --plan with that file) offers to finish it", s.w)) + "\n")
	}
	if s.cancelling {
		then := "the run stops."
		if s.ending {
			then = "the run stops and dupes quits (signal received)."
		}
		b.WriteString("\n" + st.Warn.Render("Stopping: the batch in flight finishes, then "+then))
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *executeScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	s.bar.Width = max(min(w-4, 80), 10)
}
func (s *executeScreen) Typing() bool              { return false }
func (s *executeScreen) Busy() bool                { return false }
func (s *executeScreen) ShortHelp() []key.Binding  { return []key.Binding{s.keys.Back} }
func (s *executeScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
