package ui

import (
	"context"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// Decision states of a group, kept one byte per group. skipped is the user's "leave this
// group alone": never in the plan, whatever the rule or a hand choice says.
const (
	undecided uint8 = iota
	byRule
	byHand
	skipped
)

// noKeeper marks a group the rule (rkeep) or the user (hkeep) has not chosen a keeper for.
const noKeeper int32 = -1

// session is one scan and the decisions taken on its groups. It is sized for a million groups:
// the groups in one slice, keepers and decisions in parallel compact slices, and the summary
// counters kept up to date as decisions change, so no screen ever counts by walking the groups.
type session struct {
	id int
	ns model.Namespace
	// target is the key a pasted E11000 named: the list opens on its group.
	target []model.Value
	// prior says what an earlier run of the session's plan did (a plan opened from a file,
	// or reviewed again); resumes says that run did not finish: confirming goes on with it.
	prior   string
	resumes bool
	col     model.Collection
	key     model.Key
	flds    []model.FieldInfo

	command  string // the scan as a mongosh statement (Store.ScanCommand)
	started  time.Time
	finished time.Time
	scanning bool
	scanErr  error
	cancel   context.CancelFunc
	scanCtx  context.Context

	groups []model.Group
	keep   []int32 // keeper's index in the group's IDs; meaningful when how is byRule or byHand
	how    []uint8 // the decision in force: settle derives it from the three below
	// rkeep is the rule's keeper, hkeep the hand's (noKeeper: none), skip the user's "leave
	// alone". Kept apart so that u (undo the hand choice) falls back to the rule, r none
	// falls back to the hand choices, and s taken back restores whichever was in force.
	rkeep []int32
	hkeep []int32
	skip  []bool
	sum   model.Summary
	// lacking are the groups whose key values are all null (model.Group.LacksKey), in scan
	// order: listed first, flagged, and left out of the plan unless deleteMissing.
	lacking       []int32
	deleteMissing bool
	// shard is the collection's shard key (zero: not sharded), read when the scan starts, for
	// the index offered after the cleanup.
	shard    model.ShardKey
	shardErr error
	// noCollation says the server builds no index with a collation (FerretDB), engine names it:
	// an ignore-case scan is then told no unique index can ignore case there.
	noCollation bool
	engine      string

	rule    model.KeepRule
	ruleSet bool
	// merge, set by M on a group, makes the plan fill each keeper's missing or null fields
	// from the members it deletes (model.MergeOptions); nil: keepers are left as they are.
	merge *model.MergeOptions
	// nRule, nHand and nSkip count groups that have a key value (lacking groups apart) by
	// the decision in force.
	nRule    int
	nHand    int
	nSkip    int
	executed bool
	// ran is the plan the last run executed: the done screen runs it again to finish it.
	ran     *model.Plan
	dropped bool // the user left the groups, confirming the plan is to be lost
	// seen is, per member, the version the group view last showed (model.Fingerprint), or for
	// a session opened on a plan file, the version that plan recorded: the plan records it,
	// so a member changed afterwards is not deleted. Members never shown are read when the
	// review builds the plan (fingerprintPlan).
	seen model.Fingerprints

	// preview is the model planner's account of the current decisions (what the review will
	// show), surplus what a cleanup of every group would delete: both computed in a Cmd
	// (previewCmd) whenever their inputs change; seq tells a stale answer from the latest.
	preview    model.PlanResult
	surplus    int
	previewSeq int
	requested  int // the seq of the last previewCmd started
	surplusOf  surplusInputs
	previewed  int // the seq of the preview shown; previewSeq while up to date
}

// previewIfStale starts the planner over the current decisions when they changed since the
// last run, and the scan is over (not once per batch).
func (s *session) previewIfStale() tea.Cmd {
	if s == nil || s.scanning || s.requested == s.previewSeq {
		return nil
	}
	s.requested = s.previewSeq
	// The surplus depends on the groups and on deleteMissing only: a hand decision on a
	// million groups runs the planner once, not twice.
	in := surplusInputs{groups: len(s.groups), deleteMissing: s.deleteMissing}
	again := in != s.surplusOf
	s.surplusOf = in
	return previewCmd(s.id, s.previewSeq, s.snapshot(), again, in)
}

// take records the answer of one of the session's Cmds: the planner's preview, the shard key,
// whether the engine has collations. An answer for another session is dropped.
func (s *session) take(msg tea.Msg) {
	switch msg := msg.(type) {
	case previewMsg:
		if s == nil || msg.id != s.id {
			return
		}
		// The surplus is asked for only when its inputs change: take it even from a preview
		// whose decisions are stale, as long as it was computed from the current inputs.
		if msg.surplus >= 0 && msg.of == s.surplusOf {
			s.surplus = msg.surplus
		}
		if msg.seq == s.previewSeq { // else a newer one is on its way
			s.preview, s.previewed = msg.res, msg.seq
		}
	case shardMsg:
		if s != nil && msg.id == s.id {
			s.shard, s.shardErr = msg.key, msg.err
		}
	case collationMsg:
		if s != nil && msg.id == s.id {
			s.noCollation, s.engine = !msg.ok, msg.engine
		}
	}
}

// surplusInputs is what the surplus shown was computed from.
type surplusInputs struct {
	groups        int
	deleteMissing bool
}

// setMissing includes (or leaves alone) the groups lacking the key.
func (s *session) setMissing(on bool) {
	s.deleteMissing = on
	s.previewSeq++
}

// ctx is the scan's context: cancelling the scan cancels it.
func (s *session) ctx() context.Context { return s.scanCtx }

// add appends a batch of groups from the scan.
func (s *session) add(gs []model.Group) {
	for _, g := range gs {
		if g.LacksKey() {
			s.lacking = append(s.lacking, int32(len(s.groups)))
		}
		s.groups = append(s.groups, g)
		s.sum.Add(g)
	}
	s.keep = append(s.keep, make([]int32, len(gs))...)
	s.how = append(s.how, make([]uint8, len(gs))...)
	s.skip = append(s.skip, make([]bool, len(gs))...)
	for range gs {
		s.rkeep = append(s.rkeep, noKeeper)
		s.hkeep = append(s.hkeep, noKeeper)
	}
}

// decide records a keeper chosen by the rule or by hand, and settles the group.
func (s *session) decide(i int, keeper int, how uint8) {
	switch how {
	case byRule:
		s.rkeep[i] = int32(keeper)
	case byHand:
		s.hkeep[i] = int32(keeper)
	}
	s.settle(i)
}

// undoHand drops a group's hand choice: the rule's keeper, or undecided, is back in force.
// It reports whether there was one.
func (s *session) undoHand(i int) bool {
	if s.hkeep[i] == noKeeper {
		return false
	}
	s.hkeep[i] = noKeeper
	s.settle(i)
	return true
}

// toggleSkip leaves a group alone, or takes that back; it reports whether it is skipped now.
func (s *session) toggleSkip(i int) bool {
	s.skip[i] = !s.skip[i]
	s.settle(i)
	return s.skip[i]
}

// clearRule forgets the rule's keeper of the listed groups (nil: every group).
func (s *session) clearRule(groups []int32) {
	if groups == nil {
		for i := range s.rkeep {
			if s.rkeep[i] != noKeeper {
				s.rkeep[i] = noKeeper
				s.settle(i)
			}
		}
		return
	}
	for _, gi := range groups {
		if s.rkeep[gi] != noKeeper {
			s.rkeep[gi] = noKeeper
			s.settle(int(gi))
		}
	}
}

// settle derives the decision in force (skip, else hand, else rule, else undecided) and keeps
// the counters exact.
func (s *session) settle(i int) {
	how, keep := undecided, s.keep[i]
	switch {
	case s.skip[i]:
		how = skipped
	case s.hkeep[i] != noKeeper:
		how, keep = byHand, s.hkeep[i]
	case s.rkeep[i] != noKeeper:
		how, keep = byRule, s.rkeep[i]
	}
	counted := !s.groups[i].LacksKey()
	if counted {
		s.count(s.how[i], -1)
		s.count(how, 1)
	}
	s.how[i], s.keep[i] = how, keep
	s.previewSeq++
}

func (s *session) count(how uint8, d int) {
	switch how {
	case byRule:
		s.nRule += d
	case byHand:
		s.nHand += d
	case skipped:
		s.nSkip += d
	}
}

// decidedAt reports a group with a keeper in force.
func (s *session) decidedAt(i int) bool { return s.how[i] == byRule || s.how[i] == byHand }

// decidedShown counts decided groups as the summary counts groups: the lacking ones too when
// they are included.
func (s *session) decidedShown() int {
	n := s.decided()
	if s.deleteMissing {
		for _, gi := range s.lacking {
			if s.decidedAt(int(gi)) {
				n++
			}
		}
	}
	return n
}

// summary is the scan's count as the plan sees it: groups lacking the key count as
// duplicates only when deleteMissing.
func (s *session) summary() model.Summary {
	if s.deleteMissing {
		return s.sum.WithLacking()
	}
	return s.sum
}

// surplusShown is the surplus to show: the planner's (which never exceeds what a plan can
// delete, overlapping array-key groups included) once it is known, the scan's count before.
func (s *session) surplusShown() (n int, exact bool) {
	if s.previewed > 0 && !s.scanning {
		return s.surplus, true
	}
	return s.summary().Surplus, false
}

// lackingDocs counts the documents of the groups lacking the key.
func (s *session) lackingDocs() int { return s.sum.LackingKey }

// decided counts groups with a keeper.
func (s *session) decided() int { return s.nRule + s.nHand }

// undecidedShown counts the groups shown that have no keeper and are not skipped.
func (s *session) undecidedShown() int {
	n := s.summary().Groups - s.decidedShown() - s.nSkip
	if s.deleteMissing {
		for _, gi := range s.lacking {
			if s.how[gi] == skipped {
				n--
			}
		}
	}
	return max(n, 0)
}

// saw records the versions of documents the group view shows.
func (s *session) saw(docs []model.Doc) {
	if s.seen == nil {
		s.seen = model.Fingerprints{}
	}
	for _, d := range docs {
		if d.Fingerprint != "" {
			s.seen[d.ID] = d.Fingerprint
		}
	}
}

// pending reports a plan that would be lost on quit.
func (s *session) pending() bool { return s != nil && !s.executed && !s.dropped && s.decided() > 0 }

// plan is the plan of every decided group; undecided groups are left alone.
func (s *session) plan() model.Plan { p, _ := s.snapshot().build(); return p }

// planSnapshot is what a plan is built from, copied so a Cmd can build it off the UI's path:
// the groups slice is shared (groups are appended, never changed), decisions are copied.
type planSnapshot struct {
	head   model.Plan
	groups []model.Group
	keep   []int32
	how    []uint8
}

func (s *session) snapshot() planSnapshot {
	head := model.Plan{Version: model.PlanVersion, NS: s.ns, Key: s.key, Semantics: s.key.Semantics(), DeleteMissing: s.deleteMissing}
	if s.ruleSet {
		head.Rule = s.rule.String()
	}
	if s.merge != nil {
		m := *s.merge
		head.Merge = &m
	}
	n := len(s.groups)
	return planSnapshot{head: head, groups: s.groups[:n:n], keep: append([]int32(nil), s.keep[:n]...),
		how: append([]uint8(nil), s.how[:n]...)}
}

// choices turns the session's decisions into the model planner's.
func (ps planSnapshot) choices() []model.Choice {
	cs := make([]model.Choice, len(ps.groups))
	for i := range cs {
		switch ps.how[i] {
		case byRule:
			cs[i] = model.Choice{Keep: int(ps.keep[i]), How: model.ByRule}
		case byHand:
			cs[i] = model.Choice{Keep: int(ps.keep[i]), How: model.ByHand}
		}
	}
	return cs
}

// result runs the model planner, the one `dupes plan` runs, over the snapshot.
func (ps planSnapshot) result() model.PlanResult {
	return model.BuildPlan(ps.groups, ps.choices(), model.PlanOptions{DeleteMissing: ps.head.DeleteMissing})
}

func (ps planSnapshot) build() (model.Plan, model.PlanResult) {
	p := ps.head
	p.CreatedAt = time.Now().UTC()
	res := ps.result()
	p.Groups = res.Groups
	return p, res
}

// surplus is what a cleanup of every group would delete, keeping each group's first member:
// the planner's count, so that overlapping groups (array keys) are not counted twice.
func (ps planSnapshot) surplus() int {
	cs := make([]model.Choice, len(ps.groups))
	for i := range cs {
		cs[i].How = model.ByRule
	}
	return model.BuildPlan(ps.groups, cs, model.PlanOptions{DeleteMissing: ps.head.DeleteMissing}).Deletes()
}

// offer is the unique index to offer after the cleanup: partial while documents lacking the
// key stay, shard key first on a sharded collection (model.OfferIndex).
// An ignore-case scan (without trim, which no index does) is offered the index with
// collation strength 2, on a server that has collations.
func (s *session) offer() model.IndexOffer {
	if s.key.WholeDocument {
		return model.IndexOffer{Refused: "a whole-document key is no set of fields a unique index could hold"}
	}
	// An ignore-case scan is offered the index with collation strength 2, where the server has
	// collations; elsewhere, and for a trimmed scan, OfferIndex refuses and says what would do.
	k := s.key
	ci := k.IgnoreCase && !k.Trim && k.Collation == nil && !s.noCollation
	if ci {
		c := ignoreCaseCollation
		k.Collation = &c
	}
	o := model.OfferIndex(k, !s.deleteMissing, s.shard)
	if o.Refused != "" && k.IgnoreCase && s.noCollation {
		o.Refused = s.engine + " has no collations; " + o.Refused
	}
	if !ci || o.Refused != "" {
		return o
	}
	if o.Key.Index == "" || o.Partial {
		o.Key.Index = o.Name() + "_ci" // beside an exact index on the same fields, under its own name
	}
	o.Guarantee += "; strings compare ignoring case (collation en, strength 2), as the scan did"
	return o
}

// describeOffer names the offered index: "email_1 on email (partial: …)".
func describeOffer(o model.IndexOffer) string {
	s := "unique index " + o.Name() + " on " + o.Key.String()
	if o.Partial {
		s += " (partial: documents lacking the key are left out of it)"
	}
	return s
}

// lacksMark flags the documents lacking the key wherever they are shown.
const lacksMark = "⚑"

// keyText is a group's key values as people read them: "a@x.com" or "A-1 · 2".
func keyText(g model.Group) string {
	parts := make([]string, len(g.Key))
	for i, v := range g.Key {
		if v == model.Null {
			parts[i] = "null/missing"
			continue
		}
		if plainString(v) {
			// Display would decode JSON only to print the same text; the driver leaves DEL, C1
			// and bidi characters raw in it, which SafeText escapes as the CLI does.
			parts[i] = model.SafeText(string(v))
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
