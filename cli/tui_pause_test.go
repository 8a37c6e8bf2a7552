package cli

import (
	"errors"
	"fmt"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/mongo"
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
	s.waitFor("enter open group")
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	s.waitFor("Rule first applied")
	s.send("D")
	s.waitFor("Press enter to confirm")
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
