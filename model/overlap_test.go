package model

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"testing"
)

// tagDocs builds the groups a scan of a tags array finds: docs[i] is the tags of _id i+1; one
// group per tag held by two documents or more, members in _id order, groups in key order.
func tagDocs(docs [][]string) []Group {
	holders := map[string][]Value{}
	for i, tags := range docs {
		seen := map[string]bool{}
		for _, tg := range tags {
			if !seen[tg] {
				seen[tg] = true
				holders[tg] = append(holders[tg], Value(strconv.Itoa(i+1)))
			}
		}
	}
	var tags []string
	for tg, hs := range holders {
		if len(hs) > 1 {
			tags = append(tags, tg)
		}
	}
	sort.Strings(tags)
	groups := make([]Group, len(tags))
	for i, tg := range tags {
		groups[i] = Group{Key: []Value{Value(strconv.Quote(tg))}, IDs: holders[tg], Multikey: true}
	}
	return groups
}

// byRule decides every group by the rule, ranking members as scores say (higher first, ties
// by _id) or, with nil scores, as first does.
func byRule(groups []Group, scores map[Value]int) []Choice {
	cs := make([]Choice, len(groups))
	for i, g := range groups {
		r := make([]int, len(g.IDs))
		for j := range r {
			r[j] = j
		}
		if scores != nil {
			sort.SliceStable(r, func(a, b int) bool { return scores[g.IDs[r[a]]] > scores[g.IDs[r[b]]] })
		}
		cs[i] = Choice{Keep: r[0], How: ByRule, Rank: r}
	}
	return cs
}

// survivors are the documents of the groups that a plan keeps.
func survivors(groups []Group, res PlanResult) map[Value]bool {
	gone := map[Value]bool{}
	for _, pg := range res.Groups {
		for _, id := range pg.Delete {
			gone[id] = true
		}
	}
	left := map[Value]bool{}
	for _, g := range groups {
		for _, id := range g.IDs {
			if !gone[id] {
				left[id] = true
			}
		}
	}
	return left
}

// checkIndexBuilds fails unless the plan is valid, every key keeps one holder at most, and
// every deleted document collides with its entry's keeper, which the plan keeps.
func checkIndexBuilds(t *testing.T, groups []Group, res PlanResult) {
	t.Helper()
	plan := Plan{Version: PlanVersion, NS: Namespace{DB: "d", Coll: "c"}, Key: Key{Fields: []string{"t"}}, Groups: res.Groups}
	if err := plan.Validate(); err != nil {
		t.Fatalf("invalid plan %+v: %v", res.Groups, err)
	}
	left := survivors(groups, res)
	for _, g := range groups {
		n := 0
		for _, id := range g.IDs {
			if left[id] {
				n++
			}
		}
		if n > 1 {
			t.Fatalf("key %s keeps %d holders; plan %+v", g.Key[0], n, res.Groups)
		}
	}
	for _, pg := range res.Groups {
		var g *Group
		for i := range groups {
			if reflect.DeepEqual(groups[i].Key, pg.Key) {
				g = &groups[i]
			}
		}
		if g == nil || !left[pg.Keep] || !containsValue(g.IDs, pg.Keep) {
			t.Fatalf("entry %+v: keeper not a kept member of its group", pg)
		}
		for _, id := range pg.Delete {
			if !containsValue(g.IDs, id) {
				t.Fatalf("entry %+v deletes %s, no member of its group", pg, id)
			}
		}
	}
}

// The first example: "keep first" keeps 1 (the first holder of y) and 3 (of x), and
// deletes 2 alone.
func TestOverlapKeepsFirstHolderOfEachKey(t *testing.T) {
	groups := tagDocs([][]string{{"y"}, {"x", "y"}, {"x"}})
	res := BuildPlan(groups, byRule(groups, nil), PlanOptions{})
	checkIndexBuilds(t, groups, res)
	want := []PlanGroup{{Key: ids(`"y"`), Keep: "1", Delete: ids("2"), Decision: ByRule}}
	if !reflect.DeepEqual(res.Groups, want) {
		t.Fatalf("plan %+v", res.Groups)
	}
	// x keeps 3, not its rule's choice 2, which went as a duplicate of 1 on y.
	wantO := []Overlap{{Group: 0, Key: ids(`"x"`), Wanted: "2", Kept: ids("3"), Elsewhere: ids("2")}}
	if !reflect.DeepEqual(res.Overlaps, wantO) || res.Unheld != 0 || res.Crowded != 0 {
		t.Fatalf("overlaps %+v", res.Overlaps)
	}
}

// The second example: z does not drop out; 2 goes as a duplicate of 1 on z, 3 of 1
// on a, and 4 holds b.
func TestOverlapNoGroupDropsOut(t *testing.T) {
	groups := tagDocs([][]string{{"a", "z"}, {"b", "z"}, {"a"}, {"b"}})
	res := BuildPlan(groups, byRule(groups, nil), PlanOptions{})
	checkIndexBuilds(t, groups, res)
	want := []PlanGroup{
		{Key: ids(`"a"`), Keep: "1", Delete: ids("3"), Decision: ByRule},
		{Key: ids(`"z"`), Keep: "1", Delete: ids("2"), Decision: ByRule},
	}
	if !reflect.DeepEqual(res.Groups, want) {
		t.Fatalf("plan %+v", res.Groups)
	}
	wantO := []Overlap{{Group: 1, Key: ids(`"b"`), Wanted: "2", Kept: ids("4"), Elsewhere: ids("2")}}
	if !reflect.DeepEqual(res.Overlaps, wantO) {
		t.Fatalf("overlaps %+v", res.Overlaps)
	}
}

// A group whose every member collides on another key ends with no holder, and says so.
func TestOverlapGroupWithNoHolder(t *testing.T) {
	groups := tagDocs([][]string{{"p"}, {"q"}, {"p", "g"}, {"q", "g"}})
	res := BuildPlan(groups, byRule(groups, nil), PlanOptions{})
	checkIndexBuilds(t, groups, res)
	if res.Deletes() != 2 || res.Unheld != 1 {
		t.Fatalf("plan %+v", res)
	}
	o := res.Overlaps[0]
	if o.Key[0] != `"g"` || len(o.Kept) != 0 || !reflect.DeepEqual(o.Elsewhere, ids("3", "4")) {
		t.Fatalf("overlap %+v", o)
	}
}

// The greedy insertion in one global order, done naively: the planner must agree with it for
// every rule order, whatever order the groups come in.
func naiveGreedy(docs [][]string, order []int) map[Value]bool {
	held := map[string]bool{}
	left := map[Value]bool{}
	for _, i := range order {
		free := true
		for _, tg := range docs[i] {
			free = free && !held[tg]
		}
		if free {
			for _, tg := range docs[i] {
				held[tg] = true
			}
			left[Value(strconv.Itoa(i+1))] = true
		}
	}
	return left
}

func randomTags(rng *rand.Rand, n, alphabet, most int) [][]string {
	docs := make([][]string, n)
	for i := range docs {
		k := 1 + rng.IntN(most)
		for range k {
			docs[i] = append(docs[i], string(rune('a'+rng.IntN(alphabet))))
		}
	}
	return docs
}

func TestOverlapMatchesGreedyInRuleOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 1))
	for c := range 2000 {
		docs := randomTags(rng, 2+rng.IntN(14), 2+rng.IntN(8), 1+rng.IntN(4))
		groups := tagDocs(docs)
		// Groups come in any order: the plan must not depend on it.
		rng.Shuffle(len(groups), func(a, b int) { groups[a], groups[b] = groups[b], groups[a] })
		scores := map[Value]int{}
		order := make([]int, len(docs))
		for i := range docs {
			order[i] = i
			scores[Value(strconv.Itoa(i+1))] = rng.IntN(4)
		}
		first := c%2 == 0
		if first {
			scores = nil
		} else {
			sort.SliceStable(order, func(a, b int) bool {
				return scores[Value(strconv.Itoa(order[a]+1))] > scores[Value(strconv.Itoa(order[b]+1))]
			})
		}
		res := BuildPlan(groups, byRule(groups, scores), PlanOptions{})
		checkIndexBuilds(t, groups, res)
		got := survivors(groups, res)
		want := naiveGreedy(docs, order)
		for id := range got {
			if !want[id] {
				t.Fatalf("case %d (%v, first %v): keeps %s, which the index would refuse in rule order", c, docs, first, id)
			}
		}
		for id := range want {
			if !got[id] && inSomeGroup(groups, id) {
				t.Fatalf("case %d (%v): deletes %s, which the index would accept in rule order", c, docs, id)
			}
		}
	}
}

func inSomeGroup(groups []Group, id Value) bool {
	for _, g := range groups {
		if containsValue(g.IDs, id) {
			return true
		}
	}
	return false
}

// Hand choices go in first; a skipped group's members are never deleted and hold their keys.
func TestOverlapHandAndSkip(t *testing.T) {
	// 1:[a,b] 2:[a] 3:[b,c] 4:[c]
	groups := tagDocs([][]string{{"a", "b"}, {"a"}, {"b", "c"}, {"c"}})
	// a keeps 2 by hand, b by rule (first), c is skipped.
	cs := byRule(groups, nil)
	cs[0] = Choice{Keep: 1, How: ByHand}
	cs[2] = Choice{}
	res := BuildPlan(groups, cs, PlanOptions{})
	// 2 first (hand), then 3 and 4 (skipped: kept), then 1 collides with 2 on a.
	want := []PlanGroup{{Key: ids(`"a"`), Keep: "2", Delete: ids("1"), Decision: ByHand}}
	if !reflect.DeepEqual(res.Groups, want) {
		t.Fatalf("plan %+v", res.Groups)
	}
	// b's rule choice 1 is gone; 3 (skipped on c) holds b.
	if len(res.Overlaps) != 1 || res.Overlaps[0].Key[0] != `"b"` || !reflect.DeepEqual(res.Overlaps[0].Kept, ids("3")) {
		t.Fatalf("overlaps %+v", res.Overlaps)
	}
	// A skip beside a hand keeper on the same key: both stay, and the group is crowded.
	// 1:[a] 2:[a,s] 3:[s]; a keeps 1 by hand, s skipped.
	groups = tagDocs([][]string{{"a"}, {"a", "s"}, {"s"}})
	res = BuildPlan(groups, []Choice{{Keep: 0, How: ByHand}, {}}, PlanOptions{})
	if len(res.Groups) != 0 || res.Crowded != 1 || !reflect.DeepEqual(res.Overlaps[0].Kept, ids("1", "2")) {
		t.Fatalf("crowded: %+v", res)
	}
}

// Rank agrees with Keeper on its first member, and keeps every member once.
func TestRankLeadsWithKeeper(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	rules := []KeepRule{{Kind: KeepFirst}, {Kind: KeepLast}, {Kind: KeepMax, Field: "n"}, {Kind: KeepMin, Field: "n"}, {Kind: KeepMostFields}}
	for c := range 500 {
		n := 1 + rng.IntN(6)
		g := Group{Key: ids(`"k"`)}
		var docs []Doc
		for i := range n {
			id := Value(strconv.Itoa(i + 1))
			g.IDs = append(g.IDs, id)
			if rng.IntN(5) == 0 && i > 0 {
				continue // gone since the scan
			}
			d := Doc{ID: id, Fields: []Field{{Path: "_id", Value: id}}}
			if rng.IntN(3) > 0 {
				d.Fields = append(d.Fields, Field{Path: "n", Value: Value(strconv.Itoa(rng.IntN(3)))})
			}
			for k := range rng.IntN(3) {
				d.Fields = append(d.Fields, Field{Path: fmt.Sprintf("f%d", k), Value: "1"})
			}
			docs = append(docs, d)
		}
		for _, r := range rules {
			rank, err := r.Rank(g, docs)
			if err != nil {
				t.Fatal(err)
			}
			k, err := r.Keeper(g, docs)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[int]bool{}
			for _, j := range rank {
				seen[j] = true
			}
			if len(rank) != n || len(seen) != n || rank[0] != k {
				t.Fatalf("case %d rule %s: rank %v, keeper %d", c, r, rank, k)
			}
		}
	}
}

// maxKept is the most documents of the groups that can stay together, by brute force over
// every subset: the exact optimum a plan can reach.
func maxKept(docs [][]string) (inGroups, best int) {
	n := len(docs)
	conflict := make([]uint32, n)
	for i := range docs {
		for j := range docs {
			if i != j && shareTag(docs[i], docs[j]) {
				conflict[i] |= 1 << j
			}
		}
	}
	for i := range docs {
		if conflict[i] != 0 {
			inGroups++
		}
	}
	for s := uint32(0); s < 1<<n; s++ {
		ok, k := true, 0
		for i := 0; i < n && ok; i++ {
			if s&(1<<i) != 0 {
				ok = conflict[i]&s == 0
				k++
			}
		}
		if ok && k > best {
			best = k
		}
	}
	// Documents in no group are kept by every plan: count only those in groups.
	return inGroups, best - (n - inGroups)
}

func shareTag(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// The planner deletes what the index refuses in keep order, not the fewest documents: the
// exact minimum is NP-hard (a maximum independent set). This measures the gap on small random
// tag arrays, keeping the first holder ("first"); go test ./model -run
// TestOverlapAgainstMinimum -v prints the figures.
func TestOverlapAgainstMinimum(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 19))
	const cases = 3000
	var planned, minimum, optimal, overlapping, oPlanned, oMinimum int
	excess := map[int]int{}
	worst := 1.0
	for range cases {
		docs := randomTags(rng, 4+rng.IntN(9), 3+rng.IntN(6), 1+rng.IntN(3))
		groups := tagDocs(docs)
		res := BuildPlan(groups, byRule(groups, nil), PlanOptions{})
		inGroups, best := maxKept(docs)
		least := inGroups - best
		if res.Deletes() < least {
			t.Fatalf("%v: the plan deletes %d, fewer than the minimum %d", docs, res.Deletes(), least)
		}
		if sharesMember(groups) {
			overlapping++
			oPlanned += res.Deletes()
			oMinimum += least
		}
		planned += res.Deletes()
		minimum += least
		excess[res.Deletes()-least]++
		if res.Deletes() == least {
			optimal++
		} else if r := float64(res.Deletes()) / float64(least); r > worst {
			worst = r
		}
	}
	t.Logf("%d random cases (4-12 documents, 1-3 tags each from 3-8 values; %d where a document sits in two groups or more)", cases, overlapping)
	t.Logf("deletions: planned %d, exact minimum %d, ratio %.3f", planned, minimum, float64(planned)/float64(minimum))
	t.Logf("where groups overlap: planned %d, exact minimum %d, ratio %.3f", oPlanned, oMinimum, float64(oPlanned)/float64(oMinimum))
	t.Logf("cases at the minimum: %d (%.1f%%); worst case ratio %.2f", optimal, 100*float64(optimal)/cases, worst)
	var ks []int
	for k := range excess {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	for _, k := range ks {
		t.Logf("  %d more than the minimum: %d cases", k, excess[k])
	}
}

// sharesMember reports a document in two groups or more.
func sharesMember(groups []Group) bool {
	seen := map[Value]bool{}
	for _, g := range groups {
		for _, id := range g.IDs {
			if seen[id] {
				return true
			}
			seen[id] = true
		}
	}
	return false
}

func containsValue(vs []Value, v Value) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
