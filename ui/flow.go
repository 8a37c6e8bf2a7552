package ui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// flow handles the messages that move between screens and change the session: the way
// through connect → collections → key → scan → groups → group → review → execute → done.
// It reports false for a message that is not its own.
func (m *Model) flow(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case connectedMsg:
		return m.connected(msg), true
	case collectionChosenMsg:
		col := msg.col
		return m.open(openKeyMsg{ns: col.NS, col: &col, indexes: msg.indexes}), true
	case keyChosenMsg:
		return m.startScan(msg), true
	case scanOpenedMsg:
		if m.sess == nil || msg.id != m.sess.id || !m.sess.scanning {
			cur := msg.cur
			return func() tea.Msg { _ = cur.Close(context.Background()); return nil }, true
		}
		return nextGroupsCmd(m.sess.ctx(), msg.id, msg.cur), true
	case groupsMsg:
		return m.onGroups(msg), true
	case browseMsg:
		return m.replace(openGroupsMsg{sess: m.sess}), true
	case previewMsg, shardMsg, collationMsg:
		m.sess.take(msg)
		return nil, true
	case planColMsg:
		m.onPlanCol(msg)
		return nil, true
	case executeMsg:
		if m.sess != nil {
			p := msg.plan
			m.sess.ran = &p
		}
		return m.rebase(msg), true
	case runEndedMsg:
		m.sess.executed = true
		cmd := m.rebase(openDoneMsg{report: msg.report, err: msg.err, sess: m.sess, planPath: msg.planPath})
		if m.endAfter {
			return m.exit(), true // a signal asked to end once the batch in flight was done
		}
		return cmd, true
	case unfinishedRunMsg:
		m.offerToFinish(msg)
		return nil, true
	case finishRunMsg:
		return m.finishRun(msg), true
	case scanAgainMsg:
		// The collection changed: its key screen loads it again.
		m.sess = nil
		return m.rebase(openKeyMsg{ns: msg.ns}), true
	}
	return nil, false
}

// connected opens the collection list on the store, and above it what the command line asked
// for: a saved plan, or a collection's key screen (which scans at once with a --key).
func (m *Model) connected(msg connectedMsg) tea.Cmd {
	m.deliver(scrConnect, msg)
	// The URI that worked (perhaps edited on the connect screen) is the one shown from now on.
	m.ctx.Store, m.ctx.Cfg.URI = msg.store, msg.uri
	m.stack = m.stack[:0]
	cmd := m.open(openCollectionsMsg{})
	if p := m.ctx.Cfg.Plan; p != nil {
		return tea.Batch(cmd, m.openPlan(*p))
	}
	if m.ctx.Cfg.NS == "" {
		return cmd
	}
	ns, err := model.ParseNamespace(m.ctx.Cfg.NS)
	if err != nil {
		m.setErr(err)
		return cmd
	}
	var start *model.Key
	if k := m.ctx.Cfg.Key; len(k.Fields) > 0 || k.Index != "" || k.WholeDocument {
		start = &k
	}
	// The collection list stays underneath, so esc from the key screen leads somewhere.
	return tea.Batch(cmd, m.open(openKeyMsg{ns: ns, start: start}))
}

// startScan opens a new session: a scan with the key the key screen chose.
func (m *Model) startScan(c keyChosenMsg) tea.Cmd {
	if m.sess != nil && m.sess.scanning {
		m.sess.cancel()
	}
	m.nextID++
	ctx, cancel := context.WithCancel(m.ctx.base)
	k := c.key
	s := &session{id: m.nextID, ns: c.ns, col: c.col, key: k, flds: c.fields, target: c.target,
		started: time.Now(), scanning: true, cancel: cancel, scanCtx: ctx}
	if cmd, err := m.ctx.Store.ScanCommand(s.ns, k); err == nil {
		s.command = cmd
	} else {
		s.command = "(" + err.Error() + ")"
	}
	m.sess = s
	if m.active() == scrGroups {
		m.stack = m.stack[:len(m.stack)-1] // a scan again replaces the list it came from
	}
	return tea.Batch(m.open(openScanMsg{sess: s}), openScanCmd(ctx, m.ctx.Store, s.id, s.ns, k),
		shardCmd(m.ctx.base, m.ctx.Store, s.id, s.ns), collationCmd(m.ctx.base, m.ctx.Store, s.id),
		unfinishedRunCmd(s.id, m.ctx.Cfg.BackupDir, s.ns, k, m.ctx.Cfg.PriorRun))
}

func (m *Model) onGroups(msg groupsMsg) tea.Cmd {
	s := m.sess
	if s == nil || msg.id != s.id {
		if !msg.done && msg.cur != nil { // a scan replaced by another: kill its cursor
			cur := msg.cur
			return func() tea.Msg { _ = cur.Close(context.Background()); return nil }
		}
		return nil
	}
	s.add(msg.groups)
	var next tea.Cmd
	if msg.done {
		s.scanning, s.scanErr, s.finished = false, msg.err, time.Now()
		s.previewSeq++ // the counts of the whole scan, through the planner
		s.cancel()
	} else {
		next = nextGroupsCmd(s.ctx(), s.id, msg.cur)
	}
	// The scan screen counts them, the list (when the scan is browsed) shows them.
	cmds := []tea.Cmd{next, m.deliver(scrScan, msg), m.deliver(scrGroups, msg)}
	if msg.done && msg.err == nil && m.active() == scrScan {
		cmds = append(cmds, m.replace(openGroupsMsg{sess: s}))
		if s.target != nil {
			cmds = append(cmds, findKeyCmd(s.id, s.key.Spec(), s.groups, s.target))
		}
	}
	return tea.Batch(cmds...)
}
