package ui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// executeScreen runs the confirmed plan: a progress bar with rate and ETA; esc cancels, which
// lets the batch in flight finish (backed up and deleted, or not started) and stops; p pauses
// the run between batches and resumes it (the store's Hold), keeping its lease.
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
	// held is the p toggle, read by the run's goroutine through the pace's Hold; notice is
	// what the pacing said it cannot do here (--max-lag without a replica set). Both are
	// new for each run: a run still ending never reads the next one's.
	held   *atomic.Bool
	notice *atomic.Pointer[string]
	w, h   int
}

// pausedByYou is why a run the user paused with p is paused: the store reports it back in
// Progress.Paused, which tells the user's pause from a pause file's or a lagging secondary's.
const pausedByYou = "you pressed p"

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
	s := &executeScreen{ctx: ctx, bar: progress.New(progress.WithDefaultGradient()), run: newActivity(),
		held: new(atomic.Bool), notice: new(atomic.Pointer[string])}
	s.setKeys()
	return s
}

func (s *executeScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Back.SetHelp("esc", "stop after this batch")
	if s.prog.Paused != "" {
		k.Back.SetHelp("esc", "stop the run") // no batch is in flight
	}
	k.Back.SetEnabled(!s.cancelling)
	k.Pause.SetHelp("p", "pause after this batch")
	if s.held.Load() {
		k.Pause.SetHelp("p", "resume")
	}
	k.Pause.SetEnabled(!s.cancelling)
}

// pace is the run's: the command line's, with the p toggle as the first Hold.
func (s *executeScreen) pace() model.Pace {
	pace := s.ctx.Cfg.Pace
	held, also, notice := s.held, pace.Hold, s.notice
	pace.Hold = func() string {
		if held.Load() {
			return pausedByYou
		}
		if also != nil {
			return also()
		}
		return ""
	}
	pace.Notice = func(n string) { notice.Store(&n) }
	return pace
}

// start keeps the plan in the backup directory, then runs it (the demo keeps nothing on disk).
func (s *executeScreen) start(plan model.Plan) tea.Cmd {
	// Not under the base context: quitting is refused during a run, and a cancel must come
	// from esc, which lets the batch in flight finish.
	ctx, tick := s.run.start(context.Background())
	s.runCtx = ctx
	s.plan, s.cancelling, s.ending, s.planPath = plan, false, false, ""
	s.held, s.notice = new(atomic.Bool), new(atomic.Pointer[string])
	s.prog = model.Progress{GroupsTotal: len(plan.Groups), DocsTotal: plan.Deletes(), MaxRate: s.ctx.Cfg.Pace.MaxRate}
	s.setKeys()
	if s.ctx.Cfg.Demo {
		return tea.Batch(tick, execCmd(ctx, s.ctx.Store, plan, s.ctx.Cfg.BackupDir, s.pace()))
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
	return execCmd(s.runCtx, s.ctx.Store, p, s.ctx.Cfg.BackupDir, s.pace())
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
			s.setKeys()
		}
		return waitExecCmd(msg.ch)
	case stopRunMsg:
		s.ending = s.ending || msg.signal
		s.stopRun()
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.keys.Back):
			s.stopRun()
		case key.Matches(msg, s.keys.Pause):
			s.held.Store(!s.held.Load())
			s.setKeys()
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
	// The clock is the screen's own, so it moves during a first batch that takes minutes;
	// the rate waits for a batch to be done.
	rateText := "first batch in flight"
	if p.DocsDeleted > 0 || p.GroupsDone > 0 {
		rateText = fmt.Sprintf("%.0f docs/s", p.Rate())
	}
	if p.MaxRate > 0 {
		rateText += fmt.Sprintf(" (max %g/s)", p.MaxRate)
	}
	eta := "—"
	if d := p.ETA(); d > 0 {
		eta = duration(d) // at the pace so far, pauses included
	}
	b.WriteString(st.Muted.Render(fmt.Sprintf("%s · elapsed %s · ETA %s", rateText, duration(s.run.elapsed()), eta)) + "\n")
	if ps := p.Pauses.String(); ps != "" {
		b.WriteString(st.Muted.Render("paused so far: "+ps) + "\n")
	}
	if n := s.notice.Load(); n != nil {
		b.WriteString(st.Warn.Render(para(model.SafeText(*n), s.w)) + "\n")
	}
	if t := s.pauseText(); t != "" {
		b.WriteString("\n" + t + "\n")
	}
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
		if p.Paused != "" {
			b.WriteString("\n" + st.Warn.Render("Stopping: the run was paused, no batch is in flight; "+then))
		} else {
			b.WriteString("\n" + st.Warn.Render("Stopping: the batch in flight finishes, then "+then))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *executeScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	s.bar.Width = max(min(w-4, 80), 10)
}
func (s *executeScreen) Typing() bool              { return false }
func (s *executeScreen) Busy() bool                { return false }
func (s *executeScreen) ShortHelp() []key.Binding  { return []key.Binding{s.keys.Pause, s.keys.Back} }
func (s *executeScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// pauseText says whether the run is paused and why, as the store last reported it, beside what
// p asked for: a pause asked for while a batch is in flight begins after it, and a resume is
// seen at the store's next look (at most a second on a server).
func (s *executeScreen) pauseText() string {
	st, why, held := s.ctx.Styles, s.prog.Paused, s.held.Load()
	if s.cancelling {
		return ""
	}
	switch {
	case why == "" && held:
		return st.Warn.Render("pausing after the batch in flight (p resumes)")
	case why == "":
		return ""
	case why == pausedByYou && !held:
		return st.Warn.Render("resuming…")
	case why == pausedByYou:
		return st.Warn.Render("⏸ paused (p resumes): "+why) + "\n" + st.Muted.Render(para(s.whilePaused(), s.w))
	}
	more := ""
	if held {
		more = "; then paused by you (p resumes)"
	}
	return st.Warn.Render(para("⏸ paused: "+model.SafeText(why)+more, s.w)) + "\n" + st.Muted.Render(
		para("it resumes when that ends; "+s.whilePaused(), s.w))
}

// whilePaused says what holds during a pause: no batch, the lease (a server's: the demo has
// none), and how to stop.
func (s *executeScreen) whilePaused() string {
	lease := ""
	if !s.ctx.Cfg.Demo {
		lease = "the run keeps its lease on " + s.plan.NS.String() + "; "
	}
	return "no batch is in flight; " + lease + "esc stops the run, resumable"
}
