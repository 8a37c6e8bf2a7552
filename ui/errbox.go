package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
)

// errBox is an error a screen shows in its own body rather than in the footer: the connect
// screen's reason, the key screen's failed open. Wrapped to the width, it takes the rows the
// screen can spare; a longer one shows a window that [ and ] move, as the footer's error does,
// so the hint below it stays on screen and no line is left unseen.
type errBox struct {
	err error
	top int // first line shown
}

func (e *errBox) set(err error) { e.err, e.top = err, 0 }

func (e *errBox) on() bool { return e.err != nil }

func (e *errBox) lines(w int) []string { return strings.Split(para(e.err.Error(), w), "\n") }

// scrolls reports whether the error needs more than room lines.
func (e *errBox) scrolls(w, room int) bool { return e.on() && len(e.lines(w)) > room }

func (e *errBox) scroll(down bool, w, room int) {
	e.top = scrollTop(e.top, down, len(e.lines(w)), room)
}

func (e *errBox) view(w, room int) string { return window(e.lines(w), e.top, room, w) }

// window shows lines whole when they fit in room; else room-1 of them from top, and a last
// line that says which show and how to see the rest.
func window(lines []string, top, room, w int) string {
	room = max(room, 2)
	if len(lines) <= room {
		return strings.Join(lines, "\n")
	}
	top = min(max(top, 0), len(lines)-(room-1))
	end := top + room - 1
	hint := fmt.Sprintf("── lines %d–%d of %d · [ and ] scroll ──", top+1, end, len(lines))
	return strings.Join(lines[top:end], "\n") + "\n" + fit(hint, w)
}

// scrollTop moves a window of room lines over n a page down (or up), keeping a line of
// context.
func scrollTop(top int, down bool, n, room int) int {
	room = max(room, 2)
	step := max(room-2, 1)
	if !down {
		step = -step
	}
	return min(max(top+step, 0), n-(room-1))
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
