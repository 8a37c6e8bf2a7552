package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/mongo"
)

// TestTUIResumesARunStoppedByCtrlC: ctrl+c during a run stops it after the batch in flight;
// the done screen names the plan the TUI kept before the run. dupes is quit, and started
// again on the same collection and key: its scan asks whether to finish the run, y reviews the
// kept plan (which says what the earlier run did), and confirming finishes that run: into
// the same backup, under one manifest that ends done, with no duplicate left.
func TestTUIResumesARunStoppedByCtrlC(t *testing.T) {
	f := newFixture(t)
	const groups = 5 * mongo.DefaultExecBatch // several batches: ctrl+c lands in an early one
	docs := make([]map[string]any, 0, 2*groups)
	for i := 0; i < 2*groups; i++ {
		docs = append(docs, map[string]any{"_id": i, "k": i / 2})
	}
	f.insert("big", docs...)
	ns := f.ns("big")
	backup := t.TempDir()
	tui := fmt.Sprintf("exec env -u MONGODB_URI %s '%s' --ns %s --key k --backup '%s'", binary, f.uri, ns, backup)

	s := startTmux(t, tui)
	s.waitFor("enter open group")
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	s.waitFor("Rule first applied")
	s.send("D")
	s.waitFor("Press enter to confirm")
	s.confirm(ns)
	if !backupStarted(backup) {
		t.Fatalf("the run never wrote its backup:\n%s", s.screen())
	}
	s.send("C-c")
	screen := s.waitForAny("Stopped on request", "✓ Done")
	if !strings.Contains(screen, "Stopped on request") {
		t.Fatalf("the run ended before ctrl+c reached it: nothing to resume; make the collection bigger\n%s", screen)
	}
	t.Logf("after ctrl+c:\n%s", screen)
	mustContain(t, "done screen", screen, "enter finishes the run", "plans/dupes-plan-")
	deleted := 2*groups - int(f.count("big"))
	if deleted == 0 || deleted == groups {
		t.Fatalf("%d of %d documents deleted before the stop: want some, not all", deleted, groups)
	}
	pid := s.panePID()
	s.send("q")
	for try := 0; try < 3000 && !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH); try++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		t.Fatalf("q did not quit:\n%s", s.screen())
	}

	again := startTmux(t, tui)
	screen = again.waitFor("Finish it now? y/n")
	t.Logf("started again:\n%s", screen)
	mustContain(t, "the question", screen, "did not finish (cancelled")
	again.send("y")
	screen = again.waitFor("finish the run that did not")
	mustContain(t, "review", screen, "earlier run", "a run of this plan did not finish (cancelled")
	again.send("Enter")
	again.waitFor("type " + ns)
	again.send("-l", ns)
	again.send("Enter")
	screen = again.waitForAny("✓ Done", "The run stopped", "duplicates remain")
	t.Logf("finished:\n%s", screen)
	mustContain(t, "done screen", screen, "✓ Done")

	if n := f.count("big"); n != groups {
		t.Fatalf("%d documents left, want one per group (%d)", n, groups)
	}
	manifests, _ := filepath.Glob(filepath.Join(backup, "*.json"))
	plans, _ := filepath.Glob(filepath.Join(backup, "plans", "dupes-plan-*.json"))
	if len(manifests) != 1 || len(plans) != 1 {
		t.Fatalf("backup directory holds manifests %v and plans %v: want one of each (the run resumed, not a second run)", manifests, plans)
	}
	var m mongo.Manifest
	b, err := os.ReadFile(manifests[0])
	if err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest %s: %v\n%s", manifests[0], err, b)
	}
	if m.Status != mongo.RunDone || m.Counts.Deleted != groups {
		t.Fatalf("manifest: status %s, %d deleted; want done, %d", m.Status, m.Counts.Deleted, groups)
	}
	if n := bsonRecords(t, filepath.Join(backup, m.Backup)); n != groups {
		t.Fatalf("the backup holds %d documents, want every one deleted (%d)", n, groups)
	}
}

// waitForAny polls the screen until it shows one of texts, a bounded number of times.
func (s *tmuxSession) waitForAny(texts ...string) string {
	s.t.Helper()
	var last string
	for try := 0; try < 600; try++ {
		last = s.screen()
		for _, text := range texts {
			if strings.Contains(last, text) {
				return last
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("the screen never showed any of %q; last screen:\n%s", texts, last)
	return ""
}
