package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest/rsproxy"
)

// driverOwn are the commands the driver sends on its own, which carry no comment of dupes':
// the handshake and heartbeats, the end of its sessions, and a cursor's kill on close
// (docs/safety.md, "Reads and operations"). getMore is not among them: the driver carries
// the cursor's comment onto it.
var driverOwn = map[string]bool{"hello": true, "isMaster": true, "ismaster": true, "endSessions": true, "killCursors": true}

var commentForm = regexp.MustCompile(`^dupes ([a-z-]+) ([0-9a-f]{12})$`)

// checkComments asserts that every command of dupes' that the proxy saw since its last Reset
// carries "dupes SUB RUNID", one run id for the step, and that there was at least one.
func checkComments(t *testing.T, p *rsproxy.Proxy, sub string) {
	t.Helper()
	ids := map[string]bool{}
	n := 0
	for _, s := range p.Commands() {
		if driverOwn[s.Command] {
			continue
		}
		n++
		m := commentForm.FindStringSubmatch(s.Comment)
		if m == nil || m[1] != sub {
			t.Errorf("%s: %s does not carry the comment \"dupes %s RUNID\"", sub, s, sub)
			continue
		}
		ids[m[2]] = true
	}
	if n == 0 {
		t.Fatalf("%s: the proxy saw no command of dupes'", sub)
	}
	if len(ids) > 1 {
		t.Errorf("%s: its commands carry %d run ids, want one: %v", sub, len(ids), ids)
	}
	p.Reset()
}

// Every command each subcommand sends carries "dupes SUB RUNID", through a replica set
// where reads may go to a secondary: scan, plan, apply (backup, delete, lease, verify),
// restore, resolve with an index build, explain-error, report, census, and the TUI's store.
func TestEveryCommandCarriesTheComment(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	f.insert("people", map[string]any{"_id": 1, "email": "a"}, map[string]any{"_id": 2, "email": "a"},
		map[string]any{"_id": 3, "email": "b"})
	p := rsproxy.Start(t, f.uri, rsproxy.Options{Members: 3})
	uri := p.URI()
	dir := t.TempDir()
	run := func(sub string, args ...string) string {
		t.Helper()
		p.Reset()
		out, errOut, status := dupes(t, append([]string{sub, "--uri", uri}, args...)...)
		if status != 0 {
			t.Fatalf("dupes %s: status %d\n%s%s", sub, status, out, errOut)
		}
		checkComments(t, p, sub)
		return out
	}
	ns := f.ns("users")
	run("scan", "--ns", ns, "--key", "email", "--read-preference", "secondaryPreferred")
	plan := filepath.Join(dir, "plan.json")
	run("plan", "--ns", ns, "--key", "email", "--keep", "first", "--out", plan)
	backup := filepath.Join(dir, "backup")
	out := run("apply", "--plan", plan, "--backup", backup, "--yes")
	mustContain(t, "apply", out, "deleted 3 documents")
	files, _ := filepath.Glob(filepath.Join(backup, ns+".*.bson"))
	if len(files) != 1 {
		t.Fatalf("backup files: %v", files)
	}
	run("restore", "--backup", files[0], "--yes")
	if n := f.count("users"); n != 6 {
		t.Fatalf("after restore: %d documents, want 6", n)
	}
	run("resolve", "--ns", ns, "--key", "email", "--keep", "first", "--backup", filepath.Join(dir, "b2"),
		"--yes", "--create-index", "--read-preference", "secondaryPreferred")
	run("explain-error", fmt.Sprintf(`E11000 duplicate key error collection: %s index: email_1 dup key: { email: "a" }`, ns))
	run("report", "--ns", ns, "--key", "email", "--out", filepath.Join(dir, "r.html"))
	run("census", "--db", f.db)

	// The TUI's store: every call it makes on a live server.
	ctx := context.Background()
	c, err := mongo.Connect(ctx, uri, mongo.Options{Command: "tui", ReadPreference: "secondaryPreferred"})
	if err != nil {
		t.Fatal(err)
	}
	s := mongoStore{c}
	p.Reset()
	tuiCalls(t, s, model.Namespace{DB: f.db, Coll: "people"}, filepath.Join(dir, "b3"))
	closeClient(c)
	checkComments(t, p, "tui")
}

// tuiCalls makes the store calls of the TUI's flow: browse, sample, scan, read members,
// decide, preview, run, and build the index.
func tuiCalls(t *testing.T, s mongoStore, ns model.Namespace, backup string) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("store %s: %v", what, err)
		}
	}
	_, err := s.Databases(ctx)
	must("Databases", err)
	_, err = s.Collections(ctx, ns.DB)
	must("Collections", err)
	_, err = s.Indexes(ctx, ns)
	must("Indexes", err)
	_, err = s.SampleFields(ctx, ns, 0)
	must("SampleFields", err)
	_, err = s.AvgDocSize(ctx, ns)
	must("AvgDocSize", err)
	_, _, err = s.Collations(ctx)
	must("Collations", err)
	_, err = s.ShardKey(ctx, ns)
	must("ShardKey", err)
	key := model.Key{Fields: []string{"email"}}
	cur, err := s.Scan(ctx, ns, key)
	must("Scan", err)
	groups, err := cur.(*mongo.Cursor).All(ctx)
	must("Scan", err)
	_ = cur.Close(ctx)
	if len(groups) == 0 {
		t.Fatal("the store's scan found no group")
	}
	_, err = s.FetchDocs(ctx, ns, groups[0].IDs)
	must("FetchDocs", err)
	keep, err := s.Keepers(ctx, ns, model.KeepRule{Kind: model.KeepFirst}, groups)
	must("Keepers", err)
	_, err = s.MergePreview(ctx, ns, model.KeepRule{Kind: model.KeepFirst}, model.MergeOptions{},
		groups[0].IDs[keep[0]], groups[0].IDs[1:])
	must("MergePreview", err)
	plan := model.Plan{Version: model.PlanVersion, NS: ns, Key: key, Rule: "first"}
	for i, g := range groups {
		plan.Groups = append(plan.Groups, model.Decide(g, keep[i], model.ByRule))
	}
	if err := os.MkdirAll(backup, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err = s.Execute(ctx, plan, backup, model.Pace{}, nil)
	must("Execute", err)
	_, err = s.CreateUniqueIndex(ctx, ns, key)
	if err != nil && !strings.Contains(err.Error(), "partial") {
		must("CreateUniqueIndex", err)
	}
}
