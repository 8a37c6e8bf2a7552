package cli

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// resolveTags resolves the tags key of coll keeping the first holder of each tag, builds the
// unique index in the same run, and returns the output.
func resolveTags(t *testing.T, f fixture, coll string) string {
	t.Helper()
	return resolveTagsKeeping(t, f, coll, "first")
}

func resolveTagsKeeping(t *testing.T, f fixture, coll, keep string) string {
	t.Helper()
	out, errOut, status := dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns(coll), "--key", "t", "--keep", keep,
		"--backup", t.TempDir(), "--yes", "--create-index")
	if status != 0 {
		t.Fatalf("resolve: status %d\n%s%s", status, out, errOut)
	}
	mustContain(t, "resolve --create-index", out, "unique index t_1")
	return out + errOut
}

// The overlapping examples resolve in one run, keeping the first holder of each key,
// and the unique index builds.
func TestResolveOverlappingGroups(t *testing.T) {
	f := newFixture(t)
	// keep first deletes 2 alone: 1 holds y, 3 holds x.
	f.insert("one",
		map[string]any{"_id": 1, "t": []any{"y"}},
		map[string]any{"_id": 2, "t": []any{"x", "y"}},
		map[string]any{"_id": 3, "t": []any{"x"}},
	)
	out := resolveTags(t, f, "one")
	if got := f.ids("one"); got != "[1 3]" {
		t.Fatalf("left %s, want [1 3]\n%s", got, out)
	}
	// z does not drop out: 1 holds a and z, so 2 (a duplicate on z) and 3 (on a) go, and 4
	// holds b.
	f.insert("two",
		map[string]any{"_id": 1, "t": []any{"a", "z"}},
		map[string]any{"_id": 2, "t": []any{"b", "z"}},
		map[string]any{"_id": 3, "t": []any{"a"}},
		map[string]any{"_id": 4, "t": []any{"b"}},
	)
	out = resolveTags(t, f, "two")
	if got := f.ids("two"); got != "[1 4]" {
		t.Fatalf("left %s, want [1 4]\n%s", got, out)
	}
	// A group whose members all go as duplicates on other keys: g ends with no holder, and the
	// note says which groups overlapped.
	f.insert("three",
		map[string]any{"_id": 1, "t": []any{"p"}},
		map[string]any{"_id": 2, "t": []any{"q"}},
		map[string]any{"_id": 3, "t": []any{"p", "g"}},
		map[string]any{"_id": 4, "t": []any{"q", "g"}},
	)
	out = resolveTags(t, f, "three")
	if got := f.ids("three"); got != "[1 2]" {
		t.Fatalf("left %s, want [1 2]\n%s", got, out)
	}
}

// Where a group's keeper goes as a duplicate on another key, the next member the rule
// prefers holds the key, not the smallest _id.
func TestResolveOverlappingGroupsByRule(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ coll, keep string }{{"last", "last"}, {"max", "max:n"}, {"min", "min:m"}} {
		// 3 is a's keeper (largest _id, largest n, smallest m) but a duplicate of 4 on b,
		// which the rule prefers; a then keeps 2, its rule's second, not 1.
		f.insert(tc.coll,
			map[string]any{"_id": 1, "t": []any{"a"}, "n": 1, "m": 9},
			map[string]any{"_id": 2, "t": []any{"a"}, "n": 9, "m": 3},
			map[string]any{"_id": 3, "t": []any{"a", "b"}, "n": 10, "m": 2},
			map[string]any{"_id": 4, "t": []any{"b"}, "n": 20, "m": 1},
		)
		out := resolveTagsKeeping(t, f, tc.coll, tc.keep)
		if got := f.ids(tc.coll); got != "[2 4]" {
			t.Fatalf("--keep %s left %s, want [2 4]\n%s", tc.keep, got, out)
		}
		mustContain(t, "--keep "+tc.keep, out, "groups share documents with other groups")
	}
}

// Tag arrays of many documents: one run leaves every tag with one holder, the first in _id
// order that the index accepts, and the unique index builds.
func TestResolveManyTagArraysInOneRun(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 2000
	}
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(19, 10000))
	docs := make([]map[string]any, n)
	tags := make([][]string, n)
	for i := range docs {
		k := 1 + rng.IntN(3)
		var ts []any
		for range k {
			tg := fmt.Sprintf("t%d", rng.IntN(n/2))
			ts = append(ts, tg)
			tags[i] = append(tags[i], tg)
		}
		docs[i] = map[string]any{"_id": i + 1, "t": ts}
	}
	for start := 0; start < n; start += 1000 {
		f.insert("many", docs[start:min(start+1000, n)]...)
	}
	resolveTags(t, f, "many")
	// The documents the unique index accepts when they are inserted in _id order.
	held := map[string]bool{}
	var want []int
	for i, ts := range tags {
		free := true
		for _, tg := range ts {
			free = free && !held[tg]
		}
		if free {
			for _, tg := range ts {
				held[tg] = true
			}
			want = append(want, i+1)
		}
	}
	sort.Ints(want)
	if got := f.ids("many"); got != fmt.Sprint(want) {
		t.Fatalf("left %d documents, want the %d the index accepts in _id order", strings.Count(got, " ")+1, len(want))
	}
}
