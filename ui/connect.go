package ui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/dupes-tui/dupes/keymap"
)

// connectScreen opens the store. On failure it shows the redacted URI and the reason and lets
// the user edit the URI and retry; the password is never shown, and a "****" left in the
// edited URI stands for the password already given.
type connectScreen struct {
	ctx  *Context
	keys keymap.KeyMap
	uri  string
	call activity
	err  errBox // why the last attempt failed
	ask  prompt
	w, h int
}

// openConnectMsg opens the connect screen, which connects to the configured URI at once and
// answers connectedMsg.
type openConnectMsg struct{}

func (openConnectMsg) opens() screenID { return scrConnect }

func newConnectScreen(ctx *Context) *connectScreen {
	s := &connectScreen{ctx: ctx, uri: ctx.Cfg.URI, ask: newPrompt(2048), call: newActivity()}
	s.setKeys()
	return s
}

func (s *connectScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Open.SetHelp("enter", "connect")
	k.Back.SetHelp("esc", "stop editing")
	if s.call.on {
		k.Back.SetHelp("esc", "cancel")
	}
	k.Back.SetEnabled(s.ask.open() || s.call.on)
	k.Open.SetEnabled(s.ask.open())
	k.Retry.SetEnabled(s.err.on() && !s.ask.open())
	if s.loginFailed() {
		k.Retry.SetHelp("e", "enter the password")
	}
}

// start connects to the configured URI.
func (s *connectScreen) start() tea.Cmd {
	s.err.set(nil)
	ctx, tick := s.call.start(s.ctx.base)
	s.setKeys()
	return tea.Batch(tick, connectCmd(ctx, s.ctx.Cfg.Connect, s.uri))
}

func (s *connectScreen) redacted() string {
	if s.ctx.Cfg.Redact == nil {
		return s.uri
	}
	return s.ctx.Cfg.Redact(s.uri)
}

func (s *connectScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openConnectMsg:
		return s.start()
	case ErrorMsg:
		if !s.call.on {
			return nil // the attempt was cancelled: its late answer changes nothing
		}
		s.call.stop()
		s.err.set(msg.Err)
		s.setKeys()
		return nil
	case connectedMsg:
		s.call.stop()
		s.setKeys()
	case spinner.TickMsg:
		return s.call.tick(msg)
	case tea.KeyMsg:
		if s.call.on {
			if key.Matches(msg, s.keys.Back) {
				s.call.abort()
				s.err.set(errors.New("cancelled before the server answered"))
				s.setKeys()
			}
			return nil
		}
		if s.ask.open() {
			cmd := s.ask.update(msg, s.keys)
			s.setKeys()
			return cmd
		}
		if scroll, down := isScroll(msg, s.keys); scroll && s.scrolls() {
			s.err.scroll(down, s.reasonWidth(), s.reasonRoom())
			return nil
		}
		if key.Matches(msg, s.keys.Retry) && s.loginFailed() {
			cmd := s.ask.askSecret("The server refused the login: type the password again (it is not shown).", "password › ",
				func(v string) tea.Cmd {
					s.uri = s.ctx.Cfg.WithPassword(s.uri, v)
					return s.start()
				})
			s.setKeys()
			return cmd
		}
		if key.Matches(msg, s.keys.Retry) {
			cmd := s.ask.ask("A **** left in place stands for the password you gave.", "URI › ", "", s.redacted(), nil,
				func(v string) tea.Cmd {
					s.uri = restoreSecret(v, s.uri, s.redacted())
					return s.start()
				})
			s.setKeys()
			return cmd
		}
	}
	return nil
}

// loginFailed reports whether the last attempt failed on the password, with a way to give
// another (the adapter's words: "authentication failed").
func (s *connectScreen) loginFailed() bool {
	return s.ctx.Cfg.WithPassword != nil && s.err.on() && strings.Contains(s.err.text(), "authentication failed")
}

// restoreSecret puts the original password back where the edited URI still says "****".
func restoreSecret(edited, orig, redacted string) string {
	switch {
	case edited == redacted:
		return orig
	case redacted == orig:
		return edited // there was no password
	}
	// The password is what the original has where the redacted form has "****".
	i := strings.Index(redacted, "****")
	tail := len(redacted) - i - 4
	if i < 0 || len(orig)-tail < i {
		return edited
	}
	secret := orig[i : len(orig)-tail]
	return strings.Replace(edited, ":****@", ":"+secret+"@", 1)
}

func (s *connectScreen) View() string {
	st := s.ctx.Styles
	var b strings.Builder
	if s.call.on {
		b.WriteString(s.call.view() + " Connecting to " + st.Bold.Render(s.redacted()) + "…\n")
		return b.String()
	}
	if s.err.on() {
		b.WriteString(st.Error.Render("Cannot connect") + "\n\n")
		b.WriteString(st.Muted.Render("URI     ") + s.redacted() + "\n")
		reason := s.err.view(s.reasonWidth(), s.reasonRoom())
		b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, st.Muted.Render("Reason  "), reason) + "\n\n")
		b.WriteString(s.tail())
	}
	return b.String()
}

// tail is what follows the reason: the URI being edited, or how to edit it.
func (s *connectScreen) tail() string {
	if s.ask.open() {
		return s.ask.view(s.ctx.Styles, s.w)
	}
	return s.ctx.Styles.Muted.Render("Press e to edit the URI and retry, q to quit.")
}

// reasonWidth and reasonRoom place the reason right of its 8-cell label, in the rows the
// title, the URI and the tail leave.
func (s *connectScreen) reasonWidth() int { return max(s.w-8, 20) }
func (s *connectScreen) reasonRoom() int  { return s.h - 4 - lipgloss.Height(s.tail()) }
func (s *connectScreen) scrolls() bool {
	return !s.ask.open() && s.err.scrolls(s.reasonWidth(), s.reasonRoom())
}

func (s *connectScreen) SetSize(w, h int) { s.w, s.h = w, h; s.ask.setWidth(w) }
func (s *connectScreen) Typing() bool     { return s.ask.open() }
func (s *connectScreen) Busy() bool       { return s.call.on }
func (s *connectScreen) ShortHelp() []key.Binding {
	k := s.keys
	bs := []key.Binding{k.Retry, k.Open, k.Back, k.Quit}
	if s.scrolls() {
		bs = append([]key.Binding{scrollHelp(k)}, bs...)
	}
	return bs
}
func (s *connectScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{s.ShortHelp(), {s.keys.Help}}
}

func (s *connectScreen) showsError() bool { return true }
