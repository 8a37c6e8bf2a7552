package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
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
	cancel     context.CancelFunc
	cancelling bool
	w, h       int
}

func newExecuteScreen(ctx *Context) *executeScreen {
	s := &executeScreen{ctx: ctx, bar: progress.New(progress.WithDefaultGradient())}
	s.setKeys()
	return s
}

func (s *executeScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	keymap.Disable(&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Left, &k.Right, &k.Open,
		&k.Filter, &k.Keep, &k.Select, &k.Next, &k.Prev, &k.Rules, &k.Review, &k.Save, &k.Copy,
		&k.Retry, &k.Reload, &k.Browse, &k.Case, &k.Trim, &k.Query, &k.Paste, &k.Index, &k.Quit)
	k.Back.SetHelp("esc", "stop after this batch")
	k.Back.SetEnabled(!s.cancelling)
}

// start runs the plan.
func (s *executeScreen) start(plan model.Plan) tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	s.plan, s.cancel, s.cancelling = plan, cancel, false
	s.prog = model.Progress{GroupsTotal: len(plan.Groups), DocsTotal: plan.Deletes()}
	s.setKeys()
	return execCmd(ctx, s.ctx.Store, plan, s.ctx.Cfg.BackupDir)
}

func (s *executeScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case progressMsg:
		s.prog = model.Progress(msg)
	case tea.KeyMsg:
		if key.Matches(msg, s.keys.Back) && s.cancel != nil {
			s.cancelling = true
			s.cancel()
			s.setKeys()
		}
	}
	return nil
}

func (s *executeScreen) View() string {
	st := s.ctx.Styles
	p := s.prog
	var b strings.Builder
	b.WriteString(st.Title.Render("Deleting duplicates in "+s.plan.NS.String()) + "\n\n")
	pct := 0.0
	if p.DocsTotal > 0 {
		pct = float64(p.DocsDeleted) / float64(p.DocsTotal)
	} else if p.GroupsTotal > 0 {
		pct = float64(p.GroupsDone) / float64(p.GroupsTotal)
	}
	s.bar.Width = max(min(s.w-4, 80), 10)
	b.WriteString(s.bar.ViewAs(min(pct, 1)) + "\n\n")
	b.WriteString(fmt.Sprintf("%s of %s documents deleted · %s of %s groups\n",
		count(int64(p.DocsDeleted)), count(int64(p.DocsTotal)), count(int64(p.GroupsDone)), count(int64(p.GroupsTotal))))
	rate := p.Rate()
	eta := "—"
	if rate > 0 && p.DocsTotal > p.DocsDeleted {
		eta = duration(time.Duration(float64(p.DocsTotal-p.DocsDeleted) / rate * float64(time.Second)))
	}
	b.WriteString(st.Muted.Render(fmt.Sprintf("%.0f docs/s · elapsed %s · ETA %s", rate, duration(p.Elapsed), eta)) + "\n")
	if s.cancelling {
		b.WriteString("\n" + st.Warn.Render("Stopping: the batch in flight finishes, then the run stops."))
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *executeScreen) SetSize(w, h int)          { s.w, s.h = w, h }
func (s *executeScreen) Typing() bool              { return false }
func (s *executeScreen) ShortHelp() []key.Binding  { return []key.Binding{s.keys.Back} }
func (s *executeScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
