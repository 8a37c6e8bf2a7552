package model

import (
	"fmt"
	"sort"
)

// Choice is one group's keeper, an index into its IDs, and how it was chosen. A group whose
// choice is Undecided stays out of the plan.
type Choice struct {
	Keep int
	How  Decision
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
	// Adjusted counts the groups whose keeper is not the one asked for, or that spared a
	// document (overlapping groups, see BuildPlan): their duplicates may need a second pass.
	Adjusted int
	// LackingGroups and LackingDocs count the groups lacking the key that the plan left
	// alone, and their members.
	LackingGroups, LackingDocs int
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
// all call it, so the same groups and choices make the same plan everywhere. It turns scanned
// groups and their choices into plan entries that Plan.Validate accepts even when groups
// overlap, as they do under array (multikey) keys, where one document sits in several groups:
//   - groups lacking the key are left out unless opts.DeleteMissing;
//   - hand decisions are honoured before rule decisions, so a rule never overrides a keeper
//     chosen by hand in an overlapping group;
//   - a document kept by one group is never deleted by another: a group holding such a member
//     keeps it instead of its choice;
//   - no document is deleted twice: a member already deleted by an earlier group is left out;
//   - never every member of a group: when all of a group's members are already deleted by
//     earlier groups, its choice is spared (taken out of the earlier group's deletes), so the
//     group's value survives in one document.
//
// Groups left with nothing to delete are dropped; the rest come in scan order.
func BuildPlan(groups []Group, choices []Choice, opts PlanOptions) PlanResult {
	var res PlanResult
	var order []int
	for _, pass := range []Decision{ByHand, ByRule} {
		for i, g := range groups {
			if i >= len(choices) || choices[i].How != pass || len(g.IDs) == 0 {
				continue
			}
			if g.LacksKey() && !opts.DeleteMissing {
				continue
			}
			order = append(order, i)
		}
	}
	for _, g := range groups {
		if g.LacksKey() && !opts.DeleteMissing {
			res.LackingGroups++
			res.LackingDocs += g.Count()
		}
	}
	members := 0
	for _, i := range order {
		members += len(groups[i].IDs)
	}
	b := planner{kept: make(map[Value]bool, len(order)), deletedBy: make(map[Value]int, members)}
	for _, i := range order {
		b.add(i, groups[i], choices[i])
	}
	res.Adjusted = b.adjusted
	// Back to scan order, dropping groups that delete nothing (their keeper alone, or spared).
	idx := make([]int, 0, len(b.out))
	for k, pg := range b.out {
		if len(pg.Delete) > 0 {
			idx = append(idx, k)
		}
	}
	sort.SliceStable(idx, func(a, c int) bool { return b.from[idx[a]] < b.from[idx[c]] })
	res.Groups = make([]PlanGroup, len(idx))
	for n, k := range idx {
		res.Groups[n] = b.out[k]
	}
	return res
}

// planner holds BuildPlan's state: who is kept, who is deleted by which plan entry.
type planner struct {
	out       []PlanGroup
	from      []int // the group index of each entry of out
	kept      map[Value]bool
	deletedBy map[Value]int // document -> index in out of the entry deleting it
	adjusted  int
}

func (b *planner) add(gi int, g Group, c Choice) {
	want := 0
	if c.Keep >= 0 && c.Keep < len(g.IDs) {
		want = c.Keep
	}
	keep := -1
	for j, id := range g.IDs {
		if b.kept[id] {
			keep = j
			break
		}
	}
	if keep < 0 {
		if _, gone := b.deletedBy[g.IDs[want]]; !gone {
			keep = want
		} else {
			for j, id := range g.IDs {
				if _, gone := b.deletedBy[id]; !gone {
					keep = j
					break
				}
			}
		}
	}
	spared := keep < 0
	if spared {
		// Every member is deleted elsewhere: spare the wanted one.
		keep = want
		id := g.IDs[want]
		prev := &b.out[b.deletedBy[id]]
		prev.Delete = removeValue(prev.Delete, id)
		delete(b.deletedBy, id)
	}
	if keep != want || spared {
		b.adjusted++
	}
	pg := PlanGroup{Key: g.Key, Keep: g.IDs[keep], Decision: c.How, Delete: []Value{}}
	b.kept[pg.Keep] = true
	for j, id := range g.IDs {
		if j == keep || b.kept[id] {
			continue
		}
		if _, gone := b.deletedBy[id]; gone {
			continue
		}
		pg.Delete = append(pg.Delete, id)
		b.deletedBy[id] = len(b.out)
	}
	b.out = append(b.out, pg)
	b.from = append(b.from, gi)
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

func removeValue(vs []Value, v Value) []Value {
	out := vs[:0]
	for _, x := range vs {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
