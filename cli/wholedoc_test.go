package cli

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// product is an imported record; a struct keeps its fields in order (a map would not, and
// field order counts in a whole-document comparison).
type product struct {
	ID         int    `bson:"_id"`
	SKU        string `bson:"sku"`
	Price      int    `bson:"price"`
	ImportedAt int    `bson:"importedAt"`
	Source     string `bson:"source,omitempty"`
}

// TestWholeDocumentCLI: an import ran twice (the second run also recorded its source). scan,
// plan and apply find and resolve the copies with --whole-document --ignore, and --merge
// keeps the source the deleted copies held.
func TestWholeDocumentCLI(t *testing.T) {
	f := newFixture(t)
	var docs []any
	for i := range 4 {
		docs = append(docs, product{ID: 1 + i, SKU: "P" + strconv.Itoa(i), Price: i, ImportedAt: 1},
			product{ID: 11 + i, SKU: "P" + strconv.Itoa(i), Price: i, ImportedAt: 2, Source: "feed"})
	}
	docs = append(docs, product{ID: 99, SKU: "P0", Price: 5, ImportedAt: 1}) // no copy
	mongotest.InsertMany(t, mongotest.Client(t).Database(f.db).Collection("products"), docs)
	ns := f.ns("products")

	if _, errOut, st := dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--ignore", "importedAt"); st != 2 || !strings.Contains(errOut, "--whole-document") {
		t.Errorf("--ignore alone: status %d: %s", st, errOut)
	}
	if _, errOut, st := dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--whole-document", "--key", "sku"); st != 2 {
		t.Errorf("--whole-document --key: status %d: %s", st, errOut)
	}
	if _, errOut, st := dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--whole-document", "--ignore", "importdAt"); st != 1 || !strings.Contains(errOut, "did you mean importedAt") {
		t.Errorf("misspelled --ignore: status %d: %s", st, errOut)
	}
	out, errOut, st := dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--whole-document", "--ignore", "importedAt")
	if st != 0 || !strings.Contains(out, "no duplicates") {
		t.Errorf("source differs, so no copies: status %d: %s%s", st, out, errOut)
	}
	out, errOut, st = dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--whole-document", "--ignore", "importedAt,source", "--format", "json")
	if st != 0 {
		t.Fatal(errOut)
	}
	mustContain(t, "scan json", out, `"wholeDocument":true`, `"ignore":["importedAt","source"]`, `"groups":4`, `"surplus":4`, `{"sku":"P0","price":{"$numberInt":"0"}}`)

	plan := filepath.Join(t.TempDir(), "plan.json")
	out, errOut, st = dupes(t, "plan", "--uri", f.uri, "--ns", ns, "--whole-document", "--ignore", "importedAt,source",
		"--keep", "first", "--merge", "--out", plan)
	if st != 0 {
		t.Fatal(errOut)
	}
	mustContain(t, "plan output", out, "whole document except importedAt, source", "4 groups", "merge: fill each keeper", "keeper 1 gains source (from 11)")
	p := readPlan(t, plan)
	if !p.Key.WholeDocument || p.Merge == nil || p.Deletes() != 4 {
		t.Fatalf("plan: %+v", p)
	}
	if _, errOut, st := dupes(t, "apply", "--uri", f.uri, "--plan", plan, "--yes"); st != 1 || !strings.Contains(errOut, "apply it with --merge") {
		t.Fatalf("apply without --merge: status %d: %s", st, errOut)
	}
	if n := f.count("products"); n != 9 {
		t.Fatalf("refused apply changed the collection: %d", n)
	}
	if _, errOut, st := dupes(t, "apply", "--uri", f.uri, "--plan", plan, "--yes", "--merge", "--create-index"); st != 2 {
		t.Fatalf("apply --create-index of a whole-document plan: status %d: %s", st, errOut)
	}
	out, errOut, st = dupes(t, "apply", "--uri", f.uri, "--plan", plan, "--yes", "--merge", "--backup", t.TempDir())
	if st != 0 {
		t.Fatalf("apply: %s%s", out, errOut)
	}
	mustContain(t, "apply output", out, "deleted 4 documents", "merged into 4 keepers")
	if n := f.count("products"); n != 5 {
		t.Errorf("%d products left, want 5", n)
	}
	var kept product
	if err := mongotest.Client(t).Database(f.db).Collection("products").FindOne(context.Background(), map[string]any{"_id": 1}).Decode(&kept); err != nil || kept.Source != "feed" || kept.ImportedAt != 1 {
		t.Errorf("keeper: %+v %v", kept, err)
	}
	out, errOut, st = dupes(t, "resolve", "--uri", f.uri, "--ns", ns, "--whole-document", "--keep", "first", "--create-index")
	if st != 2 {
		t.Errorf("resolve --whole-document --create-index: status %d: %s%s", st, out, errOut)
	}
}
