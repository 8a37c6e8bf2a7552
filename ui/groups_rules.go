package ui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// ruleChosenMsg is the rule menu's answer: apply a rule to the groups the list shows (its /
// filter's, else all), or with none, clear the rule's choices there. The groups list takes it,
// whichever screen is showing, since it alone knows what it shows.
type ruleChosenMsg struct {
	rule model.KeepRule
	none bool
}

func (ruleChosenMsg) target() screenID { return scrGroups }
func (keepersMsg) target() screenID    { return scrGroups }

// applyRule chooses keepers for the groups the list shows, in a Cmd over a snapshot. Hand
// choices still win where they were taken.
func (s *groupsScreen) applyRule(r model.KeepRule) tea.Cmd {
	ss := s.sess
	targets := s.shownGroups()
	n := len(ss.groups)
	if targets != nil {
		n = len(targets)
	}
	s.ctx.intent(statusMsg("Applying rule " + r.String() + " to " + plural(n, "group", "groups") + "…"))
	paths := make([]string, 0, len(ss.flds))
	for _, f := range ss.flds {
		paths = append(paths, f.Path)
	}
	all := len(ss.groups)
	return keepersCmd(s.ctx.base, s.ctx.Store, ss.id, ss.ns, r, ss.groups[:all:all], targets, paths)
}

// clearRule forgets the rule's choices in the groups the list shows: hand choices stay.
func (s *groupsScreen) clearRule() tea.Cmd {
	ss := s.sess
	targets := s.shownGroups()
	before := ss.nRule
	ss.clearRule(targets)
	touched := before - ss.nRule
	if targets == nil {
		ss.ruleSet = false
		return s.ctx.intent(statusMsg("Rule cleared: " + plural(touched, "group", "groups") + " back to undecided (hand choices stay)."))
	}
	return s.ctx.intent(statusMsg(fmt.Sprintf("Rule cleared in the %s the filter shows: %s back to undecided (hand choices stay).",
		plural(len(targets), "group", "groups"), plural(touched, "group", "groups"))))
}

// onKeepers takes the rule's keepers into the session and says what the rule changed.
func (s *groupsScreen) onKeepers(msg keepersMsg) tea.Cmd {
	ss := s.sess
	if msg.id != ss.id {
		return nil
	}
	// Counted by what the rule changed: a group whose hand choice or skip wins is said apart,
	// and the flagged group of documents lacking the key, left alone, is not counted at all.
	applied, hand := 0, 0
	for j, gi := range msg.groups {
		ss.decide(int(gi), msg.keep[j], byRule) // a hand choice, taken before or meanwhile, wins
		if ss.groups[gi].LacksKey() && !ss.deleteMissing {
			continue // decided, but left alone unless m includes it
		}
		switch ss.how[gi] {
		case byRule:
			applied++
		case byHand, skipped:
			hand++
		}
	}
	ss.rule, ss.ruleSet = msg.rule, true
	scope := ""
	if len(msg.groups) < len(ss.groups) {
		scope = " (the ones the filter shows)"
	}
	status := fmt.Sprintf("Rule %s applied to %s%s", msg.rule, plural(applied, "group", "groups"), scope)
	if hand > 0 {
		status += fmt.Sprintf("; %s kept the hand choice or skip", plural(hand, "group", "groups"))
	}
	return s.ctx.intent(statusMsg(status + "."))
}
