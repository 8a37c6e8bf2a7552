package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// TestTUITakesThePaceFlags: the TUI reads apply's pace flags (one flag group, paceFlags) into
// the run's model.Pace, and refuses what apply refuses.
func TestTUITakesThePaceFlags(t *testing.T) {
	cfg, _, err := tuiConfig([]string{"--demo", "--batch-size", "10", "--max-rate", "50", "--max-lag", "10s", "--pause-file", "/tmp/p"})
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Pace; p.BatchSize != 10 || p.MaxRate != 50 || p.MaxLag != 10*time.Second || p.PauseFile != "/tmp/p" {
		t.Fatalf("pace %+v", p)
	}
	if cfg, _, _ = tuiConfig([]string{"--demo"}); cfg.Pace.BatchSize != mongo.ExecBatchDocs || cfg.Pace.MaxRate != 0 {
		t.Fatalf("default pace %+v", cfg.Pace)
	}
	for _, args := range [][]string{{"--batch-size", "0"}, {"--max-rate", "-1"}, {"--max-lag", "-1s"}} {
		var ue usageError
		if _, _, err := tuiConfig(append([]string{"--demo"}, args...)); !errors.As(err, &ue) {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
}

// deletedCount reads "N of M documents deleted" off the execute screen.
var deletedCount = regexp.MustCompile(`(\d+) of \d+ documents deleted`)

// TestTUIPauseAndResumeADemoRun: p pauses a demo run after the batch in flight and says so;
// nothing is deleted while it is paused; p resumes it; SIGUSR1 pauses it too, saying so, and
// again resumes; the done screen counts both pauses.
func TestTUIPauseAndResumeADemoRun(t *testing.T) {
	// One document a batch at 4 a second, plus the demo's own delay: a run of seconds.
	// exec: the pane's process is dupes, which SIGUSR1 is sent to.
	s := startTmux(t, fmt.Sprintf("exec %s --demo --ns shop.users --key email --max-rate 4", binary))
	s.keepFirstAndReview()
	s.confirm("shop.users")
	s.waitFor("(max 4/s)")
	pid := s.panePID()
	s.send("p")
	screen := s.waitFor("⏸ paused (p resumes): you pressed p")
	t.Logf("paused:\n%s", screen)
	mustContain(t, "paused screen", screen, "no batch is in flight", "p resume", "esc stop the run")
	at := deletedCount.FindStringSubmatch(screen)
	if at == nil {
		t.Fatalf("no count of deleted documents:\n%s", screen)
	}
	// The demo looks again every 50 ms and says so: several looks later, still nothing deleted.
	for range 3 {
		time.Sleep(300 * time.Millisecond)
		if now := deletedCount.FindStringSubmatch(s.screen()); now == nil || now[1] != at[1] {
			t.Fatalf("documents deleted while paused: %v, then %v\n%s", at, now, s.screen())
		}
	}
	s.waitFor("paused so far: 1 pause")
	s.send("p")
	s.waitFor("p pause after this batch")
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	screen = s.waitFor("⏸ paused: SIGUSR1 (send SIGUSR1 again to resume)")
	t.Logf("paused by SIGUSR1:\n%s", screen)
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	screen = s.waitFor("Done")
	t.Logf("done:\n%s", screen)
	mustContain(t, "done screen", screen, "2 pauses")
	s.send("q")
}

// TestTUIPauseKeepsTheLeaseLive: on a server, p pauses a paced run after the batch in flight;
// while paused the run still holds its lease, its manifest says running, and nothing is
// deleted; p resumes it to the end, and the done screen counts the pause.
func TestTUIPauseKeepsTheLeaseLive(t *testing.T) {
	f := newFixture(t)
	const groups = 20
	docs := make([]map[string]any, 0, 2*groups)
	for i := range 2 * groups {
		docs = append(docs, map[string]any{"_id": i, "k": i / 2})
	}
	f.insert("paced", docs...)
	backup := t.TempDir()
	// Two documents a batch at 8 a second: a run of a few seconds, paused early.
	s := startTmux(t, fmt.Sprintf("exec env -u MONGODB_URI %s '%s' --ns %s --key k --backup '%s' --batch-size 2 --max-rate 8",
		binary, f.uri, f.ns("paced"), backup))
	s.keepFirstAndReview()
	s.confirm(f.ns("paced"))
	s.waitFor("(max 8/s)")
	s.send("p")
	screen := s.waitFor("⏸ paused (p resumes): you pressed p")
	t.Logf("paused:\n%s", screen)
	mustContain(t, "paused screen", screen, "keeps its lease on "+f.ns("paced"))
	left := f.count("paced")
	leases, err := mongotest.Client(t).Database(f.db).Collection(mongo.LeaseCollection).CountDocuments(context.Background(), map[string]any{})
	if err != nil || leases != 1 {
		t.Fatalf("%d leases while paused (%v): want the run's", leases, err)
	}
	manifests, _ := filepath.Glob(filepath.Join(backup, "*.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests: %v", manifests)
	}
	var m mongo.Manifest
	if b, err := os.ReadFile(manifests[0]); err != nil || json.Unmarshal(b, &m) != nil || m.Status != mongo.RunRunning {
		t.Fatalf("manifest while paused: %+v, %v", m, err)
	}
	time.Sleep(1500 * time.Millisecond) // the run looks again every second: still paused after
	if n := f.count("paced"); n != left || left == groups {
		t.Fatalf("%d documents while paused, %d at the pause (%d when done)", n, left, groups)
	}
	s.send("p")
	screen = s.waitFor("Done")
	t.Logf("done:\n%s", screen)
	mustContain(t, "done screen", screen, "1 pause")
	if n := f.count("paced"); n != groups {
		t.Fatalf("%d documents after the run, want %d", n, groups)
	}
	s.send("q")
}

// keepFirstAndReview applies the keep-first rule on the groups screen and opens the review.
func (s *tmuxSession) keepFirstAndReview() {
	s.t.Helper()
	s.waitFor("enter open group")
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	s.waitFor("Rule first applied")
	s.send("D")
	s.waitFor("Press enter to confirm")
}
