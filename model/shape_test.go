package model

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func intID(i int) Value { return Value(fmt.Sprintf(`{"$numberInt":"%d"}`, i)) }

func date(ms int) Value { return Value(fmt.Sprintf(`{"$date":{"$numberLong":"%d"}}`, ms)) }

// copies is a group of n documents holding fields, ids from id on.
func copies(id, n int, fields ...Field) []Doc {
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = docOf(intID(id+i), fields...)
	}
	return docs
}

// TestShapeCases: each kind of difference the group view marks, and what the shape makes of it.
func TestShapeCases(t *testing.T) {
	b := NewShapeBuilder()
	groups := [][]Doc{
		// 0: int 1 and double 1.0: equal by Compare, differ in type (the group view marks ≠).
		{docOf(intID(1), Field{"qty", `{"$numberInt":"1"}`}), docOf(intID(2), Field{"qty", `{"$numberDouble":"1.0"}`})},
		// 1: nested documents differ in one sub-field; an array equal in value, not in type.
		{docOf(intID(3), Field{"address.city", `"Oslo"`}, Field{"address.zip", `"0150"`}, Field{"tags", `[{"$numberInt":"1"}]`}),
			docOf(intID(4), Field{"address.city", `"Bergen"`}, Field{"address.zip", `"0150"`}, Field{"tags", `[{"$numberLong":"1"}]`})},
		// 2: a missing field against null: differs, and not in type only.
		{docOf(intID(5), Field{"note", `null`}), docOf(intID(6))},
		// 3: identical copies, three of them.
		copies(7, 3, Field{"name", `"Ann"`}, Field{"tags", `["a","b"]`}),
		// 4: 150 identical members but the one whose name differs.
		append(copies(100, 149, Field{"name", `"Bo"`}), docOf(intID(99), Field{"name", `"Bob"`})),
	}
	for _, g := range groups {
		b.Add(g)
	}
	// 5: the group lacking the key: measured for the filters, left out of the counts.
	b.AddGroup(Group{Key: []Value{Null}, IDs: []Value{intID(500), intID(501)}},
		[]Doc{docOf(intID(500), Field{"name", `"x"`}), docOf(intID(501), Field{"name", `"y"`})})
	// 6: a group of 4 of which one member is left: measured, not compared.
	b.AddGroup(Group{Key: []Value{`"k"`}, IDs: []Value{intID(600), intID(601), intID(602), intID(603)}},
		[]Doc{docOf(intID(600), Field{"name", `"z"`})})
	s := b.Shape()

	if s.Total != 7 || s.Measured != 7 || s.Partial || s.Compared != 5 || s.Gone != 1 || s.LackingKey != 1 || s.IdenticalGroups != 1 {
		t.Errorf("counts: %+v", s)
	}
	wantSizes := []SizeBucket{{"2", 2, 2, 3, 6}, {"3", 3, 3, 1, 3}, {"4-9", 4, 9, 1, 4}, {"10-99", 10, 99, 0, 0}, {"100+", 100, 0, 1, 150}}
	if !reflect.DeepEqual(s.Sizes, wantSizes) {
		t.Errorf("sizes\n got %+v\nwant %+v", s.Sizes, wantSizes)
	}
	wantFields := []FieldDiff{
		{"address.city", 1, 0.2, 0}, {"name", 1, 0.2, 0}, {"note", 1, 0.2, 0}, {"qty", 1, 0.2, 1}, {"tags", 1, 0.2, 1},
	}
	if !reflect.DeepEqual(s.Fields, wantFields) {
		t.Errorf("fields\n got %+v\nwant %+v", s.Fields, wantFields)
	}
	if s.Suggestion != nil {
		t.Errorf("suggestion %+v for groups that differ in everything", s.Suggestion)
	}

	// The filters, group by group.
	for g, want := range map[int][]string{0: {"qty"}, 1: {"address.city", "tags"}, 2: {"note"}, 3: nil, 4: {"name"}, 5: {"name"}, 6: nil} {
		if got := s.DiffersIn(g); !reflect.DeepEqual(got, want) {
			t.Errorf("group %d differs in %v, want %v", g, got, want)
		}
		for _, f := range []string{"qty", "address.city", "address.zip", "tags", "note", "name", "_id", "nope"} {
			if got := s.Differs(g, f); got != contains(want, f) {
				t.Errorf("Differs(%d, %s) = %v", g, f, got)
			}
		}
	}
	if got := s.Groups(ShapeFilter{Identical: true}); !reflect.DeepEqual(got, []int{3}) {
		t.Errorf("identical groups %v, want [3] (6 has one member left, nothing to compare)", got)
	}
	if got := s.Groups(ShapeFilter{Field: "name"}); !reflect.DeepEqual(got, []int{4, 5}) {
		t.Errorf("groups differing in name %v, want [4 5]", got)
	}
	if s.Has(7) || s.Differs(7, "name") || s.Identical(7) || s.Has(-1) {
		t.Error("a group never added answers as measured")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestShapeSuggestion: max:FIELD when one date field differs in most groups and nothing else
// does; no suggestion once another field differs in more than SuggestOtherShare of them, or
// the field is not a date.
func TestShapeSuggestion(t *testing.T) {
	build := func(dated, other int, value func(i int) Value) Shape {
		b := NewShapeBuilder()
		for i := 0; i < 100; i++ {
			a := docOf(intID(2*i), Field{"name", `"n"`}, Field{"meta.updatedAt", value(1)})
			c := docOf(intID(2*i+1), Field{"name", `"n"`}, Field{"meta.updatedAt", value(1)})
			if i < dated {
				c.Fields[2].Value = value(2)
			}
			if i < other {
				c.Fields[1].Value = `"m"`
			}
			b.Add([]Doc{a, c})
		}
		return b.Shape()
	}
	s := build(60, 5, date)
	if s.Suggestion == nil || s.Suggestion.Keep != "max:meta.updatedAt" || s.Suggestion.Rule() != (KeepRule{Kind: KeepMax, Field: "meta.updatedAt"}) {
		t.Fatalf("suggestion %+v", s.Suggestion)
	}
	if why := s.Suggestion.Why; !strings.Contains(why, "60 %") || !strings.Contains(why, "100 groups") || strings.Count(why, ".") > 3 {
		t.Errorf("why: %q", why)
	}
	for _, c := range []struct {
		name          string
		dated, other  int
		value         func(int) Value
		wantSuggested bool
	}{
		{"nothing else differs", 50, 0, date, true},
		{"under half", 49, 0, date, false},
		{"another field too often", 90, 6, date, false},
		{"not a date", 90, 0, intID, false},
	} {
		if got := build(c.dated, c.other, c.value).Suggestion != nil; got != c.wantSuggested {
			t.Errorf("%s: suggested %v", c.name, got)
		}
	}
}

// TestShapePartial: a shape cut short says so and counts only what it measured; the builder
// goes on unchanged by a snapshot taken on the way.
func TestShapePartial(t *testing.T) {
	b := NewShapeBuilder()
	b.Add(copies(1, 2, Field{"a", `"x"`}))
	p := b.PartialShape(10)
	b.Add([]Doc{docOf(intID(3), Field{"b", `"x"`}), docOf(intID(4), Field{"b", `"y"`})})
	if !p.Partial || p.Total != 10 || p.Measured != 1 || p.Compared != 1 || p.IdenticalGroups != 1 || len(p.Fields) != 0 {
		t.Errorf("partial %+v", p)
	}
	if p.Has(1) || p.Differs(1, "b") {
		t.Error("the snapshot sees a group added after it")
	}
	if s := b.Shape(); s.Partial || s.Total != 2 || !s.Differs(1, "b") {
		t.Errorf("whole %+v", s)
	}
}

// TestShapeManyFields: fields past the first 64 bits of a group's set.
func TestShapeManyFields(t *testing.T) {
	b := NewShapeBuilder()
	var x, y []Field
	for i := 0; i < 200; i++ {
		x = append(x, Field{fmt.Sprintf("f%03d", i), `"x"`})
		v := Value(`"x"`)
		if i%3 == 0 {
			v = `"y"`
		}
		y = append(y, Field{fmt.Sprintf("f%03d", i), v})
	}
	b.Add(copies(1, 2, Field{"zzz", `"x"`}))
	b.Add([]Doc{docOf(intID(5), x...), docOf(intID(6), y...)})
	s := b.Shape()
	for i := 0; i < 200; i++ {
		if s.Differs(1, fmt.Sprintf("f%03d", i)) != (i%3 == 0) {
			t.Fatalf("f%03d", i)
		}
	}
	if len(s.DiffersIn(1)) != 67 || len(s.Fields) != 67 || !s.Identical(0) || s.Differs(0, "f000") {
		t.Errorf("differs in %d fields, %d listed", len(s.DiffersIn(1)), len(s.Fields))
	}
}

func TestSharePercent(t *testing.T) {
	for share, want := range map[float64]string{0: "0 %", 0.004: "<1 %", 0.41: "41 %", 0.995: ">99 %", 1: "100 %", 0.98: "98 %"} {
		if got := SharePercent(share); got != want {
			t.Errorf("SharePercent(%v) = %q, want %q", share, got, want)
		}
	}
}

// BenchmarkShapeAdd is the client's cost of measuring one group of 3 members shaped as the
// benchmark seed's (7 fields; n, score and updatedAt differ), without a server.
func BenchmarkShapeAdd(b *testing.B) {
	group := make([]Doc, 3)
	for i := range group {
		group[i] = docOf(intID(i), Field{"email", `"user00000001@example.com"`}, Field{"name", `"User 1"`},
			Field{"n", intID(i)}, Field{"score", Value(fmt.Sprintf(`{"$numberDouble":"%d.5"}`, i))},
			Field{"updatedAt", date(i * 1000)}, Field{"tags", `["a","b"]`})
	}
	sb := NewShapeBuilder()
	b.ReportAllocs()
	for b.Loop() {
		sb.Add(group)
	}
}
