package model

// The shape of a scan's duplicate groups: how large they are, which fields their members
// differ in, how many are copies equal but for _id, and the keep rule that shape suggests.
//
// "Differs" is the group view's ≠, one definition: Diff's DiffRow.Same. Two members differ in
// a field when their values there are not the same BSON value, type included; a member
// lacking the field differs from one holding null. The group view marks int 1 against double
// 1.0 as differing (it shows both, typed), so the shape counts it too; FieldDiff.TypeOnly says
// how many of those groups are equal by MongoDB's comparison (Compare) and differ only there.
// _id (and its sub-fields, for a document _id) always differs and is left out.

import (
	"fmt"
	"math/bits"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The suggestion's thresholds. A date field is suggested as max:FIELD when it differs in at
// least SuggestDateShare of the compared groups (most of them) and no other field differs in
// more than SuggestOtherShare (nothing else does, but for a little noise): the copies then
// look like one record saved at different times, and the latest is the one to keep.
const (
	SuggestDateShare  = 0.5
	SuggestOtherShare = 0.05
)

// Shape is what a scan's duplicate groups look like, measured from their members' documents
// (ShapeBuilder). The counts cover groups with a key value; the groups of documents lacking
// the key are counted apart (LackingKey), as Summary counts them (MeasureShape does not even
// read them; fed to AddGroup, they answer Differs and Identical like any other). Its JSON
// (scan --format json) holds the figures; the per-group records behind Differs, Identical
// and Groups stay in memory.
type Shape struct {
	// Total is the number of groups to measure, Measured how many were, from the first.
	Total    int `json:"total"`
	Measured int `json:"measured"`
	// Partial: measuring stopped (cancelled, or failed) before the last group, and every figure
	// describes the first Measured groups only.
	Partial bool `json:"partial"`
	// Compared counts the measured groups with a key value and at least two members still
	// present: the denominator of every share.
	Compared int `json:"compared"`
	// Gone counts measured groups left with fewer than two members (deleted since the scan).
	Gone int `json:"gone"`
	// LackingKey counts measured groups of documents lacking the key (Group.LacksKey).
	LackingKey int `json:"lackingKey"`
	// IdenticalGroups counts compared groups whose members are equal in every field but _id.
	IdenticalGroups int `json:"identical"`
	// Sizes is the histogram of group sizes, always the buckets 2, 3, 4-9, 10-99 and 100+.
	Sizes []SizeBucket `json:"sizes"`
	// Fields lists every field that differs in some compared group, the most often first.
	Fields []FieldDiff `json:"fields"`
	// Suggestion is a keep rule the shape suggests, or nil. It is advice, never applied.
	Suggestion *Suggestion `json:"suggestion,omitempty"`

	per groupFields
}

// SizeBucket is one bar of the histogram of group sizes: the groups of Min to Max members
// (Max 0: no upper bound), and their documents. A group counts at its size in the scan.
type SizeBucket struct {
	Label     string `json:"label"`
	Min       int    `json:"min"`
	Max       int    `json:"max"`
	Groups    int    `json:"groups"`
	Documents int    `json:"documents"`
}

// FieldDiff is one field, a path as the group view shows it ("address.city"), and the compared
// groups whose members differ in it.
type FieldDiff struct {
	Path   string  `json:"path"`
	Groups int     `json:"groups"`
	Share  float64 `json:"share"` // Groups / Shape.Compared
	// TypeOnly counts, of those groups, the ones whose values in the field are all equal by
	// MongoDB's comparison (Compare): they differ only in BSON type, such as int 1 and
	// double 1.0, which a unique index does not tell apart.
	TypeOnly int `json:"typeOnly"`
}

// Suggestion is a keep rule suggested by a shape, and why, in one sentence.
type Suggestion struct {
	Keep  string `json:"keep"` // as --keep takes it: "max:updatedAt"
	Field string `json:"field"`
	Why   string `json:"why"`
}

// Rule is the suggested rule.
func (s Suggestion) Rule() KeepRule { return KeepRule{Kind: KeepMax, Field: s.Field} }

// sizeBuckets are the histogram's bounds: min and max (0: none).
var sizeBuckets = [...][2]int{{2, 2}, {3, 3}, {4, 9}, {10, 99}, {100, 0}}

// bucketOf is the histogram bar of a group of n members, -1 for fewer than two.
func bucketOf(n int) int {
	for i := len(sizeBuckets) - 1; i >= 0; i-- {
		if n >= sizeBuckets[i][0] {
			return i
		}
	}
	return -1
}

// ShapeBuilder measures groups one at a time, so that their members can be read and fed in
// batches and dropped: it keeps counts and, per group, a bit per differing field.
type ShapeBuilder struct {
	sizes      [len(sizeBuckets)]SizeBucket
	compared   int
	gone       int
	lacking    int
	identical  int
	fieldStats []fieldStat // by field index
	per        groupFields
}

// fieldStat is one field's counts over the compared groups with a key value.
type fieldStat struct {
	groups, typeOnly int
	// notDate: in some group where it differs, it holds a value that is not a date (the
	// suggestion wants a date field); once set, its values are no longer read for it.
	notDate bool
}

// NewShapeBuilder returns a builder with nothing measured.
func NewShapeBuilder() *ShapeBuilder {
	b := &ShapeBuilder{per: groupFields{index: map[string]int{}, start: []uint32{0}}}
	for i, r := range sizeBuckets {
		b.sizes[i] = SizeBucket{Label: bucketLabel(r[0], r[1]), Min: r[0], Max: r[1]}
	}
	return b
}

func bucketLabel(lo, hi int) string {
	switch {
	case hi == 0:
		return fmt.Sprintf("%d+", lo)
	case lo == hi:
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// Add measures one group from its members' documents, all of them: its size is len(members).
func (b *ShapeBuilder) Add(members []Doc) { b.AddGroup(Group{}, members) }

// AddGroup measures one group of a scan from the documents of its members still present
// (members deleted since the scan are left out, as FetchDocs leaves them). The group counts at
// its size in the scan, g.Count(), or len(members) when g lists no ids. Groups are numbered
// in the order they are added, from 0: the numbers Differs and Identical take.
func (b *ShapeBuilder) AddGroup(g Group, members []Doc) {
	size := g.Count()
	if size == 0 {
		size = len(members)
	}
	lacks := g.LacksKey()
	var flags uint8
	switch {
	case lacks:
		b.lacking++
		flags |= groupLacks
	default:
		if i := bucketOf(size); i >= 0 {
			b.sizes[i].Groups++
			b.sizes[i].Documents += size
		}
	}
	if len(members) < 2 {
		if !lacks {
			b.gone++
		}
		b.per.flags = append(b.per.flags, flags)
		b.per.start = append(b.per.start, uint32(len(b.per.words)))
		return
	}
	flags |= groupCompared
	from := len(b.per.words)
	for _, r := range Diff(members) {
		if r.Same || isIDPath(r.Path) {
			continue
		}
		i := b.per.field(r.Path)
		if i == len(b.fieldStats) {
			b.fieldStats = append(b.fieldStats, fieldStat{})
		}
		for len(b.per.words)-from <= i/64 {
			b.per.words = append(b.per.words, 0)
		}
		b.per.words[from+i/64] |= 1 << (i % 64)
		if lacks {
			continue
		}
		st := &b.fieldStats[i]
		typeOnly, dates := rowKinds(r.Values, !st.notDate)
		st.groups++
		if typeOnly {
			st.typeOnly++
		}
		st.notDate = st.notDate || !dates
	}
	if !lacks {
		b.compared++
		if len(b.per.words) == from {
			b.identical++
		}
	}
	b.per.flags = append(b.per.flags, flags)
	b.per.start = append(b.per.start, uint32(len(b.per.words)))
}

// isIDPath reports _id and, for a document _id, its sub-fields.
func isIDPath(path string) bool { return path == "_id" || strings.HasPrefix(path, "_id.") }

// rowKinds reads a differing row's values: whether they are all equal by Compare (they
// differ in type only), and, when wantDates, whether every value present is a date. Each
// value is read once at most, and only while an answer is still open: reading a value
// through the driver is most of a group's cost.
func rowKinds(vals []Value, wantDates bool) (typeOnly, dates bool) {
	typeOnly, dates = true, wantDates
	var first Value
	var firstRaw bson.RawValue
	for _, v := range vals {
		switch {
		case v == Missing: // a member lacking the field differs from every value, null included
			typeOnly = false
			continue
		case v == first: // the same BSON value
			continue
		case !typeOnly && !dates:
			return false, false
		}
		rv, err := v.Raw()
		if err != nil {
			return false, false
		}
		if rv.Type != bson.TypeDateTime {
			dates = false
		}
		if first == Missing {
			first, firstRaw = v, rv
		} else if typeOnly && CompareRaw(firstRaw, rv) != 0 {
			typeOnly = false
		}
	}
	return typeOnly, dates
}

// Shape is the shape of every group added: whole.
func (b *ShapeBuilder) Shape() Shape {
	n := len(b.per.flags)
	return b.shape(n, false)
}

// PartialShape is the shape of the groups added so far out of total, marked Partial: what a
// cancelled or failed measurement returns, never passed off as the whole.
func (b *ShapeBuilder) PartialShape(total int) Shape {
	return b.shape(max(total, len(b.per.flags)), true)
}

func (b *ShapeBuilder) shape(total int, partial bool) Shape {
	s := Shape{
		Total: total, Measured: len(b.per.flags), Partial: partial,
		Compared: b.compared, Gone: b.gone, LackingKey: b.lacking, IdenticalGroups: b.identical,
		Sizes:  append([]SizeBucket(nil), b.sizes[:]...),
		Fields: []FieldDiff{},
		per:    b.per.snapshot(),
	}
	for i, st := range b.fieldStats {
		if st.groups == 0 {
			continue
		}
		s.Fields = append(s.Fields, FieldDiff{Path: b.per.paths[i], Groups: st.groups,
			Share: float64(st.groups) / float64(b.compared), TypeOnly: st.typeOnly})
	}
	sort.Slice(s.Fields, func(i, j int) bool {
		a, c := s.Fields[i], s.Fields[j]
		if a.Groups != c.Groups {
			return a.Groups > c.Groups
		}
		return a.Path < c.Path
	})
	s.Suggestion = b.suggest(s)
	return s
}

// suggest is max:FIELD when one date field differs in most groups and nothing else does (see
// SuggestDateShare and SuggestOtherShare), nil otherwise.
func (b *ShapeBuilder) suggest(s Shape) *Suggestion {
	if len(s.Fields) == 0 {
		return nil
	}
	top := s.Fields[0]
	if top.Share < SuggestDateShare || b.fieldStats[b.per.index[top.Path]].notDate {
		return nil
	}
	if len(s.Fields) > 1 && s.Fields[1].Share > SuggestOtherShare {
		return nil
	}
	if CheckPath(top.Path) != nil { // a name --keep cannot take
		return nil
	}
	rule := KeepRule{Kind: KeepMax, Field: top.Path}
	others := "no other field does"
	if len(s.Fields) > 1 {
		others = "no other field in more than " + SharePercent(SuggestOtherShare)
	}
	return &Suggestion{Keep: rule.String(), Field: top.Path, Why: fmt.Sprintf(
		"%s differs in %s of the %d groups compared and %s, so the copies look like one record saved at different times: %s keeps the latest.",
		top.Path, SharePercent(top.Share), s.Compared, others, rule)}
}

// SharePercent writes a share as a whole percentage, "41 %", never rounding a share that is
// not all or nothing to "100 %" or "0 %" (">99 %", "<1 %").
func SharePercent(share float64) string {
	switch p := share * 100; {
	case p > 0 && p < 1:
		return "<1 %"
	case p > 99 && p < 100:
		return ">99 %"
	default:
		return fmt.Sprintf("%.0f %%", p)
	}
}

// The per-group flags.
const (
	groupCompared uint8 = 1 << iota // two members or more were compared
	groupLacks                      // the group lacks the key
)

// groupFields records, per group, which fields differ: a bitset over a field index, stored
// flat (a group's words are words[start[g]:start[g+1]], none when nothing differs), so a
// million groups that differ in a field or two cost a few bytes each.
type groupFields struct {
	index map[string]int // field path -> bit
	paths []string       // bit -> field path
	flags []uint8
	start []uint32
	words []uint64
}

// field is the path's bit, added at the end when new.
func (p *groupFields) field(path string) int {
	i, ok := p.index[path]
	if !ok {
		i = len(p.paths)
		p.index[path] = i
		p.paths = append(p.paths, path)
	}
	return i
}

// snapshot is a copy a builder that goes on adding does not change: the slices are only ever
// appended to, so their current lengths are enough, and the index is copied.
func (p groupFields) snapshot() groupFields {
	index := make(map[string]int, len(p.index))
	for k, v := range p.index {
		index[k] = v
	}
	return groupFields{index: index, paths: p.paths[:len(p.paths):len(p.paths)], flags: p.flags[:len(p.flags):len(p.flags)],
		start: p.start[:len(p.start):len(p.start)], words: p.words[:len(p.words):len(p.words)]}
}

// Has reports whether group g (numbered in the order added) was measured.
func (s Shape) Has(g int) bool { return g >= 0 && g < len(s.per.flags) }

// Differs reports whether the members of group g differ in field (a path as Fields spells it).
// It is false for a group not measured.
func (s Shape) Differs(g int, field string) bool {
	i, ok := s.per.index[field]
	if !ok || !s.Has(g) {
		return false
	}
	w := s.per.words[s.per.start[g]:s.per.start[g+1]]
	return i/64 < len(w) && w[i/64]&(1<<(i%64)) != 0
}

// Identical reports whether group g's members (two or more still present) are equal in every
// field but _id. It is false for a group not measured.
func (s Shape) Identical(g int) bool {
	return s.Has(g) && s.per.flags[g]&groupCompared != 0 && s.per.start[g] == s.per.start[g+1]
}

// DiffersIn lists the fields group g's members differ in, in the order they were first met.
func (s Shape) DiffersIn(g int) []string {
	if !s.Has(g) {
		return nil
	}
	var out []string
	for wi, w := range s.per.words[s.per.start[g]:s.per.start[g+1]] {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = append(out, s.per.paths[wi*64+b])
			w &^= 1 << b
		}
	}
	return out
}

// ShapeFilter picks groups by their shape: the identical ones, or those whose members differ
// in Field.
type ShapeFilter struct {
	Identical bool
	Field     string
}

// Groups lists, in order, the measured groups that the filter picks.
func (s Shape) Groups(f ShapeFilter) []int {
	var out []int
	for g := range s.per.flags {
		if (f.Identical && s.Identical(g)) || (!f.Identical && s.Differs(g, f.Field)) {
			out = append(out, g)
		}
	}
	return out
}

// MeasureShape measures groups (group i of the shape is groups[i]), reading their members a
// batch at a time with read: whole groups of about batch members together, a larger group
// alone. read returns the documents still present among ids, in any order; the stores pass
// their FetchDocs. The group lacking the key is counted (LackingKey) but not read: it is
// often the largest, its members are rarely copies of each other, and the figures leave it
// out anyway; Differs and Identical are false for it. progress, when not nil, is called after
// each batch with the groups measured so far and their total. A failed read (a cancelled
// context above all) stops it: it returns the shape of the groups measured before, marked
// Partial, with read's error.
func MeasureShape(groups []Group, batch int, read func(ids []Value) ([]Doc, error), progress func(done, total int)) (Shape, error) {
	b := NewShapeBuilder()
	var members []Doc
	for start := 0; start < len(groups); {
		end, n := start, 0
		for end < len(groups) && (n == 0 || n+readCount(groups[end]) <= batch) {
			n += readCount(groups[end])
			end++
		}
		ids := make([]Value, 0, n)
		for _, g := range groups[start:end] {
			if readCount(g) > 0 {
				ids = append(ids, g.IDs...)
			}
		}
		docs, err := read(ids)
		if err != nil {
			return b.PartialShape(len(groups)), err
		}
		found := make(map[Value]Doc, len(docs))
		for _, d := range docs {
			found[d.ID] = d
		}
		for _, g := range groups[start:end] {
			members = members[:0]
			if g.LacksKey() {
				b.AddGroup(g, nil)
				continue
			}
			for _, id := range g.IDs {
				if d, ok := found[id]; ok {
					members = append(members, d)
				}
			}
			b.AddGroup(g, members)
		}
		start = end
		if progress != nil {
			progress(end, len(groups))
		}
	}
	return b.Shape(), nil
}

// readCount is how many members MeasureShape reads of a group: none of the group lacking the key.
func readCount(g Group) int {
	if g.LacksKey() {
		return 0
	}
	return g.Count()
}
