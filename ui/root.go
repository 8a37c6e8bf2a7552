// Package ui is dupes' terminal UI: a root model that routes between screens (connect,
// collections, key, scan, groups, group, rules, review, execute, done), one file per screen,
// all I/O in tea.Cmds against the Store interface.
package ui

import (
	"context"
	"errors"
	"fmt"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// MinWidth and MinHeight are the smallest terminal the layout works in; below it the UI says
// so instead of drawing a broken screen.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Model is the root model: it owns the shared context and the session, routes messages to the
// active screen, and moves between screens. It holds no screen logic of its own.
type Model struct {
	ctx     *Context
	screens map[screenID]screen
	connect *connectScreen
	colls   *collectionsScreen
	key     *keyScreen
	scan    *scanScreen
	groups  *groupsScreen
	group   *groupScreen
	rules   *rulesScreen
	review  *reviewScreen
	exec    *executeScreen
	done    *doneScreen

	stack    []screenID         // the way back; the last one is active
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

// New builds the UI for a configuration.
func New(cfg Config) *Model {
	base, stop := context.WithCancel(context.Background())
	ctx := &Context{Styles: NewStyles(), Keys: keymap.DefaultKeyMap(), Cfg: cfg, base: base}
	m := &Model{ctx: ctx, help: help.New(), stop: stop, screens: map[screenID]screen{}}
	for id, build := range registry {
		m.screens[screenID(id)] = build(ctx)
	}
	// The flow (flow.go) opens these screens with their own arguments.
	m.connect, m.colls, m.key = m.screens[scrConnect].(*connectScreen), m.screens[scrCollections].(*collectionsScreen), m.screens[scrKey].(*keyScreen)
	m.scan, m.groups, m.group = m.screens[scrScan].(*scanScreen), m.screens[scrGroups].(*groupsScreen), m.screens[scrGroup].(*groupScreen)
	m.rules, m.review = m.screens[scrRules].(*rulesScreen), m.screens[scrReview].(*reviewScreen)
	m.exec, m.done = m.screens[scrExecute].(*executeScreen), m.screens[scrDone].(*doneScreen)
	m.stack = []screenID{scrConnect}
	m.help.Styles.ShortKey = ctx.Styles.Bold
	m.help.Styles.FullKey = ctx.Styles.Bold
	return m
}

// Init connects.
func (m *Model) Init() tea.Cmd { return tea.Batch(tea.SetWindowTitle("dupes"), m.connect.start()) }

func (m *Model) active() screenID { return m.stack[len(m.stack)-1] }

func (m *Model) push(id screenID) { m.stack = append(m.stack, id); m.layout() }

// replace swaps the active screen, so back skips the one left.
func (m *Model) replace(id screenID) { m.stack[len(m.stack)-1] = id; m.layout() }

// Update routes a message, then the navigation the screens asked for, synchronously. A
// burst of keys in one message (jjjj over SSH, a held key) is applied key by key, and keys
// held while a screen loaded are handed to it once it is ready.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	for _, one := range m.split(msg) {
		cmds = append(cmds, m.step(one))
	}
	for len(m.queued) > 0 && !m.screens[m.active()].Busy() {
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

// split cuts a burst of runes into one key each. Text pasted into a field stays whole.
func (m *Model) split(msg tea.Msg) []tea.Msg {
	k, ok := msg.(tea.KeyMsg)
	if !ok || k.Type != tea.KeyRunes || len(k.Runes) < 2 || (k.Paste && m.screens[m.active()].Typing()) {
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
	cur := m.screens[m.active()]
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
		cur := m.screens[m.active()]
		if sh, ok := cur.(errorShower); !ok || !sh.showsError() {
			m.setErr(msg)
		}
		return m, cur.Update(msg)
	case statusMsg:
		m.status = string(msg)
		return m, nil
	case TerminateMsg:
		if m.active() == scrExecute && m.exec.run.on {
			// As the quit key during a run: the batch in flight finishes, the run is left
			// cancelled and resumable, and the report's arrival ends the program.
			m.endAfter, m.exec.ending = true, true
			return m, m.exec.Update(tea.KeyMsg{Type: tea.KeyEsc})
		}
		return m, m.exit()
	case connectedMsg:
		// The URI that worked (perhaps edited on the connect screen) is the one shown from now on.
		m.connect.Update(msg)
		m.ctx.Store, m.ctx.Cfg.URI = msg.store, m.connect.uri
		if p := m.ctx.Cfg.Plan; p != nil {
			return m, tea.Batch(m.colls.load(), m.openPlan(*p))
		}
		if m.ctx.Cfg.NS != "" {
			ns, err := model.ParseNamespace(m.ctx.Cfg.NS)
			if err != nil {
				m.setErr(err)
				m.stack = []screenID{scrCollections}
				return m, m.colls.load()
			}
			// The collection list sits underneath, so esc from the key screen leads somewhere.
			m.stack = []screenID{scrCollections, scrKey}
			m.layout()
			var start *model.Key
			if k := m.ctx.Cfg.Key; len(k.Fields) > 0 || k.Index != "" || k.WholeDocument {
				start = &k
			}
			return m, tea.Batch(m.colls.load(), m.key.open(ns, nil, nil, start))
		}
		m.stack = []screenID{scrCollections}
		m.layout()
		return m, m.colls.load()
	case backMsg:
		return m, m.back()
	case leaveGroupsMsg:
		if m.active() == scrGroups {
			if m.sess.scanning {
				m.sess.cancel()
			}
			m.sess.dropped = true // left on purpose: nothing pending any more
			m.pop()
		}
		return m, nil
	case spinner.TickMsg:
		// Every spinner takes only its own ticks: a screen loading out of sight keeps spinning.
		var cmds []tea.Cmd
		for _, s := range m.screens {
			cmds = append(cmds, s.Update(msg))
		}
		return m, tea.Batch(cmds...)
	case pushMsg:
		m.push(msg.to)
		return m, m.screens[msg.to].Update(msg.with)
	case targeted:
		// Results go to the screen that asked, whichever is showing.
		return m, m.screens[msg.target()].Update(msg)
	}
	if cmd, ok := m.flow(msg); ok {
		return m, cmd
	}
	return m, m.screens[m.active()].Update(msg)
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
	cur := m.screens[m.active()]
	typing := cur.Typing()
	if key.Matches(msg, k.ForceQuit) || (!typing && key.Matches(msg, k.Quit)) {
		if m.active() == scrExecute {
			// Quitting mid-run would leave a batch half done: stop cleanly instead.
			return m.exec.Update(tea.KeyMsg{Type: tea.KeyEsc})
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

// TerminateMsg asks the UI to end as SIGTERM or SIGINT does: during a run it stops after the
// batch in flight and quits once the run's report is in (the run stays resumable); anywhere
// else it quits at once, cancelling the server calls in flight.
type TerminateMsg struct{}

// exit cancels every server call in flight (the server stops the work too), then quits.
func (m *Model) exit() tea.Cmd {
	m.stop()
	return tea.Quit
}

// pop leaves the active screen.
func (m *Model) pop() {
	if len(m.stack) > 1 {
		m.stack = m.stack[:len(m.stack)-1]
	}
	m.layout()
}

func (m *Model) back() tea.Cmd {
	switch m.active() {
	case scrDone:
		// Scan again from the key screen: the collection changed, so reload its data.
		ns := m.sess.ns
		m.sess = nil
		m.stack = []screenID{scrCollections, scrKey}
		m.layout()
		return m.key.open(ns, nil, nil, nil)
	case scrGroups:
		// Going back to the key screen drops the decisions: ask first, as q does.
		if m.sess.pending() {
			m.quit = &confirmation{action: leaveGroupsMsg{}, question: fmt.Sprintf(
				"A plan for %s is not executed. Leave the groups and lose it? y/n (w on the review saves it)", plural(m.sess.decided(), "group", "groups"))}
			return nil
		}
		if m.sess.scanning {
			m.sess.cancel()
		}
	case scrScan:
		if m.sess != nil && m.sess.scanning {
			m.sess.cancel()
		}
	}
	if len(m.stack) == 1 {
		return nil
	}
	m.pop()
	return nil
}
