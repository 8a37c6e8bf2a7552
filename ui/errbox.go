package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// errBox is an error shown wrapped to a width in the rows it is given: in the footer (up to
// half the screen), or in a screen's own body (the connect screen's reason, the key screen's
// failed open). A longer one shows a window that [ and ] move and a last line saying which
// lines show, so what follows it stays on screen and no line is left unseen.
type errBox struct {
	err error
	top int // first line shown
}

func (e *errBox) set(err error) { e.err, e.top = err, 0 }

func (e *errBox) on() bool { return e.err != nil }

// text is the error's message, "" when there is none.
func (e *errBox) text() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// lines is the error wrapped to w, what a terminal would obey in it escaped: a server's
// message can quote a document.
func (e *errBox) lines(w int) []string {
	return strings.Split(para(model.SafeLines(e.err.Error()), w), "\n")
}

// scrolls reports whether the error needs more than room lines.
func (e *errBox) scrolls(w, room int) bool { return e.on() && len(e.lines(w)) > max(room, 2) }

// scroll moves the window a page down (or up), keeping a line of context.
func (e *errBox) scroll(down bool, w, room int) {
	room = max(room, 2)
	step := max(room-2, 1)
	if !down {
		step = -step
	}
	e.top = min(max(e.top+step, 0), len(e.lines(w))-(room-1))
}

// view is the error whole when it fits in room; else room-1 of its lines from the window's
// top, and a last line that says which show and how to see the rest.
func (e *errBox) view(w, room int) string {
	lines := e.lines(w)
	room = max(room, 2)
	if len(lines) <= room {
		return strings.Join(lines, "\n")
	}
	top := min(max(e.top, 0), len(lines)-(room-1))
	end := top + room - 1
	hint := fmt.Sprintf("── lines %d–%d of %d · [ and ] scroll ──", top+1, end, len(lines))
	return strings.Join(lines[top:end], "\n") + "\n" + fit(hint, w)
}

// scrollHelp is the one help item for [ and ], said first wherever an error scrolls, so a cut
// help line never hides how to read the rest.
func scrollHelp(k keymap.KeyMap) key.Binding {
	b := k.ErrUp
	b.SetHelp("[ ]", "scroll the error")
	return b
}

// isScroll reports whether msg is [ or ], and which way.
func isScroll(msg tea.KeyMsg, k keymap.KeyMap) (scroll, down bool) {
	return key.Matches(msg, k.ErrUp, k.ErrDown), key.Matches(msg, k.ErrDown)
}
