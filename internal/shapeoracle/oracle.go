// Package shapeoracle is the test oracle of model.Shape: what a member-by-member comparison
// of a scan's groups finds, field by field, written apart from model.Diff and the shape
// builder, so the stores' tests (memstore, mongo on both engines) can hold their Shape to
// it. It also makes the test corpus they share. Only tests import it.
package shapeoracle

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/dupes-tui/dupes/model"
)

// differ reports whether two members' values at one path are not the same BSON value: one
// missing and the other not, or unequal by MongoDB's comparison, or equal by it but of
// another type or other bytes (int 1 against double 1.0, [1] against [1.0]).
func differ(a, b model.Value) bool {
	if a == model.Missing || b == model.Missing {
		return a != b
	}
	if model.Compare(a, b) != 0 {
		return true
	}
	ra, errA := a.Raw()
	rb, errB := b.Raw()
	if errA != nil || errB != nil {
		return a != b
	}
	return ra.Type != rb.Type || !bytes.Equal(ra.Value, rb.Value)
}

// group is what the oracle finds in one group.
type group struct {
	compared bool
	differs  map[string]bool // path -> differs
	typeOnly map[string]bool
}

func measure(members []model.Doc) group {
	out := group{compared: len(members) >= 2, differs: map[string]bool{}, typeOnly: map[string]bool{}}
	if !out.compared {
		return out
	}
	paths := map[string]bool{}
	for _, d := range members {
		for _, f := range d.Fields {
			if f.Path != "_id" && !strings.HasPrefix(f.Path, "_id.") {
				paths[f.Path] = true
			}
		}
	}
	for p := range paths {
		first := members[0].Get(p)
		differs, sameByCompare := false, first != model.Missing
		for _, d := range members[1:] {
			v := d.Get(p)
			if differ(first, v) {
				differs = true
			}
			if v == model.Missing || first == model.Missing || model.Compare(first, v) != 0 {
				sameByCompare = false
			}
		}
		if differs {
			out.differs[p] = true
			out.typeOnly[p] = sameByCompare
		}
	}
	return out
}

// Check compares a shape with the oracle's findings on the same groups and members
// (members[i]: the documents of groups[i] still present, as FetchDocs returns them). For a
// partial shape, the groups it measured. The group lacking the key is not read by the stores'
// Shape, and has nothing to compare here either. It returns every disagreement, none when
// they agree.
func Check(s model.Shape, groups []model.Group, members [][]model.Doc) []string {
	var bad []string
	errf := func(format string, args ...any) {
		if len(bad) < 30 {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	n := s.Measured
	if n > len(groups) || (!s.Partial && n != len(groups)) || s.Total != len(groups) {
		errf("measured %d of %d, partial %v; %d groups given", n, s.Total, s.Partial, len(groups))
		n = min(n, len(groups))
	}
	bounds := [][2]int{{2, 2}, {3, 3}, {4, 9}, {10, 99}, {100, 1 << 62}}
	sizes := make([][2]int, len(bounds)) // groups, documents
	var compared, gone, lacking, identical int
	fieldGroups, fieldTypeOnly := map[string]int{}, map[string]int{}
	found := make([]group, n)
	allPaths := map[string]bool{}
	for i := 0; i < n; i++ {
		g, ms := groups[i], members[i]
		if g.LacksKey() {
			ms = nil // not read (model.MeasureShape): nothing to compare
		}
		found[i] = measure(ms)
		for p := range found[i].differs {
			allPaths[p] = true
		}
		for _, d := range ms {
			for _, f := range d.Fields {
				allPaths[f.Path] = true
			}
		}
		if g.LacksKey() {
			lacking++
			continue
		}
		size := g.Count()
		for b, r := range bounds {
			if size >= r[0] && size <= r[1] {
				sizes[b][0]++
				sizes[b][1] += size
			}
		}
		if !found[i].compared {
			gone++
			continue
		}
		compared++
		if len(found[i].differs) == 0 {
			identical++
		}
		for p := range found[i].differs {
			fieldGroups[p]++
			if found[i].typeOnly[p] {
				fieldTypeOnly[p]++
			}
		}
	}
	if s.Compared != compared || s.Gone != gone || s.LackingKey != lacking || s.IdenticalGroups != identical {
		errf("compared/gone/lacking/identical %d/%d/%d/%d, oracle %d/%d/%d/%d",
			s.Compared, s.Gone, s.LackingKey, s.IdenticalGroups, compared, gone, lacking, identical)
	}
	if len(s.Sizes) != len(bounds) {
		errf("%d size buckets", len(s.Sizes))
	} else {
		for b, sz := range s.Sizes {
			if sz.Min != bounds[b][0] || sz.Groups != sizes[b][0] || sz.Documents != sizes[b][1] {
				errf("bucket %s: %d groups, %d documents; oracle %d, %d", sz.Label, sz.Groups, sz.Documents, sizes[b][0], sizes[b][1])
			}
		}
	}
	got := map[string]model.FieldDiff{}
	for i, f := range s.Fields {
		got[f.Path] = f
		if i > 0 && s.Fields[i-1].Groups < f.Groups {
			errf("fields not sorted by share: %s before %s", s.Fields[i-1].Path, f.Path)
		}
	}
	for p, want := range fieldGroups {
		f := got[p]
		share := float64(want) / float64(compared)
		if f.Groups != want || f.TypeOnly != fieldTypeOnly[p] || f.Share != share {
			errf("field %s: %d groups (%d type only, share %v); oracle %d (%d, %v)", p, f.Groups, f.TypeOnly, f.Share, want, fieldTypeOnly[p], share)
		}
	}
	for p := range got {
		if fieldGroups[p] == 0 {
			errf("field %s listed; the oracle finds no group differing in it", p)
		}
	}
	// Group by group, and the filters.
	identicalGroups, byField := []int{}, map[string][]int{}
	for i := 0; i < n; i++ {
		want := found[i].compared && len(found[i].differs) == 0
		if s.Identical(i) != want {
			errf("group %d identical %v, oracle %v", i, s.Identical(i), want)
		}
		if want {
			identicalGroups = append(identicalGroups, i)
		}
		for p := range allPaths {
			if s.Differs(i, p) != found[i].differs[p] {
				errf("group %d differs in %s: %v, oracle %v", i, p, s.Differs(i, p), found[i].differs[p])
			}
			if found[i].differs[p] {
				byField[p] = append(byField[p], i)
			}
		}
		diffs := s.DiffersIn(i)
		sort.Strings(diffs)
		if len(diffs) != len(found[i].differs) {
			errf("group %d DiffersIn %v, oracle %v", i, diffs, found[i].differs)
		}
	}
	if g := s.Groups(model.ShapeFilter{Identical: true}); !reflect.DeepEqual(nonNil(g), identicalGroups) {
		errf("identical filter %v, oracle %v", g, identicalGroups)
	}
	for p := range allPaths {
		if g := s.Groups(model.ShapeFilter{Field: p}); !reflect.DeepEqual(g, byField[p]) {
			errf("filter on %s: %v, oracle %v", p, g, byField[p])
		}
	}
	return bad
}

func nonNil(g []int) []int {
	if g == nil {
		return []int{}
	}
	return g
}
