package mongobench

import (
	"context"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestSeedMakesTheGroupsItReports checks the seeder against the server's own count of the
// duplicate groups, so benchmark figures rest on the data they claim.
func TestSeedMakesTheGroupsItReports(t *testing.T) {
	ctx := context.Background()
	coll := mongotest.DB(t).Collection("users")
	spec := Spec{Docs: 2500, Groups: 400, Seed: 7}
	st, err := Seed(ctx, coll, spec)
	if err != nil {
		t.Fatal(err)
	}
	if st.Docs != 2500 || st.Groups != 400 || st.Members < 800 || st.Members > 1600 || st.Surplus != st.Members-st.Groups {
		t.Fatalf("stats %+v do not fit spec %+v", st, spec)
	}
	n, err := coll.CountDocuments(ctx, bson.D{})
	if err != nil || n != 2500 {
		t.Fatalf("count = %d, %v; want 2500", n, err)
	}
	fl, err := BareScan(ctx, coll, model.Key{Fields: []string{KeyField}})
	if err != nil {
		t.Fatal(err)
	}
	if fl.Groups != st.Groups {
		t.Fatalf("the scan pipeline finds %d groups, the seeder reports %d", fl.Groups, st.Groups)
	}
	// Same spec, same data: the comparisons reseed between runs and rely on it.
	again, _ := plan(spec)
	first, _ := plan(spec)
	for i := range first {
		if first[i] != again[i] {
			t.Fatalf("plan is not deterministic at %d", i)
		}
	}
}

// TestSeedTinySpec keeps the group sizes within what the documents can hold.
func TestSeedTinySpec(t *testing.T) {
	emails, st := plan(Spec{Docs: 5, Groups: 4, Seed: 1})
	if st.Groups != 2 || st.Members > 5 || len(emails) != 5 {
		t.Fatalf("stats %+v for 5 docs and 4 wanted groups", st)
	}
}

// TestBaselineDeletesTheSurplus checks that the per-group script does what the README's "Why" says:
// one document left per group, everything else untouched.
func TestBaselineDeletesTheSurplus(t *testing.T) {
	ctx := context.Background()
	coll := mongotest.DB(t).Collection("users")
	st, err := Seed(ctx, coll, Spec{Docs: 1000, Groups: 120, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Baseline(ctx, coll, KeyField)
	if err != nil {
		t.Fatal(err)
	}
	if r.Groups != st.Groups || r.Deleted != int64(st.Surplus) {
		t.Fatalf("script: %d groups, %d deleted; want %d, %d", r.Groups, r.Deleted, st.Groups, st.Surplus)
	}
	n, _ := coll.CountDocuments(ctx, bson.D{})
	if n != int64(st.Docs-st.Surplus) {
		t.Fatalf("%d documents left, want %d", n, st.Docs-st.Surplus)
	}
	fl, err := BareScan(ctx, coll, model.Key{Fields: []string{KeyField}})
	if err != nil || fl.Groups != 0 {
		t.Fatalf("after the script the scan finds %d groups (%v), want 0", fl.Groups, err)
	}
}

// TestSeedPastOneWriteCommand seeds more documents than DocumentDB accepts in one write command
// (25 000), so the seeder's chunking is exercised on every engine the tests run against.
func TestSeedPastOneWriteCommand(t *testing.T) {
	ctx := context.Background()
	coll := mongotest.DB(t).Collection("users")
	const docs = 3*SeedBatch + 1234
	if docs <= 25000 {
		t.Fatalf("%d documents do not pass DocumentDB's 25 000 ops per write command", docs)
	}
	st, err := Seed(ctx, coll, Spec{Docs: docs, Groups: 4000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	n, err := coll.CountDocuments(ctx, bson.D{})
	if err != nil || n != docs || st.Docs != docs {
		t.Fatalf("count = %d (%v), stats %+v; want %d", n, err, st, docs)
	}
}
