package ui

import (
	"context"
	"fmt"
	"maps"

	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// confirmation is a prompt that carries the action it confirms: the action is built when the
// prompt opens and runs only if the answer matches: the typed text want, or for a y/n question
// (want empty) the Yes binding.
type confirmation struct {
	want   string
	action tea.Msg
	// question is what a y/n confirmation asks (shown in the footer).
	question string
}

// reviewScreen shows what the plan deletes and where the backup goes; the user confirms by
// typing the namespace, or saves the plan file with w. Read-only runs and collections dupes may
// not delete from get no confirmation at all.
type reviewScreen struct {
	ctx     *Context
	keys    keymap.KeyMap
	sess    *session
	plan    model.Plan
	res     model.PlanResult // the planner's account: groups left alone
	kept    int              // distinct keepers, counted once when the plan arrives
	blocked string           // why deleting is not offered, or ""
	// preparing is true until the plan arrives.
	preparing bool
	confirm   *confirmation
	ask       prompt
	confirmng bool // the prompt open is the typed confirmation (not the plan file's name)
	saved     string
	list      listCursor  // over what will be deleted (reviewlist.go)
	size      sizeMsg     // the backup estimate (review_list.go)
	report    reportState // the HTML report (review_report.go)
	checking  bool        // the backup directory is being checked
	backupErr error       // why the backup directory cannot take the backup
	w, h      int
}

// openReviewMsg opens the review of a session's decisions. Its answer is the confirmed
// executeMsg, which carries the plan reviewed.
type openReviewMsg struct{ sess *session }

// executeMsg is the confirmed action: run this plan. Only a typed confirmation (the review's)
// or the done screen's enter, which finishes the run it reports, creates it.
type executeMsg struct{ plan model.Plan }

func (openReviewMsg) opens() screenID     { return scrReview }
func (planMsg) target() screenID          { return scrReview }
func (sizeMsg) target() screenID          { return scrReview }
func (backupCheckedMsg) target() screenID { return scrReview }
func (planSavedMsg) target() screenID     { return scrReview }

func newReviewScreen(ctx *Context) *reviewScreen {
	s := &reviewScreen{ctx: ctx, ask: newPrompt(1024)}
	s.setKeys()
	return s
}

// planMsg is the plan the review screen shows, built in a Cmd (a million groups take a moment)
// by the model planner that `dupes plan` uses.
type planMsg struct {
	id   int
	plan model.Plan
	res  model.PlanResult
	err  error // the members' versions could not be read: no plan
	// prior says how the latest run of this very plan went ("" when none): confirming runs
	// it again, which goes on with that run; finished says it ran to its end.
	prior    string
	finished bool
}

// planCmd builds the plan and records in it each member's version (fingerprintPlan); seen is
// the session's, copied: the Cmd runs off the UI's goroutine. It looks in the backup
// directory for an earlier run of the plan (prior, when given).
func planCmd(ctx context.Context, st Store, id int, snap planSnapshot, seen model.Fingerprints, dir string, prior priorRunFunc) tea.Cmd {
	return func() tea.Msg {
		p, res := snap.build()
		if err := fingerprintPlan(ctx, st, p, seen); err != nil {
			return planMsg{id: id, res: res, err: err}
		}
		msg := planMsg{id: id, plan: p, res: res}
		if prior != nil {
			msg.prior, msg.finished, _ = prior(dir, p) // unreadable: the run itself refuses what it cannot read
		}
		return msg
	}
}

// fingerprintPlan records in the plan the version of each member the user approves: the one
// the group view showed (seen), or for a member never shown, the one read now, as dupes plan
// reads every member. A run deletes a member only if it is still that version. seen is
// written to (a copy of the session's).
func fingerprintPlan(ctx context.Context, st Store, p model.Plan, seen model.Fingerprints) error {
	if seen == nil {
		seen = model.Fingerprints{}
	}
	var unseen []model.Value
	for _, g := range p.Groups {
		for _, id := range append([]model.Value{g.Keep}, g.Delete...) {
			if _, ok := seen[id]; !ok {
				unseen = append(unseen, id)
			}
		}
	}
	if len(unseen) > 0 {
		docs, err := st.FetchDocs(ctx, p.NS, unseen)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if d.Fingerprint == "" {
				return fmt.Errorf("the store gave no fingerprint for %s", d.ID.Display())
			}
			seen[d.ID] = d.Fingerprint
		}
	}
	seen.Stamp(p.Groups) // a member not found now is recorded absent
	return nil
}

// open shows the review of a session's decisions; the plan arrives as a planMsg.
func (s *reviewScreen) open(sess *session) tea.Cmd {
	s.sess, s.plan, s.preparing = sess, model.Plan{}, true
	s.saved, s.confirm = "", nil
	s.ask.close()
	s.blocked = ""
	s.stopReport()
	s.size, s.report, s.checking, s.backupErr = sizeMsg{}, reportState{}, false, nil
	s.list = listCursor{h: s.list.h}
	s.setKeys()
	return planCmd(s.ctx.base, s.ctx.Store, sess.id, sess.snapshot(), maps.Clone(sess.seen), s.ctx.Cfg.BackupDir, s.ctx.Cfg.PriorRun)
}

func (s *reviewScreen) setPlan(p model.Plan) {
	sess := s.sess
	s.plan, s.preparing = p, false
	s.kept = p.Keepers()
	s.list.setLen(s.listLen())
	switch {
	case s.ctx.Cfg.ReadOnly:
		s.blocked = "read-only (--read-only): nothing will be deleted. w saves the plan for dupes apply."
	case sess.col.CanDelete() != nil:
		s.blocked = sess.col.CanDelete().Error()
	case len(s.plan.Groups) == 0:
		s.blocked = "No group has a keeper yet: press esc, then r to apply a rule or open a group and press space."
	default:
		s.confirm = &confirmation{want: sess.ns.String(), action: executeMsg{plan: s.plan}}
	}
	s.setKeys()
}

func (s *reviewScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Up.SetHelp("↑/k", "scroll")
	k.Down.SetHelp("↓/j", "scroll")
	k.Save.SetHelp("w", "export the plan file")
	k.Open.SetEnabled(s.confirm != nil && !s.preparing && !s.checking)
	k.Open.SetHelp("enter", "type the namespace to delete")
	k.Back.SetHelp("esc", "back")
	if s.report.writing {
		k.Back.SetHelp("esc", "stop the report")
	}
	k.Save.SetEnabled(len(s.plan.Groups) > 0 && !s.preparing)
	k.Report.SetEnabled(!s.preparing && !s.report.writing)
	if s.ask.open() {
		k.Open.SetEnabled(true)
		k.Open.SetHelp("enter", "confirm")
		k.Back.SetHelp("esc", "cancel")
		k.Save.SetEnabled(false)
		k.Report.SetEnabled(false)
	}
}

func (s *reviewScreen) Update(msg tea.Msg) tea.Cmd {
	cmd := s.update(msg)
	s.fitList()
	return cmd
}

func (s *reviewScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openReviewMsg:
		return s.open(msg.sess)
	case planMsg:
		if s.sess != nil && msg.id == s.sess.id && s.preparing {
			s.res = msg.res
			s.takePrior(msg)
			s.setPlan(msg.plan)
			if msg.err != nil {
				s.confirm = nil
				s.blocked = "Cannot read the members' current versions, which the plan records: " + msg.err.Error() +
					". Nothing will be deleted: press esc, then review again."
				s.setKeys()
				return nil
			}
			return sizeCmd(s.ctx.base, s.ctx.Store, s.sess.id, msg.plan)
		}
	case planSavedMsg:
		s.saved = msg.path
		return s.ctx.intent(statusMsg("Plan saved to " + msg.path))
	case sizeMsg:
		if s.sess != nil && msg.id == s.sess.id {
			s.size = msg
		}
	case htmlReportMsg:
		return s.onReport(msg)
	case reportProgressMsg:
		return s.onReportProgress(msg)
	case backupCheckedMsg:
		if !s.checking {
			return nil
		}
		s.checking = false
		if msg.err != nil {
			s.backupErr = msg.err
			s.setKeys()
			return nil
		}
		return s.askNamespace()
	case tea.MouseMsg:
		if !s.ask.open() {
			s.list.navigate(msg, s.keys)
		}
	case tea.KeyMsg:
		if s.ask.open() {
			cmd := s.ask.update(msg, s.keys)
			s.setKeys()
			return cmd
		}
		if s.list.navigate(msg, s.keys) {
			return nil
		}
		var cmd tea.Cmd
		switch {
		case key.Matches(msg, s.keys.Back):
			if s.report.writing {
				s.stopReport()
				return nil
			}
			s.checking = false
			return s.ctx.intent(backMsg{})
		case key.Matches(msg, s.keys.Open):
			s.backupErr = nil
			if s.ctx.Cfg.Demo {
				return s.askNamespace() // the demo's backup lives in memory
			}
			// The directory is checked first: typing the namespace for a run that cannot
			// write its backup would be a confirmation for nothing.
			s.checking = true
			s.setKeys()
			return checkBackupCmd(s.ctx.Cfg.BackupDir)
		case key.Matches(msg, s.keys.Report):
			s.confirmng = false
			cmd = s.askReport()
		case key.Matches(msg, s.keys.Save):
			name := fmt.Sprintf("dupes-plan-%s-%s.json", s.sess.ns, time.Now().UTC().Format("20060102-150405"))
			plan := s.plan
			s.confirmng = false
			cmd = s.ask.ask("", "save plan to › ", "", name, func(v string) error {
				if v == "" {
					return fmt.Errorf("a file name is needed")
				}
				return nil
			}, func(v string) tea.Cmd { return savePlanCmd(v, plan) })
		}
		s.setKeys()
		return cmd
	}
	return nil
}

// askNamespace opens the typed confirmation. The prompt carries the action it confirms: the
// plan, built before it opened.
func (s *reviewScreen) askNamespace() tea.Cmd {
	c := s.confirm
	s.confirmng = true
	cmd := s.ask.ask("", "type "+c.want+" › ", "", "", func(v string) error {
		if v != c.want {
			return fmt.Errorf("%q is not %s: nothing deleted; type the namespace exactly", v, c.want)
		}
		return nil
	}, func(string) tea.Cmd { return s.ctx.intent(c.action) })
	s.setKeys()
	return cmd
}

func (s *reviewScreen) View() string {
	if s.sess == nil {
		return ""
	}
	top := s.top()
	if s.preparing {
		return top
	}
	bottom := s.bottom()
	st := s.ctx.Styles
	var b strings.Builder
	b.WriteString(top + "\n\n")
	pos := ""
	if s.list.n > 0 {
		pos = fmt.Sprintf("  %d/%d", s.list.pos+1, s.list.n)
	}
	b.WriteString(st.List.Header.Render(fit("WHAT WILL BE DELETED"+pos+"  (one row per group: keeper, ids to delete, decision)", s.w)) + "\n")
	from, to := s.list.window()
	for i := from; i < to; i++ {
		b.WriteString(s.reviewRow(i, s.w) + "\n")
	}
	b.WriteString("\n" + bottom)
	return strings.TrimRight(b.String(), "\n")
}

// fitList gives the list the lines the summary above and the confirmation below leave.
func (s *reviewScreen) fitList() {
	if s.sess == nil || s.preparing {
		return
	}
	used := lipgloss.Height(s.top()) + lipgloss.Height(s.bottom()) + 3 // blank, list header, blank
	s.list.setHeight(max(s.h-used, 1))
}

// top is the review's summary.
func (s *reviewScreen) top() string {
	st := s.ctx.Styles
	ss := s.sess
	var b strings.Builder
	done := "  — nothing has been deleted yet"
	if ss.prior != "" {
		done = "  — this plan has run before"
	}
	b.WriteString(st.Title.Render("Review") + st.Muted.Render(done) + "\n\n")
	if s.preparing {
		return b.String() + st.Muted.Render("Preparing the plan…")
	}
	tall := s.h >= 34 // on short terminals the list and the confirmation matter more
	line := func(label, value string) { b.WriteString(s.ctx.field(label, 16, value, s.w) + "\n") }
	line("collection", st.Bold.Render(ss.ns.String())+st.Muted.Render("  key "+ss.key.String()+" ("+ss.key.Semantics()+")"))
	if ss.prior != "" {
		line("earlier run", st.Warn.Render(ss.prior))
	}
	rule := "none"
	if ss.ruleSet {
		rule = ss.rule.String() + st.Muted.Render(" — "+ss.rule.Describe())
	}
	line("rule", rule)
	line("groups", fmt.Sprintf("%s in the plan (%s by rule, %s by hand) · %s skipped · %s undecided: left alone",
		count(int64(len(s.plan.Groups))), count(int64(ss.nRule)), count(int64(ss.nHand)), count(int64(ss.nSkip)), count(int64(ss.undecidedShown()))))
	line("to delete", st.Warn.Render(plural(s.plan.Deletes(), "document", "documents"))+
		st.Muted.Render(fmt.Sprintf(" · %s kept", count(int64(s.kept)))))
	if s.plan.Merge != nil {
		line("merge", st.Warn.Render(fmt.Sprintf("up to %s will be updated", plural(s.kept, "keeper", "keepers")))+
			st.Muted.Render(" ("+s.plan.Merge.String()+"; before-images backed up; a keeper changed since read leaves its group untouched)"))
	}
	if n := ss.lackingDocs(); n > 0 && ss.deleteMissing {
		line("lacking key", st.Warn.Render(fmt.Sprintf("%s %s lacking %s are included and decided like duplicates", lacksMark, plural(n, "document", "documents"), ss.key)))
	}
	if s.res.Adjusted > 0 {
		text := fmt.Sprintf("%s share documents with other groups (array key): planned together, keeping each document "+
			"the unique index accepts in keep order", plural(s.res.Adjusted, "group", "groups"))
		if s.res.Unheld > 0 {
			text += fmt.Sprintf("; %d keep no member (each is a duplicate of a document kept on another value)", s.res.Unheld)
		}
		if s.res.Crowded > 0 {
			text += fmt.Sprintf("; %d stay duplicates, held by groups left alone", s.res.Crowded)
		}
		line("overlaps", st.Muted.Render(text))
	}
	if tall {
		line("index after", s.offerText())
	}
	if s.ctx.Cfg.Demo {
		line("backup", "in memory (demo data: nothing is written to disk)")
	} else {
		line("backup", s.ctx.Cfg.BackupDir+st.Muted.Render(" · "+s.backupEstimate()))
	}
	if tall {
		line("safety", st.Muted.Render("each batch is re-read and backed up before it is deleted; documents changed since the scan are skipped and reported"))
	}
	return strings.TrimRight(b.String(), "\n")
}

// mergeText adds the keeper updates of a merging plan to what the confirmation confirms.
func (s *reviewScreen) mergeText() string {
	if s.plan.Merge == nil {
		return ""
	}
	return " and update up to " + plural(len(s.plan.Groups), "keeper", "keepers") + " with what they gain"
}

// bottom is the confirmation, the prompt and what was saved.
func (s *reviewScreen) bottom() string {
	st := s.ctx.Styles
	var b strings.Builder
	switch {
	case s.blocked != "":
		b.WriteString(st.Warn.Render(para(s.blocked, s.w)) + "\n")
	case s.backupErr != nil:
		b.WriteString(st.Error.Render(para(fmt.Sprintf("The backup directory %s cannot take the backup (%v): nothing deleted. "+
			"Start dupes with --backup DIR on a writable disk, or w to export the plan for dupes apply.", s.ctx.Cfg.BackupDir, s.backupErr), s.w)) + "\n")
	case s.checking:
		b.WriteString(st.Muted.Render("Checking that "+s.ctx.Cfg.BackupDir+" takes the backup…") + "\n")
	case s.ask.open() && s.confirmng && s.sess.resumes:
		b.WriteString(st.Bold.Render(para(fmt.Sprintf("Type %s and press enter to finish that run: it deletes, of the %s in the plan, those it has not deleted yet%s, into the same backup.",
			s.confirm.want, plural(s.plan.Deletes(), "document", "documents"), s.mergeText()), s.w)) + "\n")
	case s.ask.open() && s.confirmng:
		b.WriteString(st.Bold.Render(para(fmt.Sprintf("Type %s and press enter to delete %s%s.", s.confirm.want, plural(s.plan.Deletes(), "document", "documents"), s.mergeText()), s.w)) + "\n")
	case s.sess.resumes:
		b.WriteString(para(fmt.Sprintf("Press enter to confirm by typing %s and finish the run that did not, or w to export the plan file for dupes apply.", st.Bold.Render(s.confirm.want)), s.w) + "\n")
	default:
		b.WriteString(para(fmt.Sprintf("Press enter to confirm by typing %s, or w to export the plan file for dupes apply.", st.Bold.Render(s.confirm.want)), s.w) + "\n")
	}
	if s.ask.open() {
		b.WriteString(s.ask.view(st, s.w) + "\n")
	}
	if r := s.reportLine(); r != "" {
		b.WriteString(r + "\n")
	}
	if s.saved != "" {
		b.WriteString(st.OK.Render("✓ Plan saved to "+s.saved) + st.Muted.Render("  (dupes apply --plan "+s.saved+", or dupes --plan "+s.saved+")") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// offerText says which unique index the done screen will offer, or why none can be.
func (s *reviewScreen) offerText() string {
	o := s.sess.offer()
	if o.Refused != "" {
		return s.ctx.Styles.Warn.Render("none can be offered: " + o.Refused)
	}
	return describeOffer(o) + s.ctx.Styles.Muted.Render(" — offered once the run is done")
}

func (s *reviewScreen) SetSize(w, h int) { s.w, s.h = w, h; s.ask.setWidth(w); s.fitList() }
func (s *reviewScreen) Typing() bool     { return s.ask.open() }
func (s *reviewScreen) Busy() bool       { return s.preparing }
func (s *reviewScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.ask.open() {
		return []key.Binding{k.Open, k.Back}
	}
	return []key.Binding{k.Open, k.Save, k.Down, k.Up, k.Report, k.PageDown, k.Back, k.Help, k.Quit}
}
func (s *reviewScreen) FullHelp() [][]key.Binding {
	k := s.keys
	if s.ask.open() {
		return [][]key.Binding{s.ShortHelp()}
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Save, k.Report, k.Back, k.Help, k.Quit}}
}
