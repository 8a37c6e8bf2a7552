package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/mongo"
)

// proc is the dupes binary running in the background, its output collected as it comes.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	errOut bytes.Buffer
	done   chan struct{}
	err    error
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func startDupes(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: exec.Command(binary, args...), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = lockedWriter{&p.mu, &p.out}, lockedWriter{&p.mu, &p.errOut}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errOut.String()
}

// waitStderr waits until the command has said want on stderr; it fails the test if the
// command ends first.
func (p *proc) waitStderr(want string) {
	p.t.Helper()
	for !strings.Contains(p.stderr(), want) {
		select {
		case <-p.done:
			p.t.Fatalf("dupes ended without saying %q:\n%s%s", want, p.out.String(), p.stderr())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// wait returns the command's output and exit status once it ends.
func (p *proc) wait() (stdout, stderr string, status int) {
	<-p.done
	var ee *exec.ExitError
	switch {
	case p.err == nil:
	case errors.As(p.err, &ee):
		status = ee.ExitCode()
	default:
		p.t.Fatalf("dupes: %v", p.err)
	}
	return p.out.String(), p.stderr(), status
}

// pacedFixture fills "users" with n pairs on k and writes the keep-first plan.
func pacedFixture(t *testing.T, n int) (f fixture, plan string) {
	t.Helper()
	f = newFixture(t)
	docs := make([]map[string]any, 0, 2*n)
	for i := range 2 * n {
		docs = append(docs, map[string]any{"_id": i, "k": i / 2})
	}
	f.insert("users", docs...)
	plan = filepath.Join(t.TempDir(), "plan.json")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "k", "--keep", "first", "--out", plan); status != 0 {
		t.Fatalf("plan: %s", errOut)
	}
	return f, plan
}

var runIDLine = regexp.MustCompile(`dupes (apply|resolve|restore): run ([0-9a-f]{12}) `)

// The pause file holds apply before its first batch: it says so, deletes nothing and keeps its
// lease; once the file is gone it says it resumed, finishes, and its report and JSON count the
// pause. The run id it prints at the start is the manifest's.
func TestPauseFileHoldsApply(t *testing.T) {
	f, plan := pacedFixture(t, 30)
	dir := t.TempDir()
	pause, backup := filepath.Join(dir, "pause"), filepath.Join(dir, "backups")
	if err := os.WriteFile(pause, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startDupes(t, "apply", "--uri", f.uri, "--plan", plan, "--backup", backup, "--yes",
		"--batch-size", "10", "--pause-file", pause, "--format", "json")
	p.waitStderr("paused: the pause file " + pause + " exists (remove it to resume)")
	time.Sleep(1500 * time.Millisecond) // a re-check or two: still paused
	if n := f.count("users"); n != 60 {
		t.Fatalf("%d documents while paused, want 60", n)
	}
	if n := f.count(mongo.LeaseCollection); n != 1 {
		t.Fatalf("%d leases while paused, want the run's one", n)
	}
	os.Remove(pause)
	out, errOut, status := p.wait()
	if status != 0 {
		t.Fatalf("status %d:\n%s%s", status, out, errOut)
	}
	mustContain(t, "stderr", errOut, "resumed after")
	var got struct {
		Report struct {
			Deleted int    `json:"deleted"`
			RunID   string `json:"runId"`
			Pauses  struct {
				Count    int     `json:"count"`
				Seconds  float64 `json:"seconds"`
				LagCount int     `json:"lagCount"`
			} `json:"pauses"`
		} `json:"report"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	r := got.Report
	if r.Deleted != 30 || r.Pauses.Count != 1 || r.Pauses.Seconds < 1 || r.Pauses.LagCount != 0 {
		t.Fatalf("report %+v, want 30 deleted and one pause", r)
	}
	m := runIDLine.FindStringSubmatch(errOut)
	if m == nil || m[2] != r.RunID {
		t.Fatalf("stderr names run %v, the report %q:\n%s", m, r.RunID, errOut)
	}
	manifests, _ := filepath.Glob(filepath.Join(backup, "*.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests %v", manifests)
	}
	mf, err := mongo.ReadManifest(manifests[0])
	if err != nil || mf.RunID != r.RunID {
		t.Fatalf("manifest run %q (%v), want %q", mf.RunID, err, r.RunID)
	}
}

// SIGUSR1 pauses a running apply after the batch in flight, and SIGUSR1 again resumes it; the
// text report counts the pause.
func TestSIGUSR1TogglesPause(t *testing.T) {
	f, plan := pacedFixture(t, 40)
	backup := filepath.Join(t.TempDir(), "backups")
	// One document a batch, 20 a second: the run lasts two seconds unless paused.
	p := startDupes(t, "apply", "--uri", f.uri, "--plan", plan, "--backup", backup, "--yes", "--batch-size", "1", "--max-rate", "20")
	if !backupStarted(backup) {
		t.Fatal("the run never wrote its backup")
	}
	p.signal(syscall.SIGUSR1)
	p.waitStderr("paused: SIGUSR1 (send SIGUSR1 again to resume)")
	left := f.count("users")
	time.Sleep(1500 * time.Millisecond)
	if n := f.count("users"); n != left || n == 40 {
		t.Fatalf("%d documents, then %d while paused: want some deleted before, none during", left, n)
	}
	p.signal(syscall.SIGUSR1)
	out, errOut, status := p.wait()
	if status != 0 {
		t.Fatalf("status %d:\n%s%s", status, out, errOut)
	}
	mustContain(t, "stderr", errOut, "resumed after")
	mustContain(t, "report", out, "deleted 40 documents", "paused between batches: 1 pause, ")
	if n := f.count("users"); n != 40 {
		t.Fatalf("%d documents left, want 40", n)
	}
}

// SIGTERM while paused ends apply cleanly (status 1, the manifest says cancelled), and the same
// plan run again resumes and finishes.
func TestSIGTERMWhilePausedStopsResumably(t *testing.T) {
	f, plan := pacedFixture(t, 30)
	dir := t.TempDir()
	pause, backup := filepath.Join(dir, "pause"), filepath.Join(dir, "backups")
	if err := os.WriteFile(pause, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startDupes(t, "apply", "--uri", f.uri, "--plan", plan, "--backup", backup, "--yes", "--pause-file", pause)
	p.waitStderr("paused: the pause file")
	p.signal(syscall.SIGTERM)
	out, errOut, status := p.wait()
	if status != 1 {
		t.Fatalf("status %d, want 1:\n%s%s", status, out, errOut)
	}
	mustContain(t, "stderr", errOut, "interrupted")
	manifests, _ := filepath.Glob(filepath.Join(backup, "*.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests %v", manifests)
	}
	if m, err := mongo.ReadManifest(manifests[0]); err != nil || m.Status != mongo.RunCancelled {
		t.Fatalf("manifest: %v, status %q, want cancelled", err, m.Status)
	}
	os.Remove(pause)
	out, errOut, status = dupesBinary(t, "apply", "--uri", f.uri, "--plan", plan, "--backup", backup, "--yes")
	if status != 0 || f.count("users") != 30 {
		t.Fatalf("the rerun: status %d, %d documents left:\n%s%s", status, f.count("users"), out, errOut)
	}
	mustContain(t, "rerun", out, "resuming the interrupted run of this plan")
}

// restore pauses for its pause file too, and SIGTERM while paused stops it between batches
// (status 1, nothing half done); run again, it puts back the rest.
func TestRestorePausesAndStopsResumably(t *testing.T) {
	f, plan := pacedFixture(t, 30)
	dir := t.TempDir()
	pause, backup := filepath.Join(dir, "pause"), filepath.Join(dir, "backups")
	if _, errOut, status := dupes(t, "apply", "--uri", f.uri, "--plan", plan, "--backup", backup, "--yes"); status != 0 {
		t.Fatalf("apply: %s", errOut)
	}
	if err := os.WriteFile(pause, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p := startDupes(t, "restore", "--uri", f.uri, "--backup", backup, "--yes", "--batch-size", "10", "--pause-file", pause)
	p.waitStderr("paused: the pause file")
	if n := f.count("users"); n != 30 {
		t.Fatalf("%d documents while the restore is paused, want 30", n)
	}
	p.signal(syscall.SIGTERM)
	out, errOut, status := p.wait()
	if status != 1 {
		t.Fatalf("status %d, want 1:\n%s%s", status, out, errOut)
	}
	mustContain(t, "stderr", errOut, "dupes restore: run ", "interrupted", "run the same restore again")
	os.Remove(pause)
	out, errOut, status = dupesBinary(t, "restore", "--uri", f.uri, "--backup", backup, "--yes", "--batch-size", "10", "--max-rate", "1000")
	if status != 0 || f.count("users") != 60 {
		t.Fatalf("the rerun: status %d, %d documents:\n%s%s", status, f.count("users"), out, errOut)
	}
}

// --max-lag on a server with no replica set says once that it does nothing there and why, and
// the run goes on; resolve takes the pace flags as apply does.
func TestMaxLagWithoutAReplicaSetSaysSo(t *testing.T) {
	f, _ := pacedFixture(t, 20)
	backup := filepath.Join(t.TempDir(), "backups")
	out, errOut, status := dupesBinary(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "k", "--keep", "first",
		"--yes", "--backup", backup, "--batch-size", "5", "--max-lag", "10s", "--max-rate", "5000")
	if status != 0 || f.count("users") != 20 {
		t.Fatalf("status %d, %d left:\n%s%s", status, f.count("users"), out, errOut)
	}
	if n := strings.Count(errOut, "--max-lag 10s does nothing here: no replica set"); n != 1 {
		t.Fatalf("said %d times that --max-lag does nothing here, want once:\n%s", n, errOut)
	}
}

// Values no run can use are usage errors (status 2), before anything connects.
func TestPaceFlagsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"apply", "--plan", "p.json", "--batch-size", "0"},
		{"apply", "--plan", "p.json", "--batch-size", "25001"},
		{"resolve", "--ns", "d.c", "--key", "k", "--keep", "first", "--max-rate", "-1"},
		{"restore", "--backup", ".", "--max-lag", "-1s"},
		{"restore", "--backup", ".", "--max-rate", "NaN"},
	} {
		_, errOut, status := dupes(t, append(args, "--uri", "mongodb://127.0.0.1:1/")...)
		if status != 2 {
			t.Errorf("%v: status %d, want 2: %s", args, status, errOut)
		}
	}
}
