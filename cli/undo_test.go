package cli

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// shellSplit splits a command line as model.ShellQuote writes it (words, single quotes and the
// '\” escape), as a shell would, so a test can run what dupes printed.
func shellSplit(line string) []string {
	var words []string
	var cur strings.Builder
	in, started := false, false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case in && ch == '\'':
			in = false
		case in:
			cur.WriteByte(ch)
		case ch == '\'':
			in, started = true, true
		case ch == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			started = true
		case ch == ' ':
			if started {
				words = append(words, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteByte(ch)
			started = true
		}
	}
	if started {
		words = append(words, cur.String())
	}
	return words
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// undoLine finds the "to undo: " line of a command's output.
func undoLine(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "to undo: "); ok {
			return rest
		}
	}
	t.Fatalf("no undo line in:\n%s", out)
	return ""
}

// runBinary runs the built dupes in dir with $MONGODB_URI set to env, stdin not a terminal.
func runBinary(t *testing.T, dir, env string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MONGODB_URI="+env)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

// resolveWithBackup cleans users (3 surplus documents) and returns resolve's output.
func resolveWithBackup(t *testing.T, f fixture, backup string, extra ...string) string {
	t.Helper()
	args := append([]string{"resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--backup", backup, "--yes"}, extra...)
	out, errOut, status := dupes(t, args...)
	if status != 0 || f.ids("users") != "[1 4 6]" {
		t.Fatalf("resolve: status %d, left %s: %s%s", status, f.ids("users"), out, errOut)
	}
	return out
}

// TestUndoLinePastedRestoresIntoItsServer pastes the undo line resolve prints, from another
// directory and with $MONGODB_URI naming a server that does not exist: it must restore into
// the server and namespace the documents were deleted from.
func TestUndoLinePastedRestoresIntoItsServer(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	out := resolveWithBackup(t, f, filepath.Join(t.TempDir(), "bk"))
	line := undoLine(t, out)
	t.Logf("to undo: %s", line)
	args := shellSplit(line)
	want := []string{"dupes", "restore", "--uri", f.uri, "--ns", f.ns("users"), "--backup"}
	if len(args) != len(want)+2 || strings.Join(args[:len(want)], " ") != strings.Join(want, " ") || args[len(args)-1] != "--yes" {
		t.Fatalf("undo line %q splits into %q, want %q FILE --yes", line, args, want)
	}
	m, err := mongo.ReadManifest(strings.TrimSuffix(args[len(want)], ".bson") + ".json")
	if err != nil || m.Undo != line {
		t.Errorf("the manifest's undo %q (%v), want the printed line", m.Undo, err)
	}
	if !filepath.IsAbs(args[len(want)]) {
		t.Errorf("backup path %s is relative: the line only works from one directory", args[len(want)])
	}
	elsewhere := "mongodb://" + closedAddr(t) + "/?serverSelectionTimeoutMS=500"
	stdout, stderr, status := runBinary(t, t.TempDir(), elsewhere, args[1:]...)
	if status != 0 {
		t.Fatalf("pasted undo line: status %d\n%s%s", status, stdout, stderr)
	}
	if got := f.ids("users"); got != "[1 2 3 4 5 6]" {
		t.Fatalf("after the pasted undo line: %s, want every document back\n%s", got, stdout)
	}
}

// TestRestoreWithoutURIUsesTheManifestsServer: given only the backup, restore goes back to the
// server its manifest names, says so, and ignores $MONGODB_URI.
func TestRestoreWithoutURIUsesTheManifestsServer(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	file := shellSplit(undoLine(t, resolveWithBackup(t, f, filepath.Join(t.TempDir(), "bk"))))[7]
	stdout, stderr, status := runBinary(t, t.TempDir(), "mongodb://"+closedAddr(t)+"/", "restore", "--backup", file, "--yes")
	if status != 0 {
		t.Fatalf("status %d\n%s%s", status, stdout, stderr)
	}
	mustContain(t, "stderr", stderr, "restoring into "+f.uri+", the server the backup came from")
	if got := f.ids("users"); got != "[1 2 3 4 5 6]" {
		t.Fatalf("left %s", got)
	}
}

// TestRestoreHiddenPassword: a manifest's URI shows its password as ****. With no terminal to
// ask on, restore refuses and says how to give it; with $MONGODB_URI the same URI, it takes
// the password from there (and never prints it).
func TestRestoreHiddenPassword(t *testing.T) {
	dir := t.TempDir()
	addr := closedAddr(t)
	hidden := "mongodb://dupes:****@" + addr + "/?serverSelectionTimeoutMS=300"
	m := mongo.Manifest{Version: mongo.ManifestVersion, Tool: "dupes", NS: model.Namespace{DB: "d", Coll: "c"}, URI: hidden, Backup: "d.c.x.bson"}
	b, _ := json.Marshal(m)
	os.WriteFile(filepath.Join(dir, "d.c.x.json"), b, 0o600)
	os.WriteFile(filepath.Join(dir, "d.c.x.bson"), []byte{5, 0, 0, 0, 0}, 0o600)
	_, stderr, status := runBinary(t, dir, "", "restore", "--backup", "d.c.x.bson")
	if status != 1 {
		t.Fatalf("status %d: %s", status, stderr)
	}
	mustContain(t, "stderr", stderr, hidden+" shows its password as ****", "no terminal to ask for it", "--uri or $MONGODB_URI")

	full := "mongodb://dupes:s3cret-pw@" + addr + "/?serverSelectionTimeoutMS=300"
	_, stderr, status = runBinary(t, dir, full, "restore", "--backup", "d.c.x.bson")
	if status != 1 || strings.Contains(stderr, "no terminal") || strings.Contains(stderr, "s3cret") {
		t.Fatalf("with $MONGODB_URI holding the password: status %d: %s", status, stderr)
	}
	mustContain(t, "stderr", stderr, "connect to mongodb://dupes:****@"+addr)
	if got := mongo.WithPassword(hidden, "p@ss:w/rd%"); got != "mongodb://dupes:p%40ss%3Aw%2Frd%25@"+addr+"/?serverSelectionTimeoutMS=300" {
		t.Errorf("WithPassword: %s", got)
	}
}

// TestFullDiskSaysOneError makes the backup land on /dev/full (a resumed run's backup file,
// as a symlink): the run stops with one error, deletes nothing, and prints no undo line.
func TestFullDiskSaysOneError(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--out", planPath); status != 0 {
		t.Fatal(errOut)
	}
	plan := readPlan(t, planPath)
	bk := filepath.Join(dir, "bk")
	os.Mkdir(bk, 0o700)
	if err := os.Symlink("/dev/full", filepath.Join(bk, "full.bson")); err != nil {
		t.Fatal(err)
	}
	m := mongo.Manifest{Version: mongo.ManifestVersion, Tool: "dupes", NS: plan.NS, URI: f.uri, Key: plan.Key,
		PlanDigest: plan.Digest(), Backup: "full.bson", Status: mongo.RunRunning, StartedAt: time.Now(), Runs: 1}
	b, _ := json.Marshal(m)
	os.WriteFile(filepath.Join(bk, plan.NS.String()+".x.json"), b, 0o600)

	out, errOut, status := dupes(t, "apply", "--uri", f.uri, "--plan", planPath, "--backup", bk, "--yes")
	all := out + errOut
	t.Logf("output:\n%s", all)
	if status != 1 || f.ids("users") != "[1 2 3 4 5 6]" {
		t.Fatalf("status %d, left %s", status, f.ids("users"))
	}
	if n := strings.Count(all, "no space left on device"); n != 1 {
		t.Errorf("the error is said %d times, want once", n)
	}
	if strings.Contains(all, "to undo") || strings.Contains(all, "backup: ") {
		t.Errorf("an undo line for a backup that holds nothing")
	}
}

// TestJSONOutput checks the --format json objects of apply, resolve and restore: one object
// on stdout, with the fields the README documents, also when the command fails.
func TestJSONOutput(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	dir := t.TempDir()
	planPath := filepath.Join(dir, "plan.json")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--out", planPath); status != 0 {
		t.Fatal(errOut)
	}
	decode := func(out string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("not one JSON object: %v\n%s", err, out)
		}
	}
	var dry map[string]any
	out, _, status := dupes(t, "apply", "--uri", f.uri, "--plan", planPath, "--format", "json")
	decode(out, &dry)
	if status != 0 || dry["command"] != "apply" || dry["dryRun"] != true || dry["report"] != nil ||
		dry["plan"].(map[string]any)["deletes"] != 3.0 || dry["ns"] != f.ns("users") || dry["uri"] != f.uri {
		t.Fatalf("apply dry run: %s", out)
	}

	var run struct {
		Command string `json:"command"`
		DryRun  bool   `json:"dryRun"`
		Report  *struct {
			Deleted  int    `json:"deleted"`
			Backup   string `json:"backup"`
			Manifest string `json:"manifest"`
			Undo     string `json:"undo"`
			Streamed bool   `json:"streamed"`
			Groups   []struct {
				Outcome string `json:"outcome"`
			} `json:"groups"`
		} `json:"report"`
		Index *struct {
			Name  string `json:"name"`
			Built bool   `json:"built"`
		} `json:"index"`
	}
	bk := filepath.Join(dir, "bk")
	out, errOut, status := dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first",
		"--backup", bk, "--yes", "--create-index", "--format", "json")
	decode(out, &run)
	if status != 0 || run.Command != "resolve" || run.DryRun || run.Report == nil || run.Report.Deleted != 3 ||
		// resolve streams: counters, and no account per group (the groups stay empty).
		!run.Report.Streamed || run.Report.Groups == nil || len(run.Report.Groups) != 0 || run.Index == nil || !run.Index.Built {
		t.Fatalf("resolve: status %d %s\n%s", status, out, errOut)
	}
	if want := model.UndoCommand(f.uri, model.Namespace{DB: f.db, Coll: "users"}, run.Report.Backup); run.Report.Undo != want {
		t.Errorf("undo %q, want %q", run.Report.Undo, want)
	}

	var rest struct {
		URI      string `json:"uri"`
		DryRun   bool   `json:"dryRun"`
		Inserted int    `json:"inserted"`
		Failed   int    `json:"failed"`
		Files    []struct {
			NS     string `json:"ns"`
			Failed []struct {
				ID     json.RawMessage `json:"id"`
				Index  string          `json:"index"`
				Holder json.RawMessage `json:"holder"`
				Error  string          `json:"error"`
			} `json:"failed"`
		} `json:"files"`
		Error string `json:"error"`
	}
	out, errOut, status = dupes(t, "restore", "--backup", run.Report.Backup, "--format", "json")
	decode(out, &rest)
	// The unique index built: the dry run predicts every backed-up document refused.
	if status != 0 || !rest.DryRun || rest.URI != f.uri || rest.Inserted != 0 || rest.Failed != 3 ||
		len(rest.Files) != 1 || rest.Files[0].NS != f.ns("users") || !strings.HasPrefix(rest.Files[0].Failed[0].Index, "email_1") ||
		string(rest.Files[0].Failed[0].Holder) != `{"$numberInt":"1"}` {
		t.Fatalf("restore dry run: status %d %s\n%s", status, out, errOut)
	}

	empty := filepath.Join(dir, "empty.bson")
	os.WriteFile(empty, nil, 0o600)
	rest.Error = ""
	out, _, status = dupes(t, "restore", "--uri", f.uri, "--ns", f.ns("users"), "--backup", empty, "--format", "json")
	decode(out, &rest)
	if status != 1 || !strings.Contains(rest.Error, "holds no document") {
		t.Fatalf("restore of an empty file: status %d %s", status, out)
	}
}
