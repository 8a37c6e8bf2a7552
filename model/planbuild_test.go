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

// Under an array key documents sit in several groups; the plan must stay valid, and leave
// each key with one holder at most (model/overlap_test.go tests the planner at length).
func TestPlanGroupsOverlapping(t *testing.T) {
	// 1: [a,b]  2: [a,c]  3: [b,c]: any two collide, so one document stays.
	groups := []Group{
		{Key: ids(`"a"`), IDs: ids("1", "2")},
		{Key: ids(`"b"`), IDs: ids("1", "3")},
		{Key: ids(`"c"`), IDs: ids("2", "3")},
	}
	plan := Plan{Version: PlanVersion, NS: Namespace{DB: "d", Coll: "c"}, Key: Key{Fields: []string{"tags"}}}
	// "last": 3 goes in first and holds b and c; 2 collides with it on c, 1 on b.
	pgs, adjusted := PlanGroups(groups, []int{1, 1, 1}, ByRule)
	want := []PlanGroup{
		{Key: ids(`"b"`), Keep: "3", Delete: ids("1"), Decision: ByRule},
		{Key: ids(`"c"`), Keep: "3", Delete: ids("2"), Decision: ByRule},
	}
	plan.Groups = pgs
	if err := plan.Validate(); err != nil || !reflect.DeepEqual(pgs, want) || adjusted != 1 {
		t.Fatalf("last: got %+v adjusted %d (%v)", pgs, adjusted, err)
	}
	// "first": 1 holds a and b; 2 and 3 collide with it. Group c keeps neither: its key is
	// free, which the index accepts, and the result says so (Unheld).
	res := BuildPlan(groups, []Choice{{How: ByRule}, {How: ByRule}, {How: ByRule}}, PlanOptions{})
	want = []PlanGroup{
		{Key: ids(`"a"`), Keep: "1", Delete: ids("2"), Decision: ByRule},
		{Key: ids(`"b"`), Keep: "1", Delete: ids("3"), Decision: ByRule},
	}
	plan.Groups = res.Groups
	if err := plan.Validate(); err != nil || !reflect.DeepEqual(res.Groups, want) {
		t.Fatalf("first: got %+v (%v)", res.Groups, err)
	}
	wantO := []Overlap{{Group: 2, Key: ids(`"c"`), Wanted: "2", Elsewhere: ids("2", "3")}}
	if !reflect.DeepEqual(res.Overlaps, wantO) || res.Adjusted != 1 || res.Unheld != 1 || res.Crowded != 0 {
		t.Fatalf("first: overlaps %+v", res)
	}
}

// The group of documents lacking the key (the misspelled-field case: every document "lacks"
// emial) is left alone unless the plan opts in, and is counted apart.
func TestBuildPlanLeavesLackingKeyAlone(t *testing.T) {
	groups := []Group{
		{Key: ids(`null`, `null`), IDs: ids("1", "2", "3")}, // every key field missing or null
		{Key: ids(`"a"`, `null`), IDs: ids("4", "5")},       // one field present: a real group
	}
	choices := []Choice{{Keep: 0, How: ByRule}, {Keep: 1, How: ByRule}}
	res := BuildPlan(groups, choices, PlanOptions{})
	want := []PlanGroup{{Key: ids(`"a"`, `null`), Keep: "5", Delete: ids("4"), Decision: ByRule}}
	if !reflect.DeepEqual(res.Groups, want) || res.LackingGroups != 1 || res.LackingDocs != 3 || res.Deletes() != 1 {
		t.Fatalf("default: %+v", res)
	}
	if pgs, _ := PlanGroups(groups, []int{0, 1}, ByRule); !reflect.DeepEqual(pgs, want) {
		t.Fatalf("PlanGroups does not keep the safe default: %+v", pgs)
	}
	res = BuildPlan(groups, choices, PlanOptions{DeleteMissing: true})
	if len(res.Groups) != 2 || res.Deletes() != 3 || res.LackingGroups != 0 || res.Groups[0].Keep != "1" {
		t.Fatalf("opted in: %+v", res)
	}
	// Undecided groups stay out.
	res = BuildPlan(groups, []Choice{{}, {}}, PlanOptions{DeleteMissing: true})
	if len(res.Groups) != 0 {
		t.Fatalf("undecided: %+v", res)
	}
}

// A keeper chosen by hand wins over a rule's choice in an overlapping group, whatever the
// groups' order, and the plan comes back in scan order.
func TestBuildPlanHandBeforeRule(t *testing.T) {
	groups := []Group{
		{Key: ids(`"a"`), IDs: ids("1", "2")},
		{Key: ids(`"b"`), IDs: ids("1", "3")},
	}
	// The rule keeps 1 in a (deleting 2); by hand, b keeps 3 (deleting 1). Processed in scan
	// order, a would keep 1 and b would be forced to keep it too.
	res := BuildPlan(groups, []Choice{{Keep: 0, How: ByRule}, {Keep: 1, How: ByHand}}, PlanOptions{})
	// b (by hand) keeps 3 and deletes 1; a then keeps 2 instead of 1 and deletes nothing: dropped.
	want := []PlanGroup{{Key: ids(`"b"`), Keep: "3", Delete: ids("1"), Decision: ByHand}}
	if !reflect.DeepEqual(res.Groups, want) || res.Adjusted != 1 {
		t.Fatalf("got %+v adjusted %d", res.Groups, res.Adjusted)
	}
	plan := Plan{Version: PlanVersion, NS: Namespace{DB: "d", Coll: "c"}, Key: Key{Fields: []string{"tags"}}, Groups: res.Groups}
	if err := plan.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestSummaryCountsLackingApart(t *testing.T) {
	gs := []Group{{Key: ids(`null`), IDs: make([]Value, 999)}, {Key: ids(`"a"`), IDs: make([]Value, 2)}}
	s := Summarize(gs)
	if s.Groups != 1 || s.Documents != 2 || s.Surplus != 1 || s.LackingKey != 999 {
		t.Fatalf("summary %+v", s)
	}
	all := s.WithLacking()
	if all.Groups != 2 || all.Documents != 1001 || all.Surplus != 999 || all.LackingKey != 0 {
		t.Fatalf("with lacking %+v", all)
	}
	if (Group{Key: ids(`null`, `"x"`)}).LacksKey() || !(Group{Key: []Value{Null, Missing}}).LacksKey() || (Group{}).LacksKey() {
		t.Fatal("LacksKey")
	}
}
