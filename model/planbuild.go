package model

import "fmt"

// Choice is one group's keeper, an index into its IDs, and how it was chosen. A group whose
// choice is Undecided stays out of the plan, and its members are never deleted.
type Choice struct {
	Keep int
	How  Decision
	// Rank lists the group's members (indexes into its IDs) in the keep rule's order, best
	// first (KeepRule.Rank): where overlapping groups take the keeper away, the next one the
	// rule prefers holds the key. Nil (or not a permutation): the keeper, then _id order.
	Rank []int
}

// PlanOptions say what a plan may touch beyond the safe default.
type PlanOptions struct {
	// DeleteMissing lets the plan delete from groups that lack the key (Group.LacksKey).
	// Without it those groups are left alone, whatever their choice says.
	DeleteMissing bool
}

// PlanResult is a plan's groups and what the planner had to say about them.
type PlanResult struct {
	Groups []PlanGroup
	// Overlaps are the decided groups whose outcome is not the one their choice alone gives:
	// members sit in other groups too (array keys), so some were kept or deleted for another
	// key. In scan order.
	Overlaps []Overlap
	// Adjusted is len(Overlaps); Unheld and Crowded count the overlaps whose key no member
	// holds after the plan, and those still held by more than one (see Overlap).
	Adjusted, Unheld, Crowded int
	// LackingGroups and LackingDocs count the groups lacking the key that the plan left
	// alone, and their members.
	LackingGroups, LackingDocs int
}

// Overlap is what the plan does to a group that shares members with other groups.
type Overlap struct {
	Group int     // index into the groups given to BuildPlan
	Key   []Value // the group's key
	// Wanted is the keeper the group's choice names.
	Wanted Value
	// Kept are the members the plan keeps; each holds the key. None: every member is deleted
	// as a duplicate on another of its keys, next to a kept document there, and the key is
	// free. More than one: a member of a skipped or undecided group, which no plan deletes,
	// holds the key next to another kept member, and the group stays a duplicate.
	Kept []Value
	// Elsewhere are the members deleted as duplicates on another key: the plan lists them
	// under that key's group, whose keeper they collide with.
	Elsewhere []Value
}

// Deletes counts the documents the plan deletes.
func (r PlanResult) Deletes() int {
	n := 0
	for _, g := range r.Groups {
		n += len(g.Delete)
	}
	return n
}

// BuildPlan is the one plan builder of dupes: the CLI's plan and resolve and the TUI's review
// all call it, so the same groups and choices make the same plan everywhere.
//
// It keeps exactly the documents that inserting the members, in keep order, into the unique
// index would accept. That is what makes overlapping groups come out right: under array
// (multikey) keys one document holds several keys and sits in several groups, so one group's
// keeper can be another group's duplicate. A document's keys are the groups it belongs to.
// The keep order is:
//   - the keepers chosen by hand, in scan order;
//   - then every member of a group that is undecided (or skipped): kept whatever it collides
//     with, since such a group is left alone;
//   - then the rest in the rule's order (Choice.Rank; groups sharing a member agree on it).
//
// In that order a document is kept if none of its keys is held yet, and then holds them all;
// otherwise it is deleted, in the plan entry of a key it collides on, whose keeper is that
// key's first holder. So every deleted document has a kept duplicate the executor can check,
// and every key a plan touches ends with at most one holder: one run builds the index. A group
// whose members all collide elsewhere ends with no holder; Overlaps says so.
//
// Groups lacking the key take no part unless opts.DeleteMissing. The plan's entries come in
// scan order, each with its members' scan order; entries that delete nothing are left out.
func BuildPlan(groups []Group, choices []Choice, opts PlanOptions) PlanResult {
	var res PlanResult
	b := newPlanner(groups, choices, opts)
	for gi, g := range groups {
		if b.role[gi] == lacking {
			res.LackingGroups++
			res.LackingDocs += g.Count()
		}
	}
	b.handTier()
	b.untouchedTier()
	b.ruleTier()
	res.Groups = b.entries()
	res.Overlaps = b.overlaps()
	res.Adjusted = len(res.Overlaps)
	for _, o := range res.Overlaps {
		switch {
		case len(o.Kept) == 0:
			res.Unheld++
		case len(o.Kept) > 1:
			res.Crowded++
		}
	}
	return res
}

// PlanGroups is BuildPlan for groups all decided the same way (a rule's keepers), with the
// safe default: groups lacking the key are left alone. adjusted is PlanResult.Adjusted.
func PlanGroups(groups []Group, keepers []int, how Decision) (out []PlanGroup, adjusted int) {
	choices := make([]Choice, len(groups))
	for i := range choices {
		choices[i].How = how
		if i < len(keepers) {
			choices[i].Keep = keepers[i]
		}
	}
	res := BuildPlan(groups, choices, PlanOptions{})
	return res.Groups, res.Adjusted
}

// Rank is the group's members (indexes into g.IDs) in the rule's order, best first: what
// Choice.Rank asks for. Its first is Keeper's choice; members whose document is not in docs
// (gone since the scan) come last. first and last read no documents.
func (r KeepRule) Rank(g Group, docs []Doc) ([]int, error) {
	out := make([]int, 0, len(g.IDs))
	if !r.NeedsDocs() {
		// first and last order the _ids alone: the documents are not read.
		ids := make([]Doc, len(g.IDs))
		for i, id := range g.IDs {
			ids[i] = Doc{ID: id}
		}
		return MergeOrder(r, ids), nil
	}
	byID := make(map[Value]*Doc, len(docs))
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	// The members found, in _id order (g.IDs's), for MergeOrder's stable ties.
	var found []Doc
	var at []int
	for i, id := range g.IDs {
		if d, ok := byID[id]; ok {
			found = append(found, *d)
			at = append(at, i)
		}
	}
	if len(found) == 0 {
		return nil, ErrNoDocs
	}
	seen := make([]bool, len(g.IDs))
	for _, k := range MergeOrder(r, found) {
		out = append(out, at[k])
		seen[at[k]] = true
	}
	for i := range g.IDs {
		if !seen[i] {
			out = append(out, i)
		}
	}
	return out, nil
}

// CheckLacking refuses a plan that deletes documents lacking the key without saying so
// (DeleteMissing): a plan file edited by hand, or written by a dupes without the safe default.
func (p Plan) CheckLacking() error {
	if p.DeleteMissing {
		return nil
	}
	for i, g := range p.Groups {
		if (Group{Key: g.Key}).LacksKey() && len(g.Delete) > 0 {
			return fmt.Errorf("plan group %d deletes %d documents lacking the key %s, and the plan does not say "+
				"deleteMissing: true (dupes plan --delete-missing writes it): refusing", i+1, len(g.Delete), p.Key)
		}
	}
	return nil
}
