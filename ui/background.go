package ui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
)

// backgroundCmd runs work in a goroutine and hands over its progress one message at a time
// (made by report, with the Cmd that waits for the next one), then its result. A progress
// report waits until the screen reads it: a screen no longer on the stack reads none, so the
// work stops at its next report (costing the server nothing) instead of reading on for nobody,
// until ctx ends. The result itself never waits.
func backgroundCmd(ctx context.Context, work func(progress func(done, total int)) tea.Msg,
	report func(done, total int, next tea.Cmd) tea.Msg) tea.Cmd {
	progress, final := make(chan tea.Msg), make(chan tea.Msg, 1)
	wait := func() tea.Msg {
		select {
		case m := <-final:
			return m
		case m := <-progress:
			return m
		}
	}
	go func() {
		final <- work(func(done, total int) {
			select {
			case progress <- report(done, total, wait):
			case <-ctx.Done():
			}
		})
	}()
	return wait
}
