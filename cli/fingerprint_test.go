package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

func (f fixture) update(coll string, id any, change map[string]any) {
	f.t.Helper()
	res, err := mongotest.Client(f.t).Database(f.db).Collection(coll).UpdateOne(context.Background(), map[string]any{"_id": id}, change)
	if err != nil || res.MatchedCount != 1 {
		f.t.Fatalf("update %v: %v %+v", id, err, res)
	}
}

// TestApplyHoldsThePlannedVersions: dupes plan records every member's fingerprint; apply
// keeps a member changed after the plan, saying so, and deletes one changed and changed back.
// A plan without fingerprints (an older dupes's) is refused unless --no-fingerprints
// accepts it, and then only the key is checked.
func TestApplyHoldsThePlannedVersions(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f) // a: 1 2 3, b: 4 5; first keeps 1 and 4
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	out, errOut, st := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--out", planPath)
	if st != 0 {
		t.Fatal(errOut)
	}
	mustContain(t, "plan", out, "the plan records the version read of each of its 5 documents")
	p := readPlan(t, planPath)
	if p.Unprinted() != 0 {
		t.Fatalf("dupes plan wrote %d groups without fingerprints", p.Unprinted())
	}
	old := p
	old.Version = 1
	old.Groups = append([]model.PlanGroup(nil), p.Groups...)
	for i := range old.Groups {
		old.Groups[i].KeepFingerprint, old.Groups[i].DeleteFingerprints = "", nil
	}
	oldPath := filepath.Join(dir, "old.json")
	b, _ := json.Marshal(old)
	if err := os.WriteFile(oldPath, b, 0o600); err != nil {
		t.Fatal(err)
	}

	f.update("users", 2, map[string]any{"$set": map[string]any{"n": 10}})
	f.update("users", 3, map[string]any{"$set": map[string]any{"note": "x"}})
	f.update("users", 3, map[string]any{"$unset": map[string]any{"note": ""}})

	for _, args := range [][]string{{"--yes"}, {}} {
		_, errOut, st := dupes(t, append([]string{"apply", "--uri", f.uri, "--plan", oldPath}, args...)...)
		if st != 1 {
			t.Fatalf("apply of a plan without fingerprints %v: status %d", args, st)
		}
		mustContain(t, "refusal", errOut, "records no fingerprints for 2 of its 2 groups", "--no-fingerprints", "nothing was changed")
	}
	if n := f.count("users"); n != 6 {
		t.Fatalf("a refused plan changed the collection: %d documents", n)
	}

	out, errOut, st = dupes(t, "apply", "--uri", f.uri, "--plan", planPath, "--backup", dir, "--yes")
	if st != 0 {
		t.Fatalf("apply: %d %s%s", st, out, errOut)
	}
	mustContain(t, "apply", out, "still the version the plan read", "deleted 2 documents", "skipped 1", "kept 2: "+model.ReasonChangedSincePlan)
	if n := f.count("users"); n != 4 { // 1 2 4 6
		t.Fatalf("%d documents left, want 4", n)
	}

	// Accepted without fingerprints, the old plan deletes 2: it still has the key.
	out, errOut, st = dupes(t, "apply", "--uri", f.uri, "--plan", oldPath, "--backup", dir, "--yes", "--no-fingerprints")
	if st != 0 {
		t.Fatalf("apply --no-fingerprints: %d %s%s", st, out, errOut)
	}
	mustContain(t, "warning", errOut, "--no-fingerprints", "even if they changed after the plan")
	if n := f.count("users"); n != 3 {
		t.Fatalf("%d documents left, want 3", n)
	}
}
