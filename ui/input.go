package ui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// The root's keyboard: a burst of keys is cut into one key each, keys typed while a screen
// loads wait for it, and the keys of every screen (quit, help, a footer's y/n question and
// its error's scrolling) are answered here before the active screen gets the rest.

// split cuts a burst of runes into one key each. Text pasted into a field stays whole.
func (m *Model) split(msg tea.Msg) []tea.Msg {
	k, ok := msg.(tea.KeyMsg)
	if !ok || k.Type != tea.KeyRunes || len(k.Runes) < 2 || (k.Paste && m.top().Typing()) {
		return []tea.Msg{msg}
	}
	out := make([]tea.Msg, len(k.Runes))
	for i, r := range k.Runes {
		out[i] = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt}
	}
	return out
}

// maxQueued bounds the keys held for a loading screen; more are refused, visibly.
const maxQueued = 32

// hold keeps a key for the busy active screen; it reports false when the key goes through
// now (esc cancels the load, ctrl+c quits).
func (m *Model) hold(msg tea.KeyMsg) bool {
	cur := m.top()
	k := m.ctx.Keys
	if !cur.Busy() || key.Matches(msg, k.Back) || key.Matches(msg, k.ForceQuit) || (!cur.Typing() && key.Matches(msg, k.Quit)) {
		if key.Matches(msg, k.Back) {
			m.queued = nil // the load is cancelled: what was typed for it is too
		}
		return false
	}
	if len(m.queued) >= maxQueued {
		m.status = "Still loading: key refused (" + plural(len(m.queued), "key waits", "keys wait") + "; esc cancels)."
		return true
	}
	m.queued = append(m.queued, msg)
	m.status = "Loading: " + plural(len(m.queued), "key waits", "keys wait") + " for the screen (esc cancels)."
	return true
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	k := m.ctx.Keys
	if scroll, down := isScroll(msg, k); scroll && m.quit == nil && m.errScrolls() {
		m.scrollErr(down)
		return nil // the error stays: it is being read
	}
	m.status = ""
	m.err.set(nil)
	if m.quit != nil {
		c := m.quit
		m.quit = nil
		// A second ctrl+c is an answer too: quit at once, as shells and mongosh do.
		if key.Matches(msg, k.ForceQuit) {
			return m.exit()
		}
		if key.Matches(msg, k.Yes) {
			if _, ok := c.action.(tea.QuitMsg); ok {
				return m.exit()
			}
			return func() tea.Msg { return c.action }
		}
		return nil
	}
	cur := m.top()
	typing := cur.Typing()
	if key.Matches(msg, k.ForceQuit) || (!typing && key.Matches(msg, k.Quit)) {
		if m.active() == scrExecute {
			// Quitting mid-run would leave a batch half done: stop cleanly instead.
			return cur.Update(stopRunMsg{})
		}
		if m.sess.pending() {
			m.quit = &confirmation{action: tea.QuitMsg{}, question: fmt.Sprintf(
				"A plan for %s is not executed. Quit and lose it? y/n (ctrl+c again quits)", plural(m.sess.decided(), "group", "groups"))}
			return nil
		}
		return m.exit()
	}
	if !typing && key.Matches(msg, k.Help) {
		m.showHelp = !m.showHelp
		m.layout()
		return nil
	}
	return cur.Update(msg)
}
