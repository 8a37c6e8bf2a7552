package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// priorRuns stands for mongo.PriorRun over the backup directory: the runs it knows, by the
// digest of their plan.
type priorRuns map[string]struct {
	desc     string
	finished bool
}

func (p priorRuns) find(_ string, plan model.Plan) (string, bool, error) {
	r := p[plan.Digest()]
	return r.desc, r.finished, nil
}

// interruptedRun runs the rule's plan for shop.users by email and stops it before its first
// batch (esc while the plan is being kept), as ctrl+c does mid-run: it returns the harness on
// the done screen and the plan, kept in the backup directory.
func interruptedRun(t *testing.T, runs priorRuns) (*harness, model.Plan) {
	t.Helper()
	h := openGroups(t, "shop.users", "email", func(c *Config) { c.Demo = false; c.PriorRun = runs.find })
	ruleFirst(h)
	h.keys("D", "enter")
	h.typ("shop.users")
	h.hold = func(msg tea.Msg) bool { _, ok := msg.(planKeptMsg); return ok }
	h.keys("enter")
	h.wantScreen(scrExecute)
	h.wantView("Keeping the plan in " + h.m.ctx.Cfg.BackupDir)
	h.keys("ctrl+c") // during a run: stop it, do not quit
	h.hold = nil
	h.release()
	h.wantScreen(scrDone)
	h.wantView("Stopped on request", "not reached", "enter finishes the run")
	if h.quit {
		t.Fatal("ctrl+c during a run quit")
	}
	kept := filepath.Join(h.m.ctx.Cfg.BackupDir, "plans", "dupes-plan-")
	h.wantView("plan          " + kept)
	paths, _ := filepath.Glob(kept + "*.json")
	if len(paths) != 1 {
		t.Fatalf("plans kept: %v", paths)
	}
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(paths[0]); st.Mode().Perm() != 0o600 {
		t.Fatalf("the kept plan's mode is %v", st.Mode().Perm())
	}
	plan, err := model.DecodePlan(b)
	if err != nil || len(plan.Groups) != 8 || plan.Unprinted() != 0 || !strings.HasSuffix(paths[0], plan.Digest()+".json") {
		t.Fatalf("kept plan %s: %d groups, err %v", paths[0], len(plan.Groups), err)
	}
	if n := len(h.store.Docs(ns("shop.users"))); n != 33 {
		t.Fatalf("a run stopped before its first batch deleted %d documents", 33-n)
	}
	runs[plan.Digest()] = struct {
		desc     string
		finished bool
	}{"cancelled, shop.users.20240601T120000Z.json: 0 of 11 documents deleted", false}
	return h, plan
}

// TestTheNextScanOffersToFinishAnInterruptedRun: the plan is kept before it runs; after the
// run stopped, a scan of the same collection and key asks whether to finish it; y opens its
// plan's review, which says what the earlier run did, and confirming finishes it.
func TestTheNextScanOffersToFinishAnInterruptedRun(t *testing.T) {
	h, _ := interruptedRun(t, priorRuns{})
	h.keys("esc") // scan again, from the key screen
	h.wantScreen(scrKey)
	h.cursorTo("email")
	h.keys("enter")
	h.wantView("A run of a plan for shop.users by email did not finish (cancelled, shop.users.20240601T120000Z.json: 0 of 11",
		"Finish it now? y/n")
	h.keys("y")
	h.wantScreen(scrReview)
	h.wantView("this plan has run before", "earlier run", "a run of this plan did not finish (cancelled",
		"Press enter to confirm by typing shop.users and finish the run that did not")
	h.keys("enter")
	h.typ("shop.users")
	h.wantView("Type shop.users and press enter to finish that run")
	h.keys("enter")
	h.wantScreen(scrDone)
	h.wantView("✓ Done", "deleted       11 documents")
	if n := len(h.store.Docs(ns("shop.users"))); n != 22 {
		t.Fatalf("%d documents left, want 22", n)
	}
}

// TestAnEarlierRunIsNeverTakenUpUnsaid: answered no, the scan goes on; the same decisions make
// the same plan, and its review says, before the namespace is typed, that confirming goes on
// with the run that did not finish. A plan that ran to its end says so too.
func TestAnEarlierRunIsNeverTakenUpUnsaid(t *testing.T) {
	runs := priorRuns{}
	h, plan := interruptedRun(t, runs)
	h.keys("esc")
	h.cursorTo("email")
	h.keys("enter")
	h.wantView("Finish it now? y/n")
	h.keys("n")
	h.wantScreen(scrGroups)
	h.wantView("undecided 8")
	ruleFirst(h)
	h.keys("D")
	h.wantView("a run of this plan did not finish (cancelled", "and finish the run that did not")
	if reviewedPlan(h).Digest() != plan.Digest() {
		t.Fatal("the same decisions made another plan")
	}
	runs[plan.Digest()] = struct {
		desc     string
		finished bool
	}{"done, shop.users.20240601T120000Z.json: 11 of 11 documents deleted", true}
	h.keys("esc", "D")
	h.wantView("this plan ran before (done", "running it")
	if strings.Contains(h.m.View(), "finish the run") {
		t.Fatal("a run that finished is offered to be finished")
	}
}

// TestAPlanThatCannotBeKeptDeletesNothing: the run starts only once its plan is on disk.
func TestAPlanThatCannotBeKeptDeletesNothing(t *testing.T) {
	h := openGroups(t, "shop.users", "email", func(c *Config) { c.Demo = false })
	ruleFirst(h)
	h.keys("D", "enter")
	h.typ("shop.users")
	// The directory took the review's check; by the time of the run it is a file.
	dir := h.m.ctx.Cfg.BackupDir
	if err := os.RemoveAll(dir); err != nil || writeFile(dir) != nil {
		t.Fatal("cannot put a file in place of the backup directory")
	}
	h.keys("enter")
	h.wantScreen(scrDone)
	h.wantView("The run stopped: nothing was deleted: the plan could not be kept before the run")
	if n := len(h.store.Docs(ns("shop.users"))); n != 33 {
		t.Fatalf("%d documents deleted without a kept plan", 33-n)
	}
}
