package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

func usersWithDupes(f fixture) {
	f.insert("users",
		map[string]any{"_id": 1, "email": "a", "n": 5},
		map[string]any{"_id": 2, "email": "a", "n": 9, "extra": true},
		map[string]any{"_id": 3, "email": "a", "n": 1},
		map[string]any{"_id": 4, "email": "b", "n": 2},
		map[string]any{"_id": 5, "email": "b"},
		map[string]any{"_id": 6, "email": "c"},
	)
}

func readPlan(t *testing.T, path string) model.Plan {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.DecodePlan(b)
	if err != nil {
		t.Fatalf("plan file does not decode: %v\n%s", err, b)
	}
	return p
}

func keepers(p model.Plan) string {
	var ks []string
	for _, g := range p.Groups {
		ks = append(ks, g.Keep.Display())
	}
	return strings.Join(ks, " ")
}

func TestPlanWritesAPlanFileByRule(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	dir := t.TempDir()
	for rule, want := range map[string]string{
		"first": "1 4", "last": "3 5", "max:n": "2 4", "min:n": "3 4", "most-fields": "2 4",
	} {
		out := filepath.Join(dir, strings.ReplaceAll(rule, ":", "_")+".json")
		stdout, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", rule, "--out", out)
		if status != 0 {
			t.Fatalf("plan --keep %s: status %d: %s", rule, status, errOut)
		}
		p := readPlan(t, out)
		if got := keepers(p); got != want {
			t.Errorf("--keep %s keeps %s, want %s", rule, got, want)
		}
		if p.NS.String() != f.ns("users") || p.Rule != rule || p.Semantics != "exact; missing = null" || p.Deletes() != 3 || p.Version != model.PlanVersion {
			t.Errorf("--keep %s: plan %+v", rule, p)
		}
		if time.Since(p.CreatedAt) > time.Hour || p.CreatedAt.IsZero() {
			t.Errorf("plan time %v", p.CreatedAt)
		}
		mustContain(t, "plan output", stdout, "2 groups: keep one document each, delete 3", "plan written to "+out, "dupes apply --plan "+out)
		if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("plan file mode: %v %v", st.Mode(), err)
		}
	}
	if n := f.count("users"); n != 6 {
		t.Fatalf("plan changed the collection: %d documents", n)
	}
	// "-" writes the plan to standard output, the summary to standard error.
	stdout, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--out", "-")
	if status != 0 {
		t.Fatal(errOut)
	}
	if _, err := model.DecodePlan([]byte(stdout)); err != nil {
		t.Errorf("plan on stdout: %v\n%s", err, stdout)
	}
	mustContain(t, "summary on stderr", errOut, "delete 3")
}

func TestPlanMultikeyStaysValid(t *testing.T) {
	f := newFixture(t)
	f.insert("posts",
		map[string]any{"_id": 1, "tags": []any{"a", "b"}},
		map[string]any{"_id": 2, "tags": []any{"a", "c"}},
		map[string]any{"_id": 3, "tags": []any{"b", "c"}},
		map[string]any{"_id": 4, "tags": []any{"d", "d"}},
	)
	out := filepath.Join(t.TempDir(), "p.json")
	_, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("posts"), "--key", "tags", "--keep", "first", "--out", out)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	p := readPlan(t, out)
	if p.Deletes() == 0 || p.Deletes() > 2 {
		t.Errorf("plan deletes %d of 3 overlapping documents: %+v", p.Deletes(), p.Groups)
	}
	mustContain(t, "note", errOut, "share documents with other groups")
}

func TestPlanRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	ns := f.ns("users")
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--ns", ns, "--key", "email", "--out", "p.json"}, "--keep RULE is required"},
		{[]string{"--ns", ns, "--key", "email", "--keep", "newest", "--out", "p.json"}, `unknown keep rule "newest"`},
		{[]string{"--ns", ns, "--key", "email", "--keep", "max", "--out", "p.json"}, "needs a field"},
		{[]string{"--ns", ns, "--key", "email", "--keep", "first"}, "--out PLAN.json is required"},
	} {
		_, errOut, status := dupes(t, append([]string{"plan", "--uri", f.uri}, tc.args...)...)
		if status != 2 || !strings.Contains(errOut, tc.says) {
			t.Errorf("plan %v: status %d %q, want 2 saying %q", tc.args, status, errOut, tc.says)
		}
	}
	_, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", ns, "--key", "email", "--keep", "first", "--out", "/nonexistent/dir/p.json")
	if status != 1 || !strings.Contains(errOut, "write plan") {
		t.Errorf("unwritable --out: status %d %q", status, errOut)
	}
}

func TestApplyRefusesBadPlans(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.json")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--out", plan); status != 0 {
		t.Fatal(errOut)
	}
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte(`{"hello": "world"}`), 0o600)
	truncated := filepath.Join(dir, "truncated.json")
	b, _ := os.ReadFile(plan)
	os.WriteFile(truncated, b[:len(b)/2], 0o600)
	for _, tc := range []struct {
		args   []string
		status int
		says   string
	}{
		{[]string{"--plan", plan, "--ns", f.db + ".other", "--yes"}, 1, "is a plan for " + f.ns("users") + ", not " + f.db + ".other: refusing"},
		{[]string{"--plan", garbage, "--yes"}, 1, "not a dupes plan file"},
		{[]string{"--plan", truncated, "--yes"}, 1, "not a dupes plan file"},
		{[]string{"--plan", filepath.Join(dir, "none.json"), "--yes"}, 1, "cannot read the plan"},
		{[]string{"--yes"}, 2, "--plan PLAN.json is required"},
		{[]string{"--plan", plan, "--ns", "bad"}, 2, "not DB.COLLECTION"},
	} {
		_, errOut, status := dupes(t, append([]string{"apply", "--uri", f.uri}, tc.args...)...)
		if status != tc.status || !strings.Contains(errOut, tc.says) {
			t.Errorf("apply %v: status %d %q, want %d saying %q", tc.args, status, errOut, tc.status, tc.says)
		}
	}
	if n := f.count("users"); n != 6 {
		t.Fatalf("a refused plan changed the collection: %d documents", n)
	}
}

func TestApplyAndResolveWithoutYesChangeNothing(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	plan := filepath.Join(t.TempDir(), "plan.json")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "last", "--out", plan); status != 0 {
		t.Fatal(errOut)
	}
	backup := t.TempDir()
	out, errOut, status := dupes(t, "apply", "--uri", f.uri, "--plan", plan, "--backup", backup)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "apply dry run", out, "plan for "+f.ns("users"), "rule: last (keep the largest _id", "2 groups: keep one document each, delete 3",
		"dry run: nothing changed. Run again with --yes")

	out, errOut, status = dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--backup", backup, "--create-index")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "resolve without --yes", out, "delete 3", "without --yes: nothing changed.", "the 3 documents would be backed up to "+backup,
		"Then the unique index email_1_present on email (partial: documents lacking the key are left out of it) would be built")
	out, _, status = dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--backup", backup, "--dry-run", "--yes")
	if status != 0 {
		t.Fatalf("status %d", status)
	}
	mustContain(t, "resolve --dry-run --yes", out, "dry run: nothing changed.")
	if n := f.count("users"); n != 6 {
		t.Fatalf("a dry run changed the collection: %d documents", n)
	}
	if entries, _ := os.ReadDir(backup); len(entries) != 0 {
		t.Fatalf("a dry run wrote a backup: %v", entries)
	}
	_, errOut, status = dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email")
	if status != 2 || !strings.Contains(errOut, "--keep RULE is required") {
		t.Errorf("resolve without --keep: %d %q", status, errOut)
	}
}

func TestPlanAndResolveRefuseViews(t *testing.T) {
	if e := testEngine(t); !e.Views {
		mongotest.Skipf(t, "%s has no views: createView makes a collection listed as a plain one, "+
			"which dupes cannot tell from a real collection", e)
	}
	f := newFixture(t)
	usersWithDupes(f)
	type createView struct {
		Create   string `bson:"create"`
		ViewOn   string `bson:"viewOn"`
		Pipeline []any  `bson:"pipeline"`
	}
	if err := mongotest.Client(t).Database(f.db).RunCommand(context.Background(),
		createView{Create: "users_view", ViewOn: "users", Pipeline: []any{}}).Err(); err != nil {
		t.Fatalf("create view: %v", err)
	}
	for _, args := range [][]string{
		{"plan", "--out", filepath.Join(t.TempDir(), "p.json")},
		{"resolve", "--yes"},
	} {
		_, errOut, status := dupes(t, append(args, "--uri", f.uri, "--ns", f.ns("users_view"), "--key", "email", "--keep", "first")...)
		if status != 1 || !strings.Contains(errOut, "is a view") {
			t.Errorf("%s on a view: %d %q", args[0], status, errOut)
		}
	}
	if n := f.count("users"); n != 6 {
		t.Fatalf("collection changed: %d", n)
	}
}
