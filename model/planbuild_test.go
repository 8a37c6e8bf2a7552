package model

import (
	"reflect"
	"testing"
)

func ids(vs ...string) []Value {
	out := make([]Value, len(vs))
	for i, v := range vs {
		out[i] = Value(v)
	}
	return out
}

func TestPlanGroupsPlain(t *testing.T) {
	groups := []Group{{Key: ids(`"a"`), IDs: ids("1", "2", "3")}, {Key: ids(`"b"`), IDs: ids("4", "5")}}
	pgs, adjusted := PlanGroups(groups, []int{2, 0}, ByRule)
	want := []PlanGroup{
		{Key: ids(`"a"`), Keep: "3", Delete: ids("1", "2"), Decision: ByRule},
		{Key: ids(`"b"`), Keep: "4", Delete: ids("5"), Decision: ByRule},
	}
	if !reflect.DeepEqual(pgs, want) || adjusted != 0 {
		t.Fatalf("got %+v adjusted %d", pgs, adjusted)
	}
}

// Under an array key documents sit in several groups; the plan must stay valid.
func TestPlanGroupsOverlapping(t *testing.T) {
	// 1: [a,b]  2: [a,c]  3: [b,c]
	groups := []Group{
		{Key: ids(`"a"`), IDs: ids("1", "2")},
		{Key: ids(`"b"`), IDs: ids("1", "3")},
		{Key: ids(`"c"`), IDs: ids("2", "3")},
	}
	// "last" would keep 2 in a, 3 in b, 3 in c.
	pgs, adjusted := PlanGroups(groups, []int{1, 1, 1}, ByRule)
	plan := Plan{Version: PlanVersion, NS: Namespace{DB: "d", Coll: "c"}, Key: Key{Fields: []string{"tags"}}, Groups: pgs}
	if err := plan.Validate(); err != nil {
		t.Fatalf("invalid plan %+v: %v", pgs, err)
	}
	// a keeps 2, deletes 1; b: 1 is deleted, keep 3; c: 2 and 3 both kept, nothing to
	// delete, and c still holds two documents: adjusted.
	want := []PlanGroup{
		{Key: ids(`"a"`), Keep: "2", Delete: ids("1"), Decision: ByRule},
	}
	if !reflect.DeepEqual(pgs, want) || adjusted != 1 {
		t.Fatalf("got %+v adjusted %d", pgs, adjusted)
	}

	// "first": a keeps 1 deletes 2; b keeps 1 deletes 3; c: 2 and 3 both deleted -> spare 2.
	pgs, adjusted = PlanGroups(groups, []int{0, 0, 0}, ByRule)
	plan.Groups = pgs
	if err := plan.Validate(); err != nil {
		t.Fatalf("invalid plan %+v: %v", pgs, err)
	}
	want = []PlanGroup{{Key: ids(`"b"`), Keep: "1", Delete: ids("3"), Decision: ByRule}}
	if !reflect.DeepEqual(pgs, want) || adjusted != 1 {
		t.Fatalf("got %+v adjusted %d", pgs, adjusted)
	}
	// No group loses every member.
	deleted := map[Value]bool{}
	for _, pg := range pgs {
		for _, id := range pg.Delete {
			deleted[id] = true
		}
	}
	for _, g := range groups {
		alive := false
		for _, id := range g.IDs {
			alive = alive || !deleted[id]
		}
		if !alive {
			t.Errorf("group %v loses every member", g.Key)
		}
	}
}
