package ui

import (
	"sort"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// sortOrder is the groups list's order, cycled by o.
type sortOrder uint8

const (
	byKey       sortOrder = iota // the scan's order: by key value, groups lacking the key first
	bySize                       // most members first
	byUndecided                  // groups without a keeper first, then by key
)

func (o sortOrder) next() sortOrder { return (o + 1) % 3 }

func (o sortOrder) String() string {
	switch o {
	case bySize:
		return "size, largest first"
	case byUndecided:
		return "undecided first"
	}
	return "key"
}

// resortMsg asks the groups list to sort again (its filter changed).
type resortMsg struct{}

// sortedMsg is the list's order computed by sortCmd; seq tells a stale one from the latest.
type sortedMsg struct {
	seq  int
	rows []int32
}

// resort computes the list's order in a Cmd over a snapshot: a million groups sort off the
// UI's path. The order is fixed until the next o or filter, so a decision taken on an
// "undecided first" list does not move the row under the cursor.
func (s *groupsScreen) resort() tea.Cmd {
	s.sortSeq++
	s.sorted = nil
	if s.order == byKey || s.sess == nil {
		return nil
	}
	rows := make([]int32, s.len())
	for pos := range rows {
		rows[pos] = int32(s.base(pos))
	}
	n := len(s.sess.groups)
	return sortCmd(s.sortSeq, s.order, rows, s.sess.groups[:n:n], append([]uint8(nil), s.sess.how...))
}

func sortCmd(seq int, order sortOrder, rows []int32, groups []model.Group, how []uint8) tea.Cmd {
	return func() tea.Msg {
		// Stable: equal sizes keep the key order.
		switch order {
		case bySize:
			sort.SliceStable(rows, func(i, j int) bool { return groups[rows[i]].Count() > groups[rows[j]].Count() })
		case byUndecided:
			sort.SliceStable(rows, func(i, j int) bool { return how[rows[i]] == undecided && how[rows[j]] != undecided })
		}
		return sortedMsg{seq: seq, rows: rows}
	}
}

// skipGroup leaves a group alone, or takes that back, and says so.
func (s *session) skipGroup(gi int) tea.Cmd {
	text := "Group " + keyText(s.groups[gi]) + " is skipped: never in the plan (s takes it back)."
	if !s.toggleSkip(gi) {
		text = "Group " + keyText(s.groups[gi]) + " is no longer skipped."
	}
	return func() tea.Msg { return statusMsg(text) }
}

// undoGroup drops a group's hand choice and says what is in force now.
func (s *session) undoGroup(gi int) tea.Cmd {
	var text string
	switch {
	case !s.undoHand(gi):
		text = "No hand choice to undo in this group."
	case s.how[gi] == byRule:
		text = "Hand choice undone: the rule's keeper is back."
	default:
		text = "Hand choice undone: the group is undecided."
	}
	return func() tea.Msg { return statusMsg(text) }
}
