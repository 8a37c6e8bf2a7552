package main

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/dupes-tui/dupes/mongo/mongotest"
)

func TestTUIConfig(t *testing.T) {
	t.Setenv("MONGODB_URI", "")
	cfg, err := tuiConfig([]string{"mongodb://h:1", "--ns", "shop.users", "--key", "email, name", "--read-only", "--backup", "/b"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URI != "mongodb://h:1" || cfg.NS != "shop.users" || strings.Join(cfg.Key, ",") != "email,name" || !cfg.ReadOnly || cfg.BackupDir != "/b" {
		t.Fatalf("config %+v", cfg)
	}
	cfg, err = tuiConfig(nil)
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
		_, err := tuiConfig(args)
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
	out, err := exec.Command(vhs, "validate", "demo.tape").CombinedOutput()
	if err != nil {
		t.Fatalf("vhs validate demo.tape: %v\n%s", err, out)
	}
}

// tmuxSession runs a command in a detached tmux session of a fixed size.
type tmuxSession struct {
	t    *testing.T
	tmux string
	name string
}

func startTmux(t *testing.T, command string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{t: t, tmux: need(t, "tmux"), name: fmt.Sprintf("dupes-e2e-%d", os.Getpid())}
	if out, err := exec.Command(s.tmux, "new-session", "-d", "-s", s.name, "-x", "120", "-y", "40", command).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(s.tmux, "kill-session", "-t", s.name).Run() })
	return s
}

func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	if out, err := exec.Command(s.tmux, append([]string{"send-keys", "-t", s.name}, keys...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys %q: %v\n%s", keys, err, out)
	}
}

func (s *tmuxSession) screen() string {
	out, _ := exec.Command(s.tmux, "capture-pane", "-p", "-t", s.name).Output()
	return string(out)
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

	screen := s.waitFor("3 groups · 4 surplus documents")
	t.Logf("groups screen:\n%s", screen)
	s.send("Enter") // the first group: the two documents without an email (missing = null)
	screen = s.waitFor("no email either")
	t.Logf("group screen:\n%s", screen)
	if !strings.Contains(screen, "Group 1 of 3") || !strings.Contains(screen, "≠ name") {
		t.Fatalf("group screen:\n%s", screen)
	}
	s.send("Escape")
	s.waitFor("enter open group")
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	s.waitFor("rule: keep #1")
	s.send("D")
	screen = s.waitFor("Press enter to confirm")
	if !strings.Contains(screen, "4 documents") {
		t.Fatalf("review does not say 4 documents:\n%s", screen)
	}
	s.send("Enter")
	s.waitFor("type " + ns)
	s.send("-l", ns)
	s.send("Enter")
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
