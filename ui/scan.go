package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// statusMsg is a short note for the footer, cleared by the next key.
type statusMsg string

// scanScreen shows a running scan: spinner, elapsed time, groups so far, and the exact
// aggregation as a mongosh statement, which c copies (OSC 52) so a DBA can run it there. esc
// cancels (the cursor is killed on the server); enter browses the groups found so far.
type scanScreen struct {
	ctx     *Context
	keys    keymap.KeyMap
	sess    *session
	spin    spinner.Model
	elapsed time.Duration
	w, h    int
}

// openScanMsg opens the scan screen on a session whose scan has started; the root hands it
// the scan's batches (groupsMsg) as they arrive.
type openScanMsg struct{ sess *session }

func (openScanMsg) opens() screenID { return scrScan }

// browseMsg is the scan screen's answer when enter is pressed: show the groups found so far,
// while the scan goes on.
type browseMsg struct{}

func newScanScreen(ctx *Context) *scanScreen {
	return &scanScreen{ctx: ctx, spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
}

func (s *scanScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Copy.SetEnabled(s.ctx.Cfg.Copy != nil)
	scanning := s.sess != nil && s.sess.scanning
	if scanning {
		k.Back.SetHelp("esc", "cancel scan")
	} else {
		k.Back.SetHelp("esc", "back to key")
	}
	k.Browse.SetEnabled(s.sess != nil && s.sess.sum.Groups > 0)
}

func (s *scanScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openScanMsg:
		s.sess, s.elapsed = msg.sess, 0
		s.setKeys()
		return s.spin.Tick
	case spinner.TickMsg:
		if s.sess == nil || !s.sess.scanning {
			return nil
		}
		s.elapsed = time.Since(s.sess.started)
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return cmd
	case groupsMsg:
		s.setKeys()
		if msg.done && s.sess != nil {
			s.elapsed = s.sess.finished.Sub(s.sess.started)
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.keys.Back):
			if s.sess != nil && s.sess.scanning {
				s.sess.cancel()
				return nil
			}
			return s.ctx.intent(backMsg{})
		case key.Matches(msg, s.keys.Browse):
			return s.ctx.intent(browseMsg{})
		case key.Matches(msg, s.keys.Copy):
			copyFn, text := s.ctx.Cfg.Copy, s.sess.command
			return func() tea.Msg {
				if err := copyFn(text); err != nil {
					return ErrorMsg{Where: "copy the pipeline", Err: err}
				}
				return statusMsg("Pipeline copied to the clipboard (OSC 52).")
			}
		}
	}
	return nil
}

func (s *scanScreen) View() string {
	st := s.ctx.Styles
	if s.sess == nil {
		return ""
	}
	ss := s.sess
	var b strings.Builder
	switch {
	case ss.scanning:
		b.WriteString(s.spin.View() + " Scanning " + st.Bold.Render(ss.ns.String()) + " by " + st.Bold.Render(ss.key.String()) + st.Muted.Render("  "+duration(s.elapsed)) + "\n")
	case ss.scanErr != nil:
		b.WriteString(st.Error.Render("Scan stopped: ") + model.SafeLines(ss.scanErr.Error()) + "\n")
	default:
		b.WriteString(st.OK.Render("✓ Scan finished") + st.Muted.Render(" in "+duration(s.elapsed)) + "\n")
	}
	b.WriteString(st.Muted.Render("semantics: "+ss.key.Semantics()) + "\n")
	b.WriteString(plural(ss.sum.Groups, "group", "groups") + " so far, " + plural(ss.sum.Surplus, "surplus document", "surplus documents") + "\n\n")
	b.WriteString(st.List.Header.Render("PIPELINE") + st.Muted.Render("  the scan as dupes runs it, in mongosh") + "\n")
	lines := strings.Split(ss.command, "\n")
	room := max(s.h-8, 1)
	if len(lines) > room {
		lines = append(lines[:room-1], st.Faint.Render("… ("+plural(len(lines)-room+1, "more line", "more lines")+"; c copies it all)"))
	}
	for _, l := range lines {
		b.WriteString(st.Code.Render(fit("  "+l, s.w)) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *scanScreen) SetSize(w, h int) { s.w, s.h = w, h }
func (s *scanScreen) Typing() bool     { return false }
func (s *scanScreen) Busy() bool       { return false }
func (s *scanScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Back, k.Browse, k.Copy, k.Help, k.Quit}
}
func (s *scanScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
