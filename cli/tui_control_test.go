package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// TestTUIControlOnDemo and TestTUIControlLive drive every key of the review flow through tmux on the
// real binary: sort, skip, rule and rule none, hand choice and undo, differing fields only,
// the document view, page keys, the review list and its export, esc asking, the run and the
// unique index it ends with, then the exported plan opened again with --plan.
func TestTUIControlOnDemo(t *testing.T) {
	dir := t.TempDir()
	s := startTmux(t, fmt.Sprintf("%s --demo --ns shop.users --key email; sleep 600", binary))
	driveControl(t, s, "shop.users", filepath.Join(dir, "plan.json"), "phone", false)
	s.kill()
	s = startTmux(t, fmt.Sprintf("%s --demo --plan '%s'; sleep 600", binary, filepath.Join(dir, "plan.json")))
	s.waitFor("Opened the plan for shop.users")
	s.waitFor("rule: keep #1")
	s.send("q")
	s.waitFor("Quit and lose it? y/n")
	s.send("y")
}

func TestTUIControlLive(t *testing.T) {
	f := newFixture(t)
	var docs []map[string]any
	for i := 0; i < 3; i++ {
		docs = append(docs, map[string]any{"_id": i, "email": "a@x.com", "name": "Ann", "plan": fmt.Sprint("p", i)})
	}
	for i := 3; i < 5; i++ {
		docs = append(docs, map[string]any{"_id": i, "email": "b@x.com", "name": "Bob", "plan": fmt.Sprint("p", i)})
	}
	for i := 5; i < 35; i++ { // the largest group: sorted first by size, stacked, paged
		docs = append(docs, map[string]any{"_id": i, "email": "c@x.com", "name": "Cy", "plan": fmt.Sprint("p", i)})
	}
	docs = append(docs, map[string]any{"_id": 90, "name": "no email"}, map[string]any{"_id": 91, "name": "none either"})
	f.insert("people", docs...)
	dir, backup := t.TempDir(), t.TempDir()
	plan := filepath.Join(dir, "plan.json")
	s := startTmux(t, fmt.Sprintf("env -u MONGODB_URI %s '%s' --ns %s --key email --backup '%s'; sleep 600", binary, f.uri, f.ns("people"), backup))
	driveControl(t, s, f.ns("people"), plan, "name", true)
	if n := f.count("people"); n != 4 {
		t.Fatalf("%d documents left, want 4 keepers (3 groups and the one without an email, m included them)", n)
	}
	s.kill()
	s = startTmux(t, fmt.Sprintf("env -u MONGODB_URI %s '%s' --plan '%s' --backup '%s'; sleep 600", binary, f.uri, plan, backup))
	s.waitFor("Opened the plan for " + f.ns("people"))
	s.waitFor("rule: keep #1")
	s.send("q")
	s.waitFor("Quit and lose it? y/n")
	s.send("y")
}

// driveControl runs the keys on the groups of ns by email; same names a field every member of
// the second group shares (hidden by d); live runs include the documents lacking the key (m),
// as mongo-java-server ignores the partial filter of the default offer.
func driveControl(t *testing.T, s *tmuxSession, ns, plan, same string, live bool) {
	t.Helper()
	s.waitFor("enter open group")
	s.send("o")
	s.waitFor("sorted by size, largest first")
	if live {
		// The order is computed in a Cmd: the header says it at once, the rows follow.
		s.waitUntil("the 30-member group first in size order", func(screen string) bool {
			return strings.Contains(rowAt(screen, 0), "c@x.com")
		})
	}
	s.send("o", "o")
	s.waitFor("sorted by key")
	s.send("j", "s")
	s.waitFor("skipped (s)")
	s.send("s")
	s.waitFor("is no longer skipped")
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	s.waitFor("rule: keep #1")
	s.send("r", "G", "Enter")
	s.waitFor("Rule cleared")
	s.waitFor("rule: none")
	s.send("r", "Enter")
	s.waitFor("Rule first applied")

	s.send("Enter") // the group under the cursor (row 2)
	s.waitFor("Group 2 of")
	s.send("l", "Space")
	s.waitFor("#2 ★ keep")
	s.send("u")
	s.waitFor("the rule's keeper is back")
	s.waitFor("#1 ★ keep")
	if !strings.Contains(s.screen(), "  "+same) {
		t.Fatalf("the group does not show %s before d:\n%s", same, s.screen())
	}
	s.send("d")
	s.waitUntil("the fields every member shares hidden", func(sc string) bool { return !strings.Contains(sc, "  "+same+" ") })
	s.send("d")
	s.waitFor("  " + same)
	s.send("v")
	s.waitFor("canonical Extended JSON")
	s.waitFor(`"_id": `)
	s.send("Escape")
	s.waitFor("Group 2 of")

	// Page keys on a stacked layout: the cursor (›) stays on screen.
	s.send("n", "n") // a group of 3 members or more: stacked at 64 columns
	s.waitFor("Group 4 of")
	s.resize(64, 20)
	s.send("g")
	s.waitFor("›#1")
	s.send("f")
	screen := s.waitUntil("a page down", func(sc string) bool { return !strings.Contains(sc, "›#1 ") && strings.Contains(sc, "›#") })
	t.Logf("after f:\n%s", screen)
	s.send("b")
	s.waitFor("#1")
	s.resize(120, 40)

	s.send("Escape")
	s.waitFor("enter open group")
	s.send("D")
	// The resize above reaches the program as a message: until it re-renders at 120x40 the
	// review is laid out for the old, smaller window, and its last rows are not on screen.
	screen = s.waitUntil("the whole review at 120x40", func(sc string) bool {
		return strings.Contains(sc, "WHAT WILL BE DELETED") && strings.Contains(sc, "lack email: left alone, not in the plan")
	})
	mustContain(t, "review", screen, "keep ", "first — keep the smallest _id", " rule")
	if live {
		s.waitFor("on disk (") // the estimate arrives after the plan: a sample of its deletes, sized
	}
	s.send("w")
	s.waitFor("save plan to")
	s.send("C-u")
	s.send("-l", plan)
	s.send("Enter")
	s.waitFor("Plan saved to")
	b, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.DecodePlan(b)
	if err != nil || p.Rule != "first" || len(p.Groups) == 0 {
		t.Fatalf("exported plan %+v: %v", p, err)
	}
	s.send("Escape")
	s.waitFor("enter open group")
	s.send("Escape")
	s.waitFor("Leave the groups and lose it? y/n")
	s.send("n")
	s.waitFor("enter open group")
	if live {
		s.send("m")
		s.waitFor("are included")
		s.send("r", "Enter")
		s.waitFor("Rule first applied")
	}
	s.send("D")
	s.waitFor("Press enter to confirm")
	s.confirm(ns)
	s.waitFor("Done")
	s.send("x")
	s.waitFor("now? y/n")
	s.send("y")
	s.waitFor("built")
}

// rowAt is the text of the groups list's row i.
func rowAt(screen string, i int) string {
	lines := strings.Split(screen, "\n")
	for j, l := range lines {
		if strings.Contains(l, "KEY email") && j+1+i < len(lines) {
			return lines[j+1+i]
		}
	}
	return ""
}

// waitUntil polls the screen until ok holds, a bounded number of times.
func (s *tmuxSession) waitUntil(what string, ok func(string) bool) string {
	s.t.Helper()
	var last string
	for try := 0; try < 300; try++ {
		if last = s.screen(); ok(last) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("the screen never showed %s; last screen:\n%s", what, last)
	return ""
}

func (s *tmuxSession) resize(w, h int) {
	s.t.Helper()
	if out, err := s.command("resize-window", "-t", s.name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux resize-window: %v\n%s", err, out)
	}
}

func (s *tmuxSession) kill() { _ = s.command("kill-session", "-t", s.name).Run() }

// TestTUIAsksForThePasswordWithoutEcho starts the TUI on a URI with a user and no password:
// it asks on the terminal, as mongosh does, without echoing what is typed, and the password
// typed goes into the connection (the screen shows the URI with it as ****), never on screen.
func TestTUIAsksForThePasswordWithoutEcho(t *testing.T) {
	f := newFixture(t)
	uri := strings.Replace(f.uri, "mongodb://", "mongodb://bob@", 1)
	const secret = "pw-s3cret-typed"
	s := startTmux(t, fmt.Sprintf("env -u MONGODB_URI %s '%s'; sleep 600", binary, uri))
	s.waitFor("Enter password for bob (")
	s.send("-l", secret)
	time.Sleep(300 * time.Millisecond)
	if sc := s.screen(); strings.Contains(sc, secret) || strings.Contains(sc, "*****") {
		t.Fatalf("the password is echoed:\n%s", sc)
	}
	s.send("Enter")
	screen := s.waitFor("bob:****@")
	t.Logf("after the password:\n%s", screen)
	if strings.Contains(screen, secret) {
		t.Fatalf("the password is on screen:\n%s", screen)
	}
	s.send("q")
}

func TestTUIConfigFilterIndexPlanAndMouse(t *testing.T) {
	t.Setenv("MONGODB_URI", "")
	cfg, opt, err := tuiConfig([]string{"--ns", "a.b", "--index", "email_1", "--ignore-case", "--trim", "--filter", "{status: 'active', n: 2}"})
	if err != nil || cfg.Key.Index != "email_1" || !cfg.Key.IgnoreCase || !cfg.Key.Trim || opt.mouse ||
		cfg.Key.Filter != `{"status":"active","n":{"$numberInt":"2"}}` {
		t.Fatalf("config %+v %+v: %v", cfg, opt, err)
	}
	_, opt, _ = tuiConfig([]string{"--mouse"})
	if !opt.mouse {
		t.Fatal("--mouse not read")
	}
	_, _, err = tuiConfig([]string{"--filter", "{status 'active'}"})
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "column 2") || strings.Contains(err.Error(), "--key") {
		t.Fatalf("bad filter: %v", err)
	}
	for _, args := range [][]string{{"--key", "a", "--index", "b", "--ns", "a.b"}, {"--index", "x"}, {"--plan", "/no/such/plan.json"}} {
		if _, _, err := tuiConfig(args); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// TestTUIFilterInMongoshSyntaxOnDemo: --filter in mongosh syntax narrows the scan, and the
// groups header says so, with --ignore-case.
func TestTUIFilterInMongoshSyntaxOnDemo(t *testing.T) {
	s := startTmux(t, fmt.Sprintf(`%s --demo --ns shop.users --key email --ignore-case --filter "{plan: 'team'}"; sleep 600`, binary))
	screen := s.waitFor("enter open group")
	mustContain(t, "groups", screen, "ignore case", `filter {"plan":"team"}`)
	s.send("Escape")
	s.waitFor("document filter")
	s.send("F", "C-u")
	s.send("-l", "{plan 'pro'}")
	s.send("Enter")
	s.waitFor("column 2")
	s.send("C-u")
	s.send("-l", "{plan: 'pro'}")
	s.send("Enter")
	s.waitFor(`{"plan":"pro"}`)
	s.send("q")
}

// TestTUIFixesTheIndexClashLive: a non-unique email_1_present exists; the offered unique
// email_1_present clashes with it; x makes it unique by collMod where the server can, else drops it
// and builds, after a second confirmation. Either way the index ends unique.
func TestTUIFixesTheIndexClashLive(t *testing.T) {
	f := newFixture(t)
	f.insert("users", map[string]any{"_id": 1, "email": "a@x.com"}, map[string]any{"_id": 2, "email": "a@x.com"},
		map[string]any{"_id": 3, "email": "b@x.com"})
	f.createIndex("users", indexSpec{Key: map[string]int{"email": 1}, Name: "email_1_present"}) // the offer's name, not unique
	backup := t.TempDir()
	s := startTmux(t, fmt.Sprintf("env -u MONGODB_URI %s '%s' --ns %s --key email --backup '%s'; sleep 600", binary, f.uri, f.ns("users"), backup))
	s.waitFor("enter open group")
	s.send("r", "Enter")
	s.waitFor("rule: keep #1")
	s.send("D")
	s.waitFor("Press enter to confirm")
	s.confirm(f.ns("users"))
	s.waitFor("Done")
	s.send("x")
	s.waitFor("now? y/n")
	s.send("y")
	screen := s.waitFor("Press x to make email_1_present unique in place")
	t.Logf("clash:\n%s", screen)
	s.send("x")
	s.waitFor("Make the existing index email_1_present")
	s.send("y")
	screen = s.waitUntil("the collMod's answer", func(sc string) bool {
		return strings.Contains(sc, "made unique in place") || strings.Contains(sc, "Press x to drop email_1_present")
	})
	t.Logf("after collMod:\n%s", screen)
	if strings.Contains(screen, "Press x to drop email_1_present") {
		s.send("x")
		s.waitFor("Drop the index email_1_present")
		s.send("y")
		s.waitFor("Really drop email_1_present now?")
		s.send("y")
		s.waitFor("built in place of the dropped non-unique one")
	}
	s.send("q")
	specs, err := mongotest.Client(t).Database(f.db).Collection("users").Indexes().ListSpecifications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range specs {
		if sp.Name == "email_1_present" && (sp.Unique == nil || !*sp.Unique) {
			t.Fatalf("email_1_present is still not unique: %+v", sp)
		}
	}
}

// TestTUIIgnoreCaseOffersACollationIndexLive: --ignore-case groups emails differing in case;
// after the run the offered unique index has collation strength 2 and builds, or, on an
// engine without collations (FerretDB), the screen says none can ignore case there.
func TestTUIIgnoreCaseOffersACollationIndexLive(t *testing.T) {
	f := newFixture(t)
	f.insert("users", map[string]any{"_id": 1, "email": "Ann@X.com"}, map[string]any{"_id": 2, "email": "ann@x.com"},
		map[string]any{"_id": 3, "email": "bob@x.com"})
	s := startTmux(t, fmt.Sprintf("env -u MONGODB_URI %s '%s' --ns %s --key email --ignore-case --backup '%s'; sleep 600",
		binary, f.uri, f.ns("users"), t.TempDir()))
	screen := s.waitFor("enter open group")
	mustContain(t, "groups", screen, "1 group · 1 surplus document", "ignore case")
	s.send("r", "Enter")
	s.waitFor("rule: keep #1")
	s.send("D")
	s.waitFor("Press enter to confirm")
	s.confirm(f.ns("users"))
	s.waitFor("Done")
	screen = s.waitUntil("the index offer", func(sc string) bool {
		return strings.Contains(sc, "Press x to build") || strings.Contains(sc, "No unique index can be offered")
	})
	if strings.Contains(screen, "No unique index can be offered") {
		t.Logf("engine without collations:\n%s", screen)
		mustContain(t, "done", screen, "has no collations")
		return
	}
	mustContain(t, "done", screen, "email_1_present_ci", "collation strength 2")
	s.send("x")
	s.waitFor("? y/n")
	s.send("y")
	s.waitFor("Unique index email_1_present_ci built")
	specs, err := mongotest.Client(t).Database(f.db).Collection("users").Indexes().ListSpecifications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range specs {
		if sp.Name == "email_1_present_ci" {
			return
		}
	}
	t.Fatalf("no index email_1_present_ci: %+v", specs)
}

// TestTUIDemoEndsInABuiltUniqueIndex is the demo's showcase: r, first, D, the namespace,
// the run, x, y; the offered (partial) index builds beside the demo's non-unique email_1.
func TestTUIDemoEndsInABuiltUniqueIndex(t *testing.T) {
	s := startTmux(t, fmt.Sprintf("%s --demo --ns shop.users --key email; sleep 600", binary))
	s.waitFor("enter open group")
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	s.waitFor("rule: keep #1")
	s.send("D")
	s.waitFor("Press enter to confirm")
	s.confirm("shop.users")
	s.waitFor("Done")
	s.send("x")
	s.waitFor("? y/n")
	s.send("y")
	screen := s.waitFor("built on shop.users")
	if strings.Contains(screen, "exists and is not unique") {
		t.Fatalf("the showcase ends in a clash:\n%s", screen)
	}
	s.send("q")
}
