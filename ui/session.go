package ui

import (
	"context"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// Decision states of a group, kept one byte per group.
const (
	undecided uint8 = iota
	byRule
	byHand
)

// session is one scan and the decisions taken on its groups. It is sized for a million groups:
// the groups in one slice, keepers and decisions in parallel compact slices, and the summary
// counters kept up to date as decisions change, so no screen ever counts by walking the groups.
type session struct {
	id   int
	ns   model.Namespace
	col  model.Collection
	key  model.Key
	idx  []model.Index
	flds []model.FieldInfo

	pipeline string
	started  time.Time
	finished time.Time
	scanning bool
	scanErr  error
	cancel   context.CancelFunc
	scanCtx  context.Context

	groups []model.Group
	keep   []int32 // keeper's index in the group's IDs; meaningful when how != undecided
	how    []uint8
	sum    model.Summary

	rule     model.KeepRule
	ruleSet  bool
	nRule    int
	nHand    int
	toDelete int // documents the decided groups delete
	executed bool
}

// ctx is the scan's context: cancelling the scan cancels it.
func (s *session) ctx() context.Context { return s.scanCtx }

// add appends a batch of groups from the scan.
func (s *session) add(gs []model.Group) {
	for _, g := range gs {
		s.groups = append(s.groups, g)
		s.sum.Add(g)
	}
	s.keep = append(s.keep, make([]int32, len(gs))...)
	s.how = append(s.how, make([]uint8, len(gs))...)
}

// decide records a group's keeper, keeping the counters exact.
func (s *session) decide(i int, keeper int, how uint8) {
	switch s.how[i] {
	case byRule:
		s.nRule--
	case byHand:
		s.nHand--
	}
	if s.how[i] != undecided {
		s.toDelete -= s.groups[i].Count() - 1
	}
	s.how[i], s.keep[i] = how, int32(keeper)
	switch how {
	case byRule:
		s.nRule++
	case byHand:
		s.nHand++
	}
	if how != undecided {
		s.toDelete += s.groups[i].Count() - 1
	}
}

// decided counts groups with a keeper.
func (s *session) decided() int { return s.nRule + s.nHand }

// pending reports a plan that would be lost on quit.
func (s *session) pending() bool { return s != nil && !s.executed && s.decided() > 0 }

// plan is the plan of every decided group; undecided groups are left alone.
func (s *session) plan() model.Plan { return s.snapshot().build() }

// planSnapshot is what a plan is built from, copied so a Cmd can build it off the UI's path:
// the groups slice is shared (groups are appended, never changed), decisions are copied.
type planSnapshot struct {
	head   model.Plan
	groups []model.Group
	keep   []int32
	how    []uint8
	n      int
}

func (s *session) snapshot() planSnapshot {
	head := model.Plan{Version: model.PlanVersion, NS: s.ns, Key: s.key, Semantics: s.key.Semantics()}
	if s.ruleSet {
		head.Rule = s.rule.String()
	}
	n := len(s.groups)
	return planSnapshot{head: head, groups: s.groups[:n:n], keep: append([]int32(nil), s.keep...),
		how: append([]uint8(nil), s.how...), n: s.decided()}
}

func (ps planSnapshot) build() model.Plan {
	p := ps.head
	p.CreatedAt = time.Now().UTC()
	p.Groups = make([]model.PlanGroup, 0, ps.n)
	for i, g := range ps.groups {
		switch ps.how[i] {
		case byRule:
			p.Groups = append(p.Groups, model.Decide(g, int(ps.keep[i]), model.ByRule))
		case byHand:
			p.Groups = append(p.Groups, model.Decide(g, int(ps.keep[i]), model.ByHand))
		}
	}
	return p
}

// keyText is a group's key values as people read them: "a@x.com" or "A-1 · 2".
func keyText(g model.Group) string {
	parts := make([]string, len(g.Key))
	for i, v := range g.Key {
		if v == model.Null {
			parts[i] = "null/missing"
			continue
		}
		if plainString(v) {
			parts[i] = string(v) // Display would decode JSON only to print the same text
			continue
		}
		parts[i] = oneLine(v.Display())
	}
	return strings.Join(parts, " · ")
}

// matches is the filter test: the needle (lower case) in any key value's Extended JSON text.
// It reads the raw text, not Display, so filtering a million groups stays cheap.
func matches(g model.Group, needle string) bool {
	for _, v := range g.Key {
		if containsFold(string(v), needle) {
			return true
		}
	}
	return false
}

// containsFold is strings.Contains ignoring ASCII case, without allocating.
func containsFold(s, lowerNeedle string) bool {
	n := len(lowerNeedle)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerNeedle[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

// plainString reports a JSON string with no escapes: its Display is its own text.
func plainString(v model.Value) bool {
	return len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && !strings.ContainsRune(string(v), '\\')
}
