package cli

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

func TestTUIConfig(t *testing.T) {
	t.Setenv("MONGODB_URI", "")
	cfg, _, err := tuiConfig([]string{"mongodb://h:1", "--ns", "shop.users", "--key", "email, name", "--read-only", "--backup", "/b"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URI != "mongodb://h:1" || cfg.NS != "shop.users" || strings.Join(cfg.Key.Fields, ",") != "email,name" || !cfg.ReadOnly || cfg.BackupDir != "/b" {
		t.Fatalf("config %+v", cfg)
	}
	cfg, _, err = tuiConfig(nil)
	if err != nil || cfg.URI != "mongodb://localhost:27017" || cfg.BackupDir == "" {
		t.Fatalf("defaults %+v %v", cfg, err)
	}
	for _, args := range [][]string{
		{"--key", "email"},             // no namespace
		{"--ns", "users"},              // not DB.COLL
		{"--ns", "a.b", "--key", "$x"}, // not a field path
		{"--demo", "mongodb://h"},      // demo takes no URI
		{"mongodb://a", "mongodb://b"}, // two URIs
		{"--no-such-flag"},
	} {
		_, _, err := tuiConfig(args)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
}

// need finds a tool the test cannot do without: in CI its absence fails the test, elsewhere it
// skips with the reason printed.
func need(t *testing.T, tool string, fallbacks ...string) string {
	t.Helper()
	if p, err := exec.LookPath(tool); err == nil {
		return p
	}
	for _, p := range fallbacks {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed: CI must have it (this test needs it)", tool)
	}
	mongotest.Skipf(t, "%s is not installed; install it to run this test (it fails in CI)", tool)
	return ""
}

func TestDemoTapeValidates(t *testing.T) {
	vhs := need(t, "vhs", filepath.Join(build.Default.GOPATH, "bin", "vhs"))
	out, err := exec.Command(vhs, "validate", "../demo.tape").CombinedOutput()
	if err != nil {
		t.Fatalf("vhs validate demo.tape: %v\n%s", err, out)
	}
}

// tmuxSession runs a command in a detached tmux session of a fixed size.
type tmuxSession struct {
	t    *testing.T
	tmux string
	name string
	// socket is a tmux server of the test's own: with one shared server, a session started as
	// the previous test's last one is killed can meet a server on its way out ("server exited
	// unexpectedly").
	socket string
}

// tmuxSessions numbers the sessions of this test binary, so no two share a server.
var tmuxSessions atomic.Int64

func startTmux(t *testing.T, command string) *tmuxSession {
	t.Helper()
	n := tmuxSessions.Add(1)
	s := &tmuxSession{t: t, tmux: need(t, "tmux"), name: fmt.Sprintf("dupes-e2e-%d-%d", os.Getpid(), n),
		socket: fmt.Sprintf("dupes-e2e-%d-%d", os.Getpid(), n)}
	if out, err := s.command("new-session", "-d", "-s", s.name, "-x", "120", "-y", "40", command).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = s.command("kill-server").Run() })
	return s
}

// command is a tmux command addressed to the session's own server.
func (s *tmuxSession) command(args ...string) *exec.Cmd {
	return exec.Command(s.tmux, append([]string{"-L", s.socket}, args...)...)
}

func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	if out, err := s.command(append([]string{"send-keys", "-t", s.name}, keys...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys %q: %v\n%s", keys, err, out)
	}
}

func (s *tmuxSession) screen() string {
	out, _ := s.command("capture-pane", "-p", "-t", s.name).Output()
	return string(out)
}

// confirm answers the review's prompt: enter, then the namespace typed out, then enter, which
// starts the run.
func (s *tmuxSession) confirm(ns string) {
	s.t.Helper()
	s.send("Enter")
	s.waitFor("type " + ns)
	s.send("-l", ns)
	s.send("Enter")
}

// waitFor polls the screen until it shows text, a bounded number of times.
func (s *tmuxSession) waitFor(text string) string {
	s.t.Helper()
	var last string
	for try := 0; try < 300; try++ {
		if last = s.screen(); strings.Contains(last, text) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("the screen never showed %q; last screen:\n%s", text, last)
	return ""
}

// TestTUIEndToEnd drives the real binary through tmux against the live server: open on a
// collection with --ns/--key, apply the keep-first rule, review, confirm, build the unique
// index from the done screen, and check what the database holds afterwards and that a backup
// was written.
func TestTUIEndToEnd(t *testing.T) {
	db := mongotest.DB(t)
	uri := mongotest.URI(t)
	coll := db.Collection("users")
	docs := []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "email", Value: "a@x.com"}, {Key: "name", Value: "Ann"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "email", Value: "a@x.com"}, {Key: "name", Value: "Ann B."}},
		bson.D{{Key: "_id", Value: 3}, {Key: "email", Value: "b@x.com"}},
		bson.D{{Key: "_id", Value: 4}, {Key: "email", Value: "c@x.com"}},
		bson.D{{Key: "_id", Value: 5}, {Key: "email", Value: "c@x.com"}},
		bson.D{{Key: "_id", Value: 6}, {Key: "email", Value: "c@x.com"}},
		bson.D{{Key: "_id", Value: 7}, {Key: "name", Value: "no email"}},
		bson.D{{Key: "_id", Value: 8}, {Key: "name", Value: "no email either"}},
	}
	ctx := context.Background()
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	backup := t.TempDir()
	ns := db.Name() + ".users"
	// Without MONGODB_URI in its environment the binary names the URI in the restore command
	// on the done screen (it leaves out one equal to $MONGODB_URI), whichever server runs.
	s := startTmux(t, fmt.Sprintf("env -u MONGODB_URI %s '%s' --ns %s --key email --backup '%s'; sleep 600", binary, uri, ns, backup))

	// The two documents without an email lack the key: flagged, listed first, left alone.
	screen := s.waitFor("2 groups · 3 surplus documents")
	t.Logf("groups screen:\n%s", screen)
	mustContain(t, "groups screen", screen, "⚑ 2 documents lack email: left alone", "left alone (m)")
	s.send("Enter") // the first row: the two documents without an email (missing = null)
	screen = s.waitFor("no email either")
	t.Logf("group screen:\n%s", screen)
	if !strings.Contains(screen, "Group 1 of 3") || !strings.Contains(screen, "≠ name") || !strings.Contains(screen, "lack email: left alone") {
		t.Fatalf("group screen:\n%s", screen)
	}
	s.send("Escape")
	s.waitFor("enter open group")
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	s.waitFor("rule: keep #1")
	// m includes them, on purpose: then the plain unique index builds (mongo-java-server
	// ignores the partial filter the default offer carries).
	s.send("m")
	s.waitFor("3 groups · 4 surplus documents")
	s.send("D")
	screen = s.waitFor("Press enter to confirm")
	if !strings.Contains(screen, "4 documents") {
		t.Fatalf("review does not say 4 documents:\n%s", screen)
	}
	s.confirm(ns)
	screen = s.waitFor("Done")
	for _, want := range []string{"deleted       4 documents", "--backup " + backup} {
		if !strings.Contains(screen, want) {
			t.Fatalf("done screen lacks %q:\n%s", want, screen)
		}
	}
	// The URI is quoted only when the shell needs it (mongo-java-server's has a '?').
	if !strings.Contains(screen, "dupes restore --uri '"+uri+"'") && !strings.Contains(screen, "dupes restore --uri "+uri+" ") {
		t.Fatalf("done screen's restore command does not name %s:\n%s", uri, screen)
	}
	s.send("x")
	s.waitFor("now? y/n")
	s.send("y")
	s.waitFor("Unique index email_1 built")
	s.send("q")

	specs, err := coll.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unique := false
	for _, sp := range specs {
		unique = unique || (sp.Name == "email_1" && sp.Unique != nil && *sp.Unique)
	}
	if !unique {
		t.Fatalf("no unique index email_1 after the done screen built it: %+v", specs)
	}

	cur, err := coll.Find(ctx, bson.D{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var left []struct {
		ID int `bson:"_id"`
	}
	if err := cur.All(ctx, &left); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range left {
		ids = append(ids, fmt.Sprint(d.ID))
	}
	if got := strings.Join(ids, ","); got != "1,3,4,7" {
		t.Fatalf("documents left: %s, want 1,3,4,7 (the first of each group, and the unique one)", got)
	}
	files, _ := filepath.Glob(filepath.Join(backup, "*.bson"))
	if len(files) != 1 {
		t.Fatalf("backup files %v, want one", files)
	}
}

// TestTUIArrayKeyDemo drives --demo through tmux with an array key (tags: a document sits in
// the groups of each of its tags): groups -> rule first -> review -> typed confirmation ->
// execute -> done, without the plan being refused, and the counts on screen are those of the
// model planner that dupes plan runs, for the same data.
func TestTUIArrayKeyDemo(t *testing.T) {
	users := model.Namespace{DB: "shop", Coll: "users"}
	key := model.Key{Fields: []string{"tags"}}
	st := memstore.Demo()
	cur, err := st.Scan(context.Background(), users, key)
	if err != nil {
		t.Fatal(err)
	}
	var groups []model.Group
	for {
		gs, err := cur.NextBatch(context.Background(), 1000)
		groups = append(groups, gs...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	keep, err := st.Keepers(context.Background(), users, model.KeepRule{Kind: model.KeepFirst}, groups)
	if err != nil {
		t.Fatal(err)
	}
	pgs, _ := model.PlanGroups(groups, keep, model.ByRule)
	plan := model.Plan{Groups: pgs}
	sum := model.Summarize(groups)
	// Once the demo store keys arrays element by element (multikey), its groups overlap and
	// the planner deletes fewer than the naive surplus; either way the screen must show the
	// planner's numbers and the run must go through.
	if plan.Deletes() == 0 || plan.Deletes() > sum.Surplus {
		t.Fatalf("planner deletes %d, naive surplus %d", plan.Deletes(), sum.Surplus)
	}
	t.Logf("planner: %d groups, %d lacking the key, plan deletes %d in %d groups (naive surplus %d)",
		sum.Groups, sum.LackingKey, plan.Deletes(), len(pgs), sum.Surplus)

	s := startTmux(t, fmt.Sprintf("%s --demo --ns shop.users --key tags; sleep 600", binary))
	screen := s.waitFor(fmt.Sprintf("%s · %s", pl(sum.Groups, "group"), pl(plan.Deletes(), "surplus document")))
	t.Logf("groups screen:\n%s", screen)
	mustContain(t, "groups screen", screen, fmt.Sprintf("⚑ %d documents lack tags", sum.LackingKey))
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	s.waitFor(fmt.Sprintf("delete %d", plan.Deletes()))
	s.send("D")
	screen = s.waitFor("Press enter to confirm")
	t.Logf("review:\n%s", screen)
	mustContain(t, "review", screen, fmt.Sprintf("%d in the plan", len(pgs)), pl(plan.Deletes(), "document"))
	s.confirm("shop.users")
	screen = s.waitFor("Done")
	t.Logf("done:\n%s", screen)
	mustContain(t, "done screen", screen, "deleted       "+pl(plan.Deletes(), "document"), "failed        0 groups")
	if strings.Contains(screen, "stopped") || strings.Contains(screen, "invalid") {
		t.Fatalf("the run did not go through:\n%s", screen)
	}
	s.send("q")
}

// pl is "1 group", "3 groups": how the screens count.
func pl(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// TestTUIArrayKeyLive is the array-key flow on the live server, where the scan keys arrays
// element by element, so groups overlap: the TUI's counts and deletes must be dupes plan's.
func TestTUIArrayKeyLive(t *testing.T) {
	f := newFixture(t)
	f.insert("posts",
		map[string]any{"_id": 1, "tags": []string{"a", "b"}}, map[string]any{"_id": 2, "tags": []string{"a", "b"}},
		map[string]any{"_id": 3, "tags": []string{"b", "c"}}, map[string]any{"_id": 4, "tags": []string{"c"}},
		map[string]any{"_id": 5, "title": "untagged"}, map[string]any{"_id": 6, "title": "untagged too"},
	)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	out, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("posts"), "--key", "tags", "--keep", "first", "--out", planFile)
	if status != 0 {
		t.Fatalf("dupes plan: %d %s", status, errOut)
	}
	want := readPlan(t, planFile)
	t.Logf("dupes plan: %s", out)
	s := startTmux(t, fmt.Sprintf("%s '%s' --ns %s --key tags --backup '%s'; sleep 600", binary, f.uri, f.ns("posts"), t.TempDir()))
	screen := s.waitFor("⚑ 2 documents lack tags")
	t.Logf("groups screen:\n%s", screen)
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	screen = s.waitFor(fmt.Sprintf("delete %d", want.Deletes()))
	if !strings.Contains(screen, pl(want.Deletes(), "surplus document")) {
		t.Fatalf("the surplus shown is not the planner's %d:\n%s", want.Deletes(), screen)
	}
	s.send("D")
	screen = s.waitFor("Press enter to confirm")
	mustContain(t, "review", screen, fmt.Sprintf("%d in the plan", len(want.Groups)), pl(want.Deletes(), "document"))
	s.confirm(f.ns("posts"))
	screen = s.waitFor("Done")
	t.Logf("done:\n%s", screen)
	mustContain(t, "done", screen, "deleted       "+pl(want.Deletes(), "document"), "failed        0 groups")
	s.send("q")
	if n := f.count("posts"); n != int64(6-want.Deletes()) {
		t.Fatalf("%d documents left, want %d", n, 6-want.Deletes())
	}
}

// TestDemoShowsTheRealPipeline: the demo's scan screen shows the mongosh statement of the
// aggregation dupes sends a server, not a sketch of it, for plain, compound and
// whole-document keys.
func TestDemoShowsTheRealPipeline(t *testing.T) {
	for _, key := range []model.Key{
		{Fields: []string{"email"}, IgnoreCase: true},
		{Fields: []string{"lastName", "firstName", "birthDate"}},
		{WholeDocument: true},
	} {
		ns := model.Namespace{DB: "crm", Coll: "contacts"}
		got, err := demoStore().ScanCommand(ns, key)
		if err != nil {
			t.Fatalf("%s: %v", key.Semantics(), err)
		}
		want, err := mongo.MongoshCommand(ns, key)
		if err != nil || got != want {
			t.Fatalf("%s: the demo shows\n%s\nwhile dupes sends\n%s (%v)", key.Semantics(), got, want, err)
		}
	}
}

// TestTUITakesEveryScanFlag: the TUI reads what to scan with dupes scan's own flag group, so
// --collation, --whole-document, --ignore and --any-field-order work there too, with the
// same checks.
func TestTUITakesEveryScanFlag(t *testing.T) {
	t.Setenv("MONGODB_URI", "")
	cfg, _, err := tuiConfig([]string{"--demo", "--ns", "shop.users", "--key", "email", "--collation", `{"locale":"en","strength":2}`})
	if err != nil || cfg.Key.Collation == nil || cfg.Key.Collation.Locale != "en" || cfg.Key.Collation.Strength != 2 {
		t.Fatalf("--collation: %+v %v", cfg.Key, err)
	}
	cfg, _, err = tuiConfig([]string{"--ns", "shop.users", "--whole-document", "--ignore", "updatedAt,importedAt", "--any-field-order"})
	if err != nil || !cfg.Key.WholeDocument || strings.Join(cfg.Key.Ignore, ",") != "updatedAt,importedAt" || !cfg.Key.AnyFieldOrder {
		t.Fatalf("--whole-document: %+v %v", cfg.Key, err)
	}
	for _, args := range [][]string{
		{"--ns", "shop.users", "--index", "email_1", "--collation", `{"locale":"en"}`}, // an index brings its own
		{"--ns", "shop.users", "--key", "email", "--collation", `{"locale":"xx-nope"}`},
		{"--ns", "shop.users", "--key", "email", "--whole-document"},
		{"--whole-document"}, // no namespace
		{"--ignore", "a"},    // --ignore goes with --whole-document
	} {
		var ue usageError
		if _, _, err := tuiConfig(args); !errors.As(err, &ue) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	// The example, through the whole command line: it opened on an error before.
	out, errOut, status := dupes(t, "--demo", "--ns", "shop.users", "--key", "email", "--collation", `{"locale":"en","strength":2}`, "--help")
	if status != 0 || !strings.Contains(out, "-collation") {
		t.Fatalf("dupes --demo … --collation … --help: %d %s %s", status, out, errOut)
	}
}
