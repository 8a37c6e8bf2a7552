package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// Resuming a run without ceremony. The plan is kept in the backup directory before it runs,
// named by its digest; running the same plan again goes on with its run (the executor finds
// the run by the plan's digest, with its backup). So a scan of a collection and key whose
// kept plan has a run that did not finish asks whether to finish it, and the review says what
// an earlier run of the plan it confirms did: an old run is never taken up unsaid.

// planFilePrefix names the plans kept before their run, in planDir of the backup directory:
// a folder of their own, so that nothing reading the backups and their manifests (*.bson,
// *.json) meets a plan among them.
const (
	planFilePrefix = "dupes-plan-"
	planDir        = "plans"
)

// planKeptMsg says the plan about to run is on disk at path, or why it is not.
type planKeptMsg struct {
	path string
	err  error
}

// keptPlanPath is where a plan is kept before it runs: in the backup directory's plans
// folder, named by its digest alone (a collection's name never makes a file name).
func keptPlanPath(dir string, p model.Plan) string {
	return filepath.Join(dir, planDir, planFilePrefix+p.Digest()+".json")
}

func keepPlanCmd(dir string, plan model.Plan) tea.Cmd {
	path := keptPlanPath(dir, plan)
	return func() tea.Msg { return planKeptMsg{path: path, err: writePlan(path, plan)} }
}

// priorRunFunc is Config.PriorRun.
type priorRunFunc = func(dir string, plan model.Plan) (desc string, finished bool, err error)

// unfinishedRunMsg is a kept plan for a session's collection and key whose run did not
// finish: desc says how it went.
type unfinishedRunMsg struct {
	id   int
	plan model.Plan
	path string
	desc string
}

// finishRunMsg is the answer yes to finishing that run.
type finishRunMsg struct {
	plan       model.Plan
	path, desc string
}

// unfinishedRunCmd looks in the backup directory for the kept plans of ns and k whose latest
// run did not finish, and answers the most recent one (nothing when there is none).
func unfinishedRunCmd(id int, dir string, ns model.Namespace, k model.Key, prior priorRunFunc) tea.Cmd {
	if prior == nil || dir == "" {
		return nil
	}
	return func() tea.Msg {
		plans := filepath.Join(dir, planDir)
		entries, _ := os.ReadDir(plans) // no folder yet: no run yet
		var found *unfinishedRunMsg
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, planFilePrefix) || !strings.HasSuffix(name, ".json") || !e.Type().IsRegular() {
				continue
			}
			path := filepath.Join(plans, name)
			b, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			p, err := model.DecodePlan(b)
			if err != nil || p.NS != ns || p.Key.String() != k.String() || p.Key.Semantics() != k.Semantics() {
				continue
			}
			desc, finished, err := prior(dir, p)
			if err != nil || desc == "" || finished {
				continue
			}
			if found == nil || p.CreatedAt.After(found.plan.CreatedAt) {
				found = &unfinishedRunMsg{id: id, plan: p, path: path, desc: desc}
			}
		}
		if found == nil {
			return nil
		}
		return *found
	}
}

// offerToFinish asks, in the footer, whether to finish the run a scan found unfinished.
func (m *Model) offerToFinish(msg unfinishedRunMsg) {
	if m.sess == nil || msg.id != m.sess.id || m.quit != nil {
		return
	}
	m.quit = &confirmation{action: finishRunMsg{plan: msg.plan, path: msg.path, desc: msg.desc}, question: fmt.Sprintf(
		"A run of a plan for %s by %s did not finish (%s). Finish it now? y/n (y reviews its plan, %s; n goes on with this scan and leaves that run as it is)",
		msg.plan.NS, msg.plan.Key, msg.desc, msg.path)}
}

// finishRun opens the plan of the unfinished run and its review: confirming runs it again,
// which goes on where the run stopped, with its backup.
func (m *Model) finishRun(msg finishRunMsg) tea.Cmd {
	if m.sess != nil && m.sess.scanning {
		m.sess.cancel()
	}
	s, _ := m.planSession(msg.plan)
	s.prior = "a run of this plan did not finish (" + msg.desc + "): confirming goes on where it stopped, with its backup"
	s.resumes = true
	m.status = "Opened the plan of the unfinished run: " + msg.path
	return tea.Batch(m.rebase(openKeyMsg{ns: s.ns}, openGroupsMsg{sess: s}, openReviewMsg{sess: s}), m.planSessionCmds(s))
}
