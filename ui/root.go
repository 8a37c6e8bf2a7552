// Package ui is dupes' terminal UI: a root model that routes between screens (connect,
// collections, key, scan, groups, group, rules, review, execute, done), one file per screen,
// all I/O in tea.Cmds against the Store interface.
package ui

import (
	"context"
	"errors"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
)

// MinWidth and MinHeight are the smallest terminal the layout works in; below it the UI says
// so instead of drawing a broken screen.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Model is the root model: it owns the shared context, the session and the stack of screens,
// which it knows only through the registry (screens.go) and the screen contract: it opens
// screens by their opener messages, routes result messages, and reads no screen's fields.
type Model struct {
	ctx      *Context
	stack    []layer            // the way back; the last one is active
	stop     context.CancelFunc // cancels every server call (ctx.base) on quit
	queued   []tea.KeyMsg       // keys typed while the active screen was busy
	sess     *session
	nextID   int
	help     help.Model
	showHelp bool
	quit     *confirmation
	endAfter bool // a signal came during a run: quit once its report is in
	status   string
	err      errBox // the footer's error ([ and ] scroll a long one)
	footerH  int    // the footer's height the screens were laid out for
	width    int
	height   int
}

// layer is a screen on the stack, with the registry's name for it.
type layer struct {
	id screenID
	screen
}

// New builds the UI for a configuration.
func New(cfg Config) *Model {
	base, stop := context.WithCancel(context.Background())
	ctx := &Context{Styles: NewStyles(), Keys: keymap.DefaultKeyMap(), Cfg: cfg, base: base}
	m := &Model{ctx: ctx, help: help.New(), stop: stop}
	m.stack = []layer{m.build(scrConnect)}
	m.help.Styles.ShortKey = ctx.Styles.Bold
	m.help.Styles.FullKey = ctx.Styles.Bold
	return m
}

// Init connects.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.SetWindowTitle("dupes"), m.top().Update(openConnectMsg{}))
}

// build makes a screen of the registry, sized for the screens' area.
func (m *Model) build(id screenID) layer {
	s := registry[id](m.ctx)
	s.SetSize(m.ctx.Width, m.ctx.Height)
	return layer{id: id, screen: s}
}

func (m *Model) top() layer       { return m.stack[len(m.stack)-1] }
func (m *Model) active() screenID { return m.top().id }

// open shows the screen msg opens on top of the active one and hands it msg; an active screen
// of that kind takes msg itself (n and p go from group to group in one group view).
func (m *Model) open(msg opener) tea.Cmd {
	if len(m.stack) == 0 || m.active() != msg.opens() {
		m.stack = append(m.stack, m.build(msg.opens()))
	}
	return m.top().Update(msg)
}

// replace opens msg's screen instead of the active one, so back skips the one left.
func (m *Model) replace(msg opener) tea.Cmd {
	m.stack = m.stack[:len(m.stack)-1]
	return m.open(msg)
}

// rebase keeps the bottom screen (the collection list) and opens msgs above it, in order.
func (m *Model) rebase(msgs ...opener) tea.Cmd {
	m.stack = m.stack[:1]
	cmds := make([]tea.Cmd, len(msgs))
	for i, msg := range msgs {
		cmds[i] = m.open(msg)
	}
	return tea.Batch(cmds...)
}

// deliver hands msg to the topmost screen of kind id; none there: nobody waits for it.
func (m *Model) deliver(id screenID, msg tea.Msg) tea.Cmd {
	for i := len(m.stack) - 1; i >= 0; i-- {
		if m.stack[i].id == id {
			return m.stack[i].Update(msg)
		}
	}
	return nil
}

// Update routes a message, then the navigation the screens asked for, synchronously. A
// burst of keys in one message (jjjj over SSH, a held key) is applied key by key, and keys
// held while a screen loaded are handed to it once it is ready.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	for _, one := range m.split(msg) {
		cmds = append(cmds, m.step(one))
	}
	for len(m.queued) > 0 && !m.top().Busy() {
		k := m.queued[0]
		m.queued = m.queued[1:]
		cmds = append(cmds, m.step(k))
	}
	// Whatever changed the decisions (a rule, a hand choice, m), the counts follow.
	cmds = append(cmds, m.sess.previewIfStale())
	if m.footerHeight() != m.footerH {
		m.layout() // an error or help came or went: the screens get the lines left
	}
	return m, tea.Batch(cmds...)
}

// step handles one message and the navigation it asked for.
func (m *Model) step(msg tea.Msg) tea.Cmd {
	_, cmd := m.update(msg)
	cmds := []tea.Cmd{cmd}
	for steps := 0; len(m.ctx.intents) > 0 && steps < 100; steps++ {
		next := m.ctx.intents[0]
		m.ctx.intents = m.ctx.intents[1:]
		_, c := m.update(next)
		cmds = append(cmds, c)
	}
	return tea.Batch(cmds...)
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.KeyMsg:
		if m.quit == nil && m.hold(msg) {
			return m, nil
		}
		return m, m.onKey(msg)
	case ErrorMsg:
		if errors.Is(msg.Err, context.Canceled) {
			return m, nil // the user stopped it: nothing to report
		}
		// Shown once: in the screen's body when the screen shows it there, else in the footer.
		cur := m.top()
		if sh, ok := cur.screen.(errorShower); !ok || !sh.showsError() {
			m.setErr(msg)
		}
		return m, cur.Update(msg)
	case statusMsg:
		m.status = string(msg)
		return m, nil
	case TerminateMsg:
		if m.active() == scrExecute {
			// As the quit key during a run: the batch in flight finishes, the run is left
			// cancelled and resumable, and the report's arrival ends the program.
			m.endAfter = true
			return m, m.top().Update(stopRunMsg{signal: true})
		}
		return m, m.exit()
	case backMsg:
		if len(m.stack) > 1 {
			m.stack = m.stack[:len(m.stack)-1]
		}
		return m, nil
	case askMsg:
		m.quit = &confirmation{action: msg.action, question: msg.question}
		return m, nil
	case spinner.TickMsg:
		// Every spinner takes only its own ticks: a screen loading out of sight keeps spinning.
		cmds := make([]tea.Cmd, len(m.stack))
		for i, s := range m.stack {
			cmds[i] = s.Update(msg)
		}
		return m, tea.Batch(cmds...)
	}
	if cmd, ok := m.flow(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case opener:
		return m, m.open(msg)
	case targeted:
		// Results go to the screen that asked, whichever is showing.
		return m, m.deliver(msg.target(), msg)
	}
	return m, m.top().Update(msg)
}

// TerminateMsg asks the UI to end as SIGTERM or SIGINT does: during a run it stops after the
// batch in flight and quits once the run's report is in (the run stays resumable); anywhere
// else it quits at once, cancelling the server calls in flight.
type TerminateMsg struct{}

// exit cancels every server call in flight (the server stops the work too), then quits.
func (m *Model) exit() tea.Cmd {
	m.stop()
	return tea.Quit
}
