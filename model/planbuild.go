package model

// PlanGroups turns scanned groups and their keepers (an index into each group's IDs, e.g. a
// rule's choice) into plan entries that Plan.Validate accepts even when groups overlap, as
// they do under array (multikey) keys, where one document can sit in several groups:
//   - a document kept by one group is never deleted by another: a group holding such a member
//     keeps it instead of the rule's choice;
//   - no document is deleted twice: a member already deleted by an earlier group is left out;
//   - never every member of a group: when all of a group's members are already deleted by
//     earlier groups, the rule's choice is spared (taken out of the earlier group's deletes),
//     so the group's value survives in one document.
//
// Groups left with nothing to delete are dropped. adjusted counts the groups whose keeper is
// not the one asked for, or that spared a document; their duplicates may need a second pass.
func PlanGroups(groups []Group, keepers []int, how Decision) (out []PlanGroup, adjusted int) {
	kept := map[Value]bool{}
	deletedBy := map[Value]int{} // document -> index in out of the group deleting it
	for i, g := range groups {
		if len(g.IDs) == 0 {
			continue
		}
		want := 0
		if i < len(keepers) && keepers[i] >= 0 && keepers[i] < len(g.IDs) {
			want = keepers[i]
		}
		keep := -1
		for j, id := range g.IDs {
			if kept[id] {
				keep = j
				break
			}
		}
		if keep < 0 {
			if _, gone := deletedBy[g.IDs[want]]; !gone {
				keep = want
			} else {
				for j, id := range g.IDs {
					if _, gone := deletedBy[id]; !gone {
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
			prev := &out[deletedBy[id]]
			prev.Delete = removeValue(prev.Delete, id)
			delete(deletedBy, id)
		}
		if keep != want || spared {
			adjusted++
		}
		pg := PlanGroup{Key: g.Key, Keep: g.IDs[keep], Decision: how, Delete: []Value{}}
		kept[pg.Keep] = true
		for j, id := range g.IDs {
			if j == keep || kept[id] {
				continue
			}
			if _, gone := deletedBy[id]; gone {
				continue
			}
			pg.Delete = append(pg.Delete, id)
			deletedBy[id] = len(out)
		}
		out = append(out, pg)
	}
	// Drop groups that delete nothing (their keeper alone, or spared).
	n := 0
	for _, pg := range out {
		if len(pg.Delete) > 0 {
			out[n] = pg
			n++
		}
	}
	return out[:n], adjusted
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
