package ui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// flow handles the messages that move between screens and change the session: the way
// through connect → collections → key → scan → groups → group → review → execute → done.
// It reports false for a message that is not its own.
func (m *Model) flow(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case chooseCollectionMsg:
		m.push(scrKey)
		col := msg.col
		return m.key.open(col.NS, &col, msg.indexes, nil), true
	case startScanMsg:
		cmd := m.startScan(msg.key)
		m.sess.target = msg.target
		return cmd, true
	case scanOpenedMsg:
		if m.sess == nil || msg.id != m.sess.id || !m.sess.scanning {
			cur := msg.cur
			return func() tea.Msg { _ = cur.Close(context.Background()); return nil }, true
		}
		return nextGroupsCmd(m.sess.ctx(), msg.id, msg.cur), true
	case groupsMsg:
		return m.onGroups(msg), true
	case keyFoundMsg:
		if m.sess != nil && msg.id == m.sess.id && msg.gi >= 0 {
			m.groups.showGroup(msg.gi)
		}
		return nil, true
	case browseMsg:
		m.replace(scrGroups)
		return nil, true
	case openGroupMsg:
		if msg.pos < 0 || msg.pos >= m.groups.len() {
			return nil, true
		}
		m.groups.cursor.moveTo(msg.pos)
		if m.active() != scrGroup {
			m.push(scrGroup)
		}
		return m.group.open(m.sess, msg.pos, m.groups.at(msg.pos), m.groups.len()), true
	case openRulesMsg:
		m.rules.open(m.sess.flds)
		m.push(scrRules)
		return nil, true
	case ruleChosenMsg:
		m.pop()
		if msg.none {
			m.clearRule()
			return nil, true
		}
		return m.applyRule(msg.rule), true
	case keepersMsg:
		m.onKeepers(msg)
		return nil, true
	case previewMsg:
		m.onPreview(msg)
		return nil, true
	case shardMsg:
		if m.sess != nil && msg.id == m.sess.id {
			m.sess.shard, m.sess.shardErr = msg.key, msg.err
		}
		return nil, true
	case toggleMissingMsg:
		if m.sess != nil {
			m.sess.setMissing(!m.sess.deleteMissing)
			if m.sess.deleteMissing {
				m.status = "Documents lacking " + m.sess.key.String() + " are included: the rule decides them like any group."
			} else {
				m.status = "Documents lacking " + m.sess.key.String() + " are left alone."
			}
		}
		return nil, true
	case reviewMsg:
		m.push(scrReview)
		return m.review.open(m.sess), true
	case planMsg:
		return m.review.Update(msg), true
	case executeMsg:
		p := msg.plan
		m.sess.ran = &p
		m.stack = []screenID{scrExecute}
		m.layout()
		return m.exec.start(msg.plan), true
	case execEvent:
		if rep, ok := msg.msg.(reportMsg); ok {
			m.sess.executed = true
			m.exec.finished()
			m.done.open(rep.report, rep.err, m.sess)
			m.stack = []screenID{scrDone}
			m.layout()
			if m.endAfter {
				return m.exit(), true // a signal asked to end once the batch in flight was done
			}
			return nil, true
		}
		m.exec.Update(msg.msg)
		return waitExecCmd(msg.ch), true
	case collationMsg:
		if m.sess != nil && msg.id == m.sess.id {
			m.sess.noCollation = !msg.ok
			m.sess.engine = msg.engine
		}
		return nil, true
	case planColMsg:
		m.onPlanCol(msg)
		return nil, true
	case planSavedMsg:
		m.status = "Plan saved to " + msg.path
		return m.review.Update(msg), true
	}
	return nil, false
}

// startScan opens a new session: a scan on the key screen's collection.
func (m *Model) startScan(k model.Key) tea.Cmd {
	if m.sess != nil && m.sess.scanning {
		m.sess.cancel()
	}
	m.nextID++
	ctx, cancel := context.WithCancel(m.ctx.base)
	s := &session{id: m.nextID, ns: m.key.ns, col: m.key.col, key: k, idx: m.key.all, flds: m.key.fields,
		started: time.Now(), scanning: true, cancel: cancel, scanCtx: ctx}
	if c, err := m.ctx.Store.ScanCommand(s.ns, k); err == nil {
		s.command = c
	} else {
		s.command = "(" + err.Error() + ")"
	}
	m.sess = s
	m.groups.open(s)
	shard := shardCmd(m.ctx.base, m.ctx.Store, s.id, s.ns)
	if m.active() == scrScan || m.active() == scrGroups {
		m.replace(scrScan)
	} else {
		m.push(scrScan)
	}
	return tea.Batch(m.scan.open(s), openScanCmd(ctx, m.ctx.Store, s.id, s.ns, k), shard, collationCmd(m.ctx.base, m.ctx.Store, s.id))
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
	m.scan.Update(msg)
	m.groups.Update(msg)
	if msg.done && msg.err == nil && m.active() == scrScan {
		m.replace(scrGroups)
		if s.target != nil {
			return findKeyCmd(s.id, s.key.Spec(), s.groups, s.target)
		}
	}
	return next
}

// applyRule chooses keepers for the groups the list shows (the / filter's, else all), in a
// Cmd over a snapshot. Hand choices still win where they were taken.
func (m *Model) applyRule(r model.KeepRule) tea.Cmd {
	s := m.sess
	targets := m.groups.shownGroups()
	n := len(s.groups)
	if targets != nil {
		n = len(targets)
	}
	m.status = "Applying rule " + r.String() + " to " + plural(n, "group", "groups") + "…"
	paths := make([]string, 0, len(s.flds))
	for _, f := range s.flds {
		paths = append(paths, f.Path)
	}
	all := len(s.groups)
	return keepersCmd(m.ctx.base, m.ctx.Store, s.id, s.ns, r, s.groups[:all:all], targets, paths)
}

// clearRule forgets the rule's choices in the groups the list shows: hand choices stay.
func (m *Model) clearRule() {
	s := m.sess
	targets := m.groups.shownGroups()
	before := s.nRule
	s.clearRule(targets)
	touched := before - s.nRule
	if targets == nil {
		s.ruleSet = false
		m.status = "Rule cleared: " + plural(touched, "group", "groups") + " back to undecided (hand choices stay)."
		return
	}
	m.status = fmt.Sprintf("Rule cleared in the %s the filter shows: %s back to undecided (hand choices stay).",
		plural(len(targets), "group", "groups"), plural(touched, "group", "groups"))
}

func (m *Model) onPreview(msg previewMsg) {
	s := m.sess
	if s == nil || msg.id != s.id {
		return
	}
	// The surplus is asked for only when its inputs change: take it even from a preview
	// whose decisions are stale, as long as it was computed from the current inputs.
	if msg.surplus >= 0 && msg.of == s.surplusOf {
		s.surplus = msg.surplus
	}
	if msg.seq != s.previewSeq {
		return // a newer one is on its way
	}
	s.preview, s.previewed = msg.res, msg.seq
}

func (m *Model) onKeepers(msg keepersMsg) {
	s := m.sess
	if s == nil || msg.id != s.id {
		return
	}
	// Counted by what the rule changed: a group whose hand choice or skip wins is said apart,
	// and the flagged group of documents lacking the key, left alone, is not counted at all.
	applied, hand := 0, 0
	for j, gi := range msg.groups {
		s.decide(int(gi), msg.keep[j], byRule) // a hand choice, taken before or meanwhile, wins
		if s.groups[gi].LacksKey() && !s.deleteMissing {
			continue // decided, but left alone unless m includes it
		}
		switch s.how[gi] {
		case byRule:
			applied++
		case byHand, skipped:
			hand++
		}
	}
	s.rule, s.ruleSet = msg.rule, true
	scope := ""
	if len(msg.groups) < len(s.groups) {
		scope = " (the ones the filter shows)"
	}
	m.status = fmt.Sprintf("Rule %s applied to %s%s", msg.rule, plural(applied, "group", "groups"), scope)
	if hand > 0 {
		m.status += fmt.Sprintf("; %s kept the hand choice or skip", plural(hand, "group", "groups"))
	}
	m.status += "."
}
