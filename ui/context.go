package ui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/dupes-tui/dupes/keymap"
)

// Context is what every screen needs: the size it may draw in, the styles, the keys, the
// command line's choices and the open store. The root model owns it; screens hold a pointer.
type Context struct {
	Width, Height int // the screen's area, header and footer taken off
	Styles        Styles
	Keys          keymap.KeyMap
	Cfg           Config
	Store         Store

	// base is the context of every server call; the root cancels it on quit, so the server
	// stops what the UI no longer waits for. Each call derives its own, which esc cancels.
	base    context.Context
	intents []tea.Msg // navigation asked for by a screen, drained by the root
}

// screen is the contract of every screen: the root routes messages to the active one.
type screen interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Typing reports whether a text input has the keys, so q and ? are letters, not commands.
	Typing() bool
	// Busy reports a load in flight that the screen's keys depend on: the root holds keys
	// typed meanwhile and hands them over, in order, once it is done (esc still cancels).
	Busy() bool
}

// errorShower is a screen that shows an error in its own body (a failed load, a failed
// connection) while it is in that state: the footer then does not say it a second time.
type errorShower interface {
	showsError() bool
}

// ErrorMsg is the one error message type: something failed, said in words a DBA can act on.
type ErrorMsg struct {
	Where string // what was being done
	Err   error
}

func (e ErrorMsg) Error() string { return e.Where + ": " + e.Err.Error() }

// backMsg asks the root to go back one screen.
type backMsg struct{}

// intent queues a navigation message for the root to handle as soon as the screen's Update
// returns. Navigation through a Cmd would arrive later, after keys already typed: "r" then a
// quick "enter" would open a group instead of applying the rule.
func (c *Context) intent(msg tea.Msg) tea.Cmd {
	c.intents = append(c.intents, msg)
	return nil
}

// listCursor is a cursor over n rows shown h at a time: only the visible window is rendered,
// so moving costs nothing however long the list is.
type listCursor struct {
	pos, off, n, h int
}

func (c *listCursor) setLen(n int) {
	c.n = n
	c.clamp()
}

func (c *listCursor) setHeight(h int) {
	c.h = max(h, 1)
	c.clamp()
}

func (c *listCursor) move(d int) {
	c.pos += d
	c.clamp()
}

func (c *listCursor) moveTo(p int) {
	c.pos = p
	c.clamp()
}

func (c *listCursor) clamp() {
	if c.pos >= c.n {
		c.pos = c.n - 1
	}
	if c.pos < 0 {
		c.pos = 0
	}
	if c.h < 1 {
		c.h = 1
	}
	if c.pos < c.off {
		c.off = c.pos
	}
	if c.pos >= c.off+c.h {
		c.off = c.pos - c.h + 1
	}
	if c.off > max(c.n-c.h, 0) {
		c.off = max(c.n-c.h, 0)
	}
	if c.off < 0 {
		c.off = 0
	}
}

// window is the range of rows to render.
func (c listCursor) window() (from, to int) {
	return c.off, min(c.off+c.h, c.n)
}

// navigate applies the list keys and the mouse wheel; it reports whether msg moved the cursor.
func (c *listCursor) navigate(msg tea.Msg, k keymap.KeyMap) bool {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Up):
			c.move(-1)
		case key.Matches(msg, k.Down):
			c.move(1)
		case key.Matches(msg, k.PageUp):
			c.move(-c.h)
		case key.Matches(msg, k.PageDown):
			c.move(c.h)
		case key.Matches(msg, k.Top):
			c.moveTo(0)
		case key.Matches(msg, k.Bottom):
			c.moveTo(c.n - 1)
		default:
			return false
		}
		return true
	case tea.MouseMsg:
		if d := wheel(msg); d != 0 {
			c.move(d * 3)
			return true
		}
	}
	return false
}

// wheel is -1 for wheel up, +1 for wheel down, else 0.
func wheel(msg tea.MouseMsg) int {
	if msg.Action != tea.MouseActionPress {
		return 0
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return -1
	case tea.MouseButtonWheelDown:
		return 1
	}
	return 0
}

// fit cuts s to w cells with an ellipsis, and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - lipgloss.Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// oneLine folds newlines and tabs so a value stays on its row.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	return strings.NewReplacer("\n", "⏎", "\r", "", "\t", " ").Replace(s)
}

// row renders one list row: a cursor marker that survives NO_COLOR, and the row's style.
func (ctx *Context) row(text string, selected bool, w int) string {
	if selected {
		return ctx.Styles.List.Cursor.Render(fit("› "+text, w))
	}
	return ctx.Styles.List.Row.Render(fit("  "+text, w))
}

// count formats a number with thin grouping: 1 234 567.
func count(n int64) string {
	s := strings.TrimPrefix(itoa(n), "-")
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// field renders "label  value" with the value wrapped under itself when it is long.
func (ctx *Context) field(label string, labelW int, value string, w int) string {
	l := ctx.Styles.Muted.Render(fit(label, labelW))
	v := lipgloss.NewStyle().Width(max(w-labelW, 10)).Render(value)
	return lipgloss.JoinHorizontal(lipgloss.Top, l, v)
}

// para wraps a sentence to the screen's width.
func para(s string, w int) string { return lipgloss.NewStyle().Width(max(w, 10)).Render(s) }
