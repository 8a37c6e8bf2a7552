package ui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// planColMsg is the description of a loaded plan's collection (can dupes delete there?).
type planColMsg struct {
	id  int
	col model.Collection
	err error
}

func planColCmd(ctx context.Context, st Store, id int, ns model.Namespace) tea.Cmd {
	return func() tea.Msg {
		cols, err := st.Collections(ctx, ns.DB)
		if err != nil {
			return planColMsg{id: id, err: err}
		}
		for _, c := range cols {
			if c.NS == ns {
				return planColMsg{id: id, col: c}
			}
		}
		return planColMsg{id: id, err: fmt.Errorf("%s has no collection %s (any more)", ns.DB, ns.Coll)}
	}
}

// openPlan opens the groups list on a saved plan (--plan): its groups as saved, each with
// its keeper first and its decision (rule or hand), so an unchanged plan is the same plan
// again (same digest), and executing it resumes an interrupted run of it. Groups the plan
// left undecided are not in the file: a new scan shows them.
func (m *Model) openPlan(p model.Plan) tea.Cmd {
	s, hand := m.planSession(p)
	// The key screen underneath, so esc leads to a scan of the collection.
	open := m.rebase(openKeyMsg{ns: p.NS}, openGroupsMsg{sess: s})
	m.status = fmt.Sprintf("Opened the plan for %s: %s as saved (%d by hand); groups it left undecided are not in it.",
		p.NS, plural(len(p.Groups), "group", "groups"), hand)
	switch {
	case m.ctx.Cfg.Applied != "":
		s.prior = "this plan ran before (" + m.ctx.Cfg.Applied + "): running it again deletes only what is still there"
		m.status += " It ran before: " + m.ctx.Cfg.Applied + "."
	case m.ctx.Cfg.Interrupted != "":
		s.prior = "a run of this plan did not finish (" + m.ctx.Cfg.Interrupted + "): running it goes on where it stopped"
		s.resumes = true
	}
	if m.ctx.Cfg.Interrupted != "" {
		m.quit = &confirmation{action: openReviewMsg{sess: s}, question: "A run of this plan did not finish (" + m.ctx.Cfg.Interrupted +
			"). Review it to resume? y/n (the run goes on where it stopped, with the same backup)"}
	}
	return tea.Batch(open, m.planSessionCmds(s))
}

// planSession makes a plan's groups and decisions the session; it returns how many groups
// were decided by hand.
func (m *Model) planSession(p model.Plan) (*session, int) {
	m.nextID++
	ctx, cancel := context.WithCancel(m.ctx.base)
	s := &session{id: m.nextID, ns: p.NS, key: p.Key, started: time.Now(), finished: time.Now(),
		cancel: cancel, scanCtx: ctx, deleteMissing: p.DeleteMissing,
		col: model.Collection{NS: p.NS, Type: model.TypeCollection, Count: -1}}
	s.command = "(opened from a plan file: no scan ran)"
	gs := make([]model.Group, len(p.Groups))
	for i, g := range p.Groups {
		gs[i] = model.Group{Key: g.Key, IDs: append([]model.Value{g.Keep}, g.Delete...)}
	}
	s.add(gs)
	// The versions the saved plan recorded are the ones approved: the plan built again records
	// them (and is the same plan, same digest), unless a group view shows a newer one.
	for _, g := range p.Groups {
		if g.KeepFingerprint != "" {
			s.saw([]model.Doc{{ID: g.Keep, Fingerprint: g.KeepFingerprint}})
			for j, id := range g.Delete {
				s.saw([]model.Doc{{ID: id, Fingerprint: g.DeleteFingerprints[j]}})
			}
		}
	}
	hand := 0
	for i, g := range p.Groups {
		how := byRule
		if g.Decision == model.ByHand {
			how = byHand
			hand++
		}
		s.decide(i, 0, how)
	}
	if r, err := model.ParseKeepRule(p.Rule); err == nil && p.Rule != "" {
		s.rule, s.ruleSet = r, true
	}
	if p.Merge != nil {
		m := *p.Merge
		s.merge = &m
	}
	s.previewSeq++
	m.sess = s
	return s, hand
}

// planSessionCmds read what a plan's session needs from the server: its collection (can
// dupes delete there?), the shard key and whether the engine has collations.
func (m *Model) planSessionCmds(s *session) tea.Cmd {
	return tea.Batch(planColCmd(m.ctx.base, m.ctx.Store, s.id, s.ns),
		shardCmd(m.ctx.base, m.ctx.Store, s.id, s.ns), collationCmd(m.ctx.base, m.ctx.Store, s.id))
}

func (m *Model) onPlanCol(msg planColMsg) {
	if m.sess == nil || msg.id != m.sess.id {
		return
	}
	if msg.err != nil {
		m.setErr(ErrorMsg{Where: "open the plan's collection", Err: msg.err})
		return
	}
	m.sess.col = msg.col
}
