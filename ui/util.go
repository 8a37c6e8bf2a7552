package ui

import (
	"fmt"
	"strconv"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// plural is "1 group", "2 groups".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(int64(n)) + " " + many
}

// duration shows elapsed time the way a person reads it: 4.2s, 1m05s.
func duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// scrollKey scrolls a view by a line, a page of room lines or to either end when msg is one of
// the scrolling keys, and reports whether it was: the group and document views share them.
func scrollKey(msg tea.KeyMsg, k keymap.KeyMap, room int, scrollBy func(int)) bool {
	switch {
	case key.Matches(msg, k.Up):
		scrollBy(-1)
	case key.Matches(msg, k.Down):
		scrollBy(1)
	case key.Matches(msg, k.PageUp):
		scrollBy(-room)
	case key.Matches(msg, k.PageDown):
		scrollBy(room)
	case key.Matches(msg, k.Top):
		scrollBy(-1 << 30)
	case key.Matches(msg, k.Bottom):
		scrollBy(1 << 30)
	default:
		return false
	}
	return true
}
