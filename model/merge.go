package model

// Merging into the keeper: duplicates often each hold part of the truth (one customer document
// has the phone, another the address). A plan with Merge fills the keeper's missing or null
// top-level fields from the members it deletes before they go:
//
//   - members are taken in the order of the keep rule (MergeOrder): for each field, the first
//     member holding a non-null value gives it. The keeper's own values always win;
//   - with Arrays, an array field (the keeper's, or one it gains) also takes the elements of
//     the members' arrays of that field it does not hold yet: its own elements first, then
//     new ones in member order, none twice (BSON equality, numbers by value, as $addToSet);
//   - _id is never touched, nor anything below the top level, nor a field the keeper holds
//     with a non-null value of another kind.
//
// The merged keeper is the keeper's fields in their order, a gained value replacing a null (or
// an extended array) in place, then the fields it lacked, in the order of Gains.

import (
	"fmt"
	"sort"
	"strings"
)

// MergeOptions say how a plan merges the members it deletes into their keeper.
type MergeOptions struct {
	// Arrays makes array fields the union of the keeper's and the members' elements.
	Arrays bool `json:"arrays,omitempty"`
}

// String says in words what the merge does.
func (o MergeOptions) String() string {
	s := "fill each keeper's missing or null fields from the members deleted, in rule order"
	if o.Arrays {
		s += "; array fields become the union of their elements"
	}
	return s
}

// checkMerge refuses a merging plan whose rule cannot order the members.
func (p Plan) checkMerge() error {
	if p.Merge == nil || p.Rule == "" {
		return nil
	}
	if _, err := ParseKeepRule(p.Rule); err != nil {
		return fmt.Errorf("the plan merges in the order of its rule: %w", err)
	}
	return nil
}

// MergeRule is the rule whose order a merge follows: the plan's, else first (_id order),
// which is also the order of a plan decided by hand without a rule.
func (p Plan) MergeRule() KeepRule {
	if r, err := ParseKeepRule(p.Rule); err == nil && p.Rule != "" {
		return r
	}
	return KeepRule{Kind: KeepFirst}
}

// MergeOrder returns the indexes of docs in the order of the rule: the order in which a merge
// takes their values. Ties, and documents lacking the field a max: or min: rule compares,
// go by smallest _id, as KeepRule.Keeper decides.
func MergeOrder(rule KeepRule, docs []Doc) []int {
	idx := make([]int, len(docs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return Compare(docs[idx[a]].ID, docs[idx[b]].ID) < 0 })
	sort.SliceStable(idx, func(a, b int) bool { return rule.Before(docs[idx[a]], docs[idx[b]]) })
	return idx
}

// Gain is one top-level field a merge gives the keeper.
type Gain struct {
	Field string `json:"field"`
	// Value is the field in the merged keeper.
	Value Value `json:"value"`
	// Was is the keeper's value before: Missing (it lacked the field), Null, or the array
	// the merge extended.
	Was Value `json:"was,omitempty"`
	// From lists the _ids of the members that gave it, in merge order.
	From []Value `json:"from"`
}

// Merged is a keeper after the merge, and what it gained. No Gains: the merge changes
// nothing, and the keeper is left as it is.
type Merged struct {
	Doc   Value  `json:"doc"` // canonical Extended JSON
	Gains []Gain `json:"gains"`
}

// Gained reports whether the merge gave the keeper a field.
func (m Merged) Gained(field string) bool {
	for _, g := range m.Gains {
		if g.Field == field {
			return true
		}
	}
	return false
}

// Describe lists the gained fields in a few words: "phone (from 2), tags (+2 from 3)".
func (m Merged) Describe() string {
	parts := make([]string, len(m.Gains))
	for i, g := range m.Gains {
		from := make([]string, len(g.From))
		for j, id := range g.From {
			from[j] = id.Display()
		}
		verb := "from"
		if g.Was != Missing && g.Was != Null {
			verb = "merged from"
		}
		parts[i] = fmt.Sprintf("%s (%s %s)", g.Field, verb, strings.Join(from, ", "))
	}
	return strings.Join(parts, ", ")
}

// MergeDocs merges members (Extended JSON documents, in merge order: see MergeOrder) into
// keeper, as the package comment above says.
func MergeDocs(keeper []byte, members [][]byte, opt MergeOptions) (Merged, error) {
	root, err := parseDoc(keeper)
	if err != nil {
		return Merged{}, fmt.Errorf("keeper: %w", err)
	}
	out := &node{kind: kObject, keys: append([]string(nil), root.keys...), kids: append([]*node(nil), root.kids...)}
	at := map[string]int{} // field -> its first position in out
	for i, k := range out.keys {
		if _, ok := at[k]; !ok {
			at[k] = i
		}
	}
	var gains []*Gain
	byField := map[string]*Gain{}
	gain := func(field string, was Value, from Value) {
		g := byField[field]
		if g == nil {
			g = &Gain{Field: field, Was: was}
			byField[field] = g
			gains = append(gains, g)
		}
		if len(g.From) == 0 || g.From[len(g.From)-1] != from {
			g.From = append(g.From, from)
		}
	}
	for n, m := range members {
		mn, err := parseDoc(m)
		if err != nil {
			return Merged{}, fmt.Errorf("member %d: %w", n+1, err)
		}
		id := Value(render(get(mn, "_id").v))
		seen := map[string]bool{}
		for j, k := range mn.keys {
			v := mn.kids[j]
			if k == "_id" || seen[k] || v.kind == kNull {
				continue
			}
			seen[k] = true
			i, has := at[k]
			switch {
			case !has:
				at[k] = len(out.keys)
				out.keys = append(out.keys, k)
				out.kids = append(out.kids, v)
				gain(k, Missing, id)
			case out.kids[i].kind == kNull:
				out.kids[i] = v
				gain(k, Null, id)
			case opt.Arrays && out.kids[i].kind == kArray && v.kind == kArray:
				if u, added := union(out.kids[i], v); added {
					was := Value(render(out.kids[i]))
					if g := byField[k]; g != nil {
						was = g.Was
					}
					out.kids[i] = u
					gain(k, was, id)
				}
			}
		}
	}
	res := Merged{Doc: Value(render(out))}
	for _, g := range gains {
		g.Value = Value(render(out.kids[at[g.Field]]))
		res.Gains = append(res.Gains, *g)
	}
	return res, nil
}

// union is a's elements, then b's that a does not hold, each once; added tells whether b
// brought any. Elements compare as BSON values do ($addToSet): numbers by value.
func union(a, b *node) (*node, bool) {
	held := make(map[string]bool, len(a.kids)+len(b.kids))
	for _, e := range a.kids {
		held[keyID([]*node{e}, nil)] = true
	}
	out := &node{kind: kArray, kids: append([]*node(nil), a.kids...)}
	for _, e := range b.kids {
		id := keyID([]*node{e}, nil)
		if !held[id] {
			held[id] = true
			out.kids = append(out.kids, e)
		}
	}
	return out, len(out.kids) > len(a.kids)
}

// KeeperRestore is what a restore did with the keepers a merging run updated: each is put
// back to its before-image only while it is still exactly the merged version the run wrote.
type KeeperRestore struct {
	Updates  int `json:"updates"`  // keeper updates the run recorded
	Restored int `json:"restored"` // put back (in a dry run: would be)
	// Changed lists keepers changed since the merge: left as they are, never overwritten.
	Changed []Value `json:"changed,omitempty"`
	// Gone lists keepers no longer in the collection: not re-inserted (someone deleted them
	// after the run).
	Gone []Value `json:"gone,omitempty"`
}
