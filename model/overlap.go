package model

// The planner behind BuildPlan: a greedy insertion of the members into the unique index, in
// keep order. Documents are numbered once; each group's members and each document's keys are
// held in flat slices, so a million groups cost a few slices, not a million small ones.

// roles of a group in the plan.
const (
	inactive  uint8 = iota // no members
	lacking                // lacks the key, left alone (no DeleteMissing): its key takes no part
	untouched              // undecided or skipped: every member kept
	handRole               // keeper chosen by hand
	ruleRole               // keeper chosen by the rule
)

// states of a document.
const (
	docOpen uint8 = iota
	docKept
	docDeleted
)

type planner struct {
	groups  []Group
	choices []Choice
	role    []uint8
	ids     []Value // per document: its _id
	// gStart[g]..gStart[g+1] index members: the documents of group g, as its IDs list them.
	gStart  []int32
	members []int32
	// dStart[d]..dStart[d+1] index keys: the groups (keys) of document d, in scan order.
	dStart []int32
	keys   []int32

	state     []uint8
	holder    []int32 // per group: its first holder, -1 while the key is free
	deletedIn []int32 // per document: the group whose plan entry deletes it
	sticky    []bool  // per document: a member of an untouched group, never deleted
}

func newPlanner(groups []Group, choices []Choice, opts PlanOptions) *planner {
	b := &planner{groups: groups, choices: choices, role: make([]uint8, len(groups)), gStart: make([]int32, len(groups)+1)}
	n := 0
	for gi, g := range groups {
		switch {
		case len(g.IDs) == 0:
			b.role[gi] = inactive
		case g.LacksKey() && !opts.DeleteMissing:
			b.role[gi] = lacking
		case gi >= len(choices) || choices[gi].How == Undecided:
			b.role[gi] = untouched
		case choices[gi].How == ByHand:
			b.role[gi] = handRole
		default:
			b.role[gi] = ruleRole
		}
		if b.role[gi] > lacking {
			n += len(g.IDs)
		}
	}
	// Number the documents. A group listing one twice (no scan does) gives it that key once.
	num := make(map[Value]int32, n)
	b.members = make([]int32, 0, n)
	var count, last []int32
	for gi, g := range groups {
		b.gStart[gi] = int32(len(b.members))
		if b.role[gi] <= lacking {
			continue
		}
		for _, id := range g.IDs {
			d, ok := num[id]
			if !ok {
				d = int32(len(b.ids))
				num[id] = d
				b.ids = append(b.ids, id)
				count, last = append(count, 0), append(last, -1)
			}
			b.members = append(b.members, d)
			if last[d] != int32(gi) {
				last[d] = int32(gi)
				count[d]++
			}
		}
	}
	b.gStart[len(groups)] = int32(len(b.members))
	docs := len(b.ids)
	b.dStart = make([]int32, docs+1)
	for d, c := range count {
		b.dStart[d+1] = b.dStart[d] + c
	}
	b.keys = make([]int32, b.dStart[docs])
	fill := append([]int32(nil), b.dStart[:docs]...)
	for gi := range groups {
		for _, d := range b.group(gi) {
			if f := fill[d]; f == b.dStart[d] || b.keys[f-1] != int32(gi) {
				b.keys[f] = int32(gi)
				fill[d]++
			}
		}
	}
	b.state = make([]uint8, docs)
	b.deletedIn = make([]int32, docs)
	b.sticky = make([]bool, docs)
	b.holder = make([]int32, len(groups))
	for gi := range b.holder {
		b.holder[gi] = -1
		if b.role[gi] == untouched {
			for _, d := range b.group(gi) {
				b.sticky[d] = true
			}
		}
	}
	return b
}

func (b *planner) group(gi int) []int32 { return b.members[b.gStart[gi]:b.gStart[gi+1]] }

func (b *planner) keysOf(d int32) []int32 { return b.keys[b.dStart[d]:b.dStart[d+1]] }

// insert is the unique index's answer to document d: kept if none of its keys is held (or if
// it belongs to an untouched group, which no plan deletes), else deleted as a duplicate on
// the first held key, in scan order.
func (b *planner) insert(d int32) {
	if !b.sticky[d] {
		for _, gi := range b.keysOf(d) {
			if b.holder[gi] >= 0 {
				b.state[d], b.deletedIn[d] = docDeleted, gi
				return
			}
		}
	}
	b.state[d] = docKept
	for _, gi := range b.keysOf(d) {
		if b.holder[gi] < 0 {
			b.holder[gi] = d
		}
	}
}

// handTier inserts the keepers chosen by hand, in scan order.
func (b *planner) handTier() {
	for gi := range b.groups {
		if b.role[gi] != handRole {
			continue
		}
		if d := b.group(gi)[b.want(gi)]; b.state[d] == docOpen {
			b.insert(d)
		}
	}
}

// untouchedTier keeps every member of the undecided and skipped groups.
func (b *planner) untouchedTier() {
	for gi := range b.groups {
		if b.role[gi] != untouched {
			continue
		}
		for _, d := range b.group(gi) {
			if b.state[d] == docOpen {
				b.insert(d)
			}
		}
	}
}

// want is the index in the group's members of the keeper its choice names.
func (b *planner) want(gi int) int {
	k := b.choices[gi].Keep
	if k < 0 || k >= len(b.group(gi)) {
		return 0
	}
	return k
}

// rank is the group's members, as documents, in the rule's order: Choice.Rank when it is a
// permutation of the members, else the keeper followed by the others in _id order.
func (b *planner) rank(gi int) []int32 {
	m := b.group(gi)
	out := make([]int32, 0, len(m))
	if r := b.choices[gi].Rank; len(r) == len(m) {
		seen := make([]bool, len(m))
		for _, j := range r {
			if j < 0 || j >= len(m) || seen[j] {
				out = out[:0]
				break
			}
			seen[j] = true
			out = append(out, m[j])
		}
		if len(out) == len(m) {
			return out
		}
	}
	w := b.want(gi)
	out = append(out, m[w])
	for j, d := range m {
		if j != w {
			out = append(out, d)
		}
	}
	return out
}

// ruleTier inserts the remaining documents in the rule's order. Each decided group ranks its
// own members; a document is next when it leads the rank of every group it is in (a merge of
// the ranks, Kahn's way). Only the order of two documents sharing a key changes what the
// index accepts, and those share a rank, so every merge gives the same plan. Ranks that
// disagree (a document changed between two reads) would deadlock the merge: the first
// group's leader then goes next.
func (b *planner) ruleTier() {
	ranks := make([][]int32, len(b.groups))
	pos := make([]int, len(b.groups))
	ready := make([]int32, len(b.state)) // per document: how many ranks it leads
	var queue []int32
	lead := func(gi int32) {
		r := ranks[gi]
		for pos[gi] < len(r) && b.state[r[pos[gi]]] != docOpen {
			pos[gi]++
		}
		if pos[gi] < len(r) {
			d := r[pos[gi]]
			ready[d]++
			if int(ready[d]) == len(b.keysOf(d)) {
				queue = append(queue, d)
			}
		}
	}
	for gi := range b.groups {
		if b.role[gi] != handRole && b.role[gi] != ruleRole {
			continue
		}
		if b.alone(gi) {
			// No member sits in another group (the usual case): the rule's choice goes in
			// first, and the rest collide with it. No rank to merge.
			m := b.group(gi)
			w := b.want(gi)
			if b.state[m[w]] == docOpen {
				b.insert(m[w])
			}
			for _, d := range m {
				if b.state[d] == docOpen {
					b.insert(d)
				}
			}
			continue
		}
		ranks[gi] = b.rank(gi)
		lead(int32(gi))
	}
	next := 0 // the first group whose rank may still hold open documents
	for {
		var d int32
		switch {
		case len(queue) > 0:
			d, queue = queue[0], queue[1:]
			if b.state[d] != docOpen {
				continue
			}
		default:
			for next < len(ranks) && pos[next] >= len(ranks[next]) {
				next++
			}
			if next == len(ranks) {
				return
			}
			d = ranks[next][pos[next]]
		}
		b.insert(d)
		for _, gi := range b.keysOf(d) {
			if r := ranks[gi]; pos[gi] < len(r) && r[pos[gi]] == d {
				pos[gi]++
				lead(gi)
			}
		}
	}
}

// alone reports a group none of whose members is in another group.
func (b *planner) alone(gi int) bool {
	for _, d := range b.group(gi) {
		if b.dStart[d+1]-b.dStart[d] != 1 {
			return false
		}
	}
	return true
}

// entries are the plan: per group, the members deleted as duplicates on its key, with its
// first holder as keeper; groups that delete nothing are left out.
func (b *planner) entries() []PlanGroup {
	var out []PlanGroup
	listed := make([]bool, len(b.ids)) // a group listing a document twice deletes it once
	for gi, g := range b.groups {
		var del []Value
		for _, d := range b.group(gi) {
			if b.state[d] == docDeleted && b.deletedIn[d] == int32(gi) && !listed[d] {
				listed[d] = true
				del = append(del, b.ids[d])
			}
		}
		if len(del) == 0 {
			continue
		}
		out = append(out, PlanGroup{Key: g.Key, Keep: b.ids[b.holder[gi]], Decision: b.choices[gi].How, Delete: del})
	}
	return out
}

// overlaps reports the decided groups whose outcome is not their choice's alone.
func (b *planner) overlaps() []Overlap {
	var out []Overlap
	seen := make([]int32, len(b.ids)) // the last group (plus one) that listed each document
	for gi, g := range b.groups {
		if b.role[gi] != handRole && b.role[gi] != ruleRole {
			continue
		}
		if b.alone(gi) && b.holder[gi] >= 0 && b.ids[b.holder[gi]] == g.IDs[b.want(gi)] {
			continue // planned on its own, as its choice says
		}
		var kept, elsewhere []Value
		for _, d := range b.group(gi) {
			id := b.ids[d]
			switch {
			case seen[d] == int32(gi)+1:
			case b.state[d] == docKept:
				kept = append(kept, id)
			case b.deletedIn[d] != int32(gi):
				elsewhere = append(elsewhere, id)
			}
			seen[d] = int32(gi) + 1
		}
		wanted := g.IDs[b.want(gi)]
		if len(elsewhere) == 0 && len(kept) == 1 && kept[0] == wanted {
			continue
		}
		out = append(out, Overlap{Group: gi, Key: g.Key, Wanted: wanted, Kept: kept, Elsewhere: elsewhere})
	}
	return out
}
