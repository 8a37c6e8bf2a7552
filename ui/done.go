package ui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// doneScreen reports a run: deleted, skipped (and why), failed; the backup and the command
// that restores it.
type doneScreen struct {
	ctx    *Context
	keys   keymap.KeyMap
	rep    model.Report
	err    error
	ns     model.Namespace
	key    model.Key
	offer  model.IndexOffer // the unique index offered, or why none can be
	plan   *model.Plan      // the plan the run executed: enter runs it again to finish it
	kept   string           // where that plan was kept before the run
	reason []reasonCount
	// undecided counts the groups the plan left alone: their duplicates remain.
	undecided int
	build     activity
	// The unique index offer: asked (a y/n prompt carrying the build), building, result.
	ask      *confirmation
	building bool
	built    string
	builtHow string
	indexErr error
	fix      int    // the index clash's fix offered (indexfix.go)
	clash    string // the existing non-unique index of the offered name
	w, h     int
}

// openDoneMsg opens the done screen on a run's report, for a session's plan, kept at planPath
// before the run ("" in the demo).
type openDoneMsg struct {
	report   model.Report
	err      error
	sess     *session
	planPath string
}

// scanAgainMsg is the done screen's answer to esc: scan the collection again, from its key
// screen (the collection changed).
type scanAgainMsg struct{ ns model.Namespace }

func (openDoneMsg) opens() screenID       { return scrDone }
func (indexBuiltMsg) target() screenID    { return scrDone }
func (buildIndexMsg) target() screenID    { return scrDone }
func (fixIndexMsg) target() screenID      { return scrDone }
func (dropConfirmedMsg) target() screenID { return scrDone }

// indexBuiltMsg says the unique index exists now (how: by collMod or in place of another).
type indexBuiltMsg struct{ name, how string }

// buildIndexMsg is the confirmed action of the index offer.
type buildIndexMsg struct {
	ns  model.Namespace
	key model.Key
}

func createIndexCmd(ctx context.Context, st Store, ns model.Namespace, k model.Key) tea.Cmd {
	return func() tea.Msg {
		name, err := st.CreateUniqueIndex(ctx, ns, k)
		if err != nil {
			return ErrorMsg{Where: "create the unique index", Err: err}
		}
		return indexBuiltMsg{name: name}
	}
}

type reasonCount struct {
	reason string
	n      int
}

func newDoneScreen(ctx *Context) *doneScreen {
	s := &doneScreen{ctx: ctx, build: newActivity()}
	s.setKeys()
	return s
}

func (s *doneScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Back.SetHelp("esc", "scan again")
	k.Index.SetEnabled(s.canOfferIndex() || (s.fix != fixNone && !s.building))
	switch s.fix {
	case fixCollMod:
		k.Index.SetHelp("x", "make the existing index unique")
	case fixDrop, fixDropYes:
		k.Index.SetHelp("x", "drop it and build the unique index")
	}
	k.Open.SetEnabled(s.canFinish())
	k.Open.SetHelp("enter", "finish the run")
}

// canFinish: the run stopped before its end (cancelled, or stopped by an error) with groups
// not reached, and the plan it ran is at hand: running it again goes on where it stopped,
// with the same backup (Execute finds the run by the plan's digest).
func (s *doneScreen) canFinish() bool {
	return s.plan != nil && !s.ctx.Cfg.ReadOnly && s.rep.NotReached > 0
}

// canOfferIndex: the run finished cleanly, so the index may build now (the server decides).
func (s *doneScreen) canOfferIndex() bool {
	r := s.rep
	return !s.ctx.Cfg.ReadOnly && s.err == nil && !r.Cancelled && r.FailedGroups == 0 && r.NotReached == 0 &&
		r.Deleted > 0 && s.built == "" && !s.building && s.offer.Refused == ""
}

func (s *doneScreen) open(msg openDoneMsg) {
	rep, sess := msg.report, msg.sess
	s.rep, s.err, s.ns, s.key, s.plan, s.kept = rep, msg.err, sess.ns, sess.key, sess.ran, msg.planPath
	s.offer = sess.offer()
	s.ask, s.building, s.built, s.builtHow, s.indexErr, s.fix, s.clash = nil, false, "", "", nil, fixNone, ""
	s.undecided = max(sess.summary().Groups-sess.decidedShown(), 0)
	byReason := map[string]int{}
	for _, g := range rep.Groups {
		for _, sk := range g.Skipped {
			byReason[sk.Reason]++
		}
	}
	s.reason = s.reason[:0]
	for r, n := range byReason {
		s.reason = append(s.reason, reasonCount{r, n})
	}
	sort.Slice(s.reason, func(i, j int) bool {
		return s.reason[i].n > s.reason[j].n || (s.reason[i].n == s.reason[j].n && s.reason[i].reason < s.reason[j].reason)
	})
	s.setKeys()
}

func (s *doneScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openDoneMsg:
		s.open(msg)
	case spinner.TickMsg:
		return s.build.tick(msg)
	case indexBuiltMsg:
		s.build.stop()
		s.building, s.built, s.builtHow, s.fix, s.indexErr = false, msg.name, msg.how, fixNone, nil
		s.setKeys()
	case ErrorMsg:
		if s.building {
			s.build.stop()
			s.building, s.indexErr = false, msg.Err
			s.offerFix(msg.Err)
			s.setKeys()
		}
	case fixIndexMsg:
		s.building = true
		ctx, tick := s.build.start(s.ctx.base)
		s.setKeys()
		return tea.Batch(tick, fixIndexCmd(ctx, s.ctx.Store, msg))
	case dropConfirmedMsg:
		s.fix = fixDropYes
		s.ask = &confirmation{action: fixIndexMsg{ns: s.ns, name: s.clash, key: s.offer.Key, drop: true}}
		s.setKeys()
	case buildIndexMsg:
		s.building = true
		ctx, tick := s.build.start(s.ctx.base)
		s.setKeys()
		return tea.Batch(tick, createIndexCmd(ctx, s.ctx.Store, msg.ns, msg.key))
	case tea.KeyMsg:
		if s.ask != nil {
			a := s.ask
			s.ask = nil
			s.setKeys()
			if key.Matches(msg, s.keys.Yes) {
				return s.ctx.intent(a.action)
			}
			return nil
		}
		switch {
		case key.Matches(msg, s.keys.Back):
			return s.ctx.intent(scanAgainMsg{ns: s.ns})
		case key.Matches(msg, s.keys.Open) && s.canFinish():
			return s.ctx.intent(executeMsg{plan: *s.plan})
		case key.Matches(msg, s.keys.Index):
			switch s.fix {
			case fixNone:
				s.ask = &confirmation{action: buildIndexMsg{ns: s.ns, key: s.offer.Key}}
			case fixCollMod:
				s.ask = &confirmation{action: fixIndexMsg{ns: s.ns, name: s.clash, key: s.offer.Key}}
			default:
				// Dropping is the one step here that cannot be taken back: asked twice.
				s.fix = fixDrop
				s.ask = &confirmation{action: dropConfirmedMsg{}}
			}
			s.setKeys()
		}
	}
	return nil
}

func (s *doneScreen) View() string {
	st := s.ctx.Styles
	r := s.rep
	var b strings.Builder
	switch {
	case s.err != nil:
		b.WriteString(st.Error.Render("The run stopped: ") + model.SafeLines(s.err.Error()) + "\n\n")
	case r.Cancelled:
		b.WriteString(st.Warn.Render("Stopped on request") + st.Muted.Render(" — the batch in flight was finished") + "\n\n")
	case len(s.remaining()) > 0:
		// Not green: the words and the colour say the job is not finished.
		b.WriteString(st.Warn.Render("Done, but duplicates remain") + st.Muted.Render(" — "+r.NS.String()) + "\n")
		b.WriteString(st.Warn.Render(para(strings.Join(s.remaining(), "; ")+". Scan again (esc) to see them.", s.w)) + "\n\n")
	default:
		b.WriteString(st.OK.Render("✓ Done") + st.Muted.Render(" — "+r.NS.String()+": every group of the plan resolved") + "\n\n")
	}
	line := func(label, value string) { b.WriteString(s.ctx.field(label, 14, value, s.w) + "\n") }
	line("deleted", st.Bold.Render(plural(r.Deleted, "document", "documents")))
	if r.MergedKeepers > 0 {
		line("merged", plural(r.MergedKeepers, "keeper", "keepers")+" updated"+st.Muted.Render(" (before-images backed up with the deleted members)"))
	}
	skipped := plural(r.SkippedDocs, "document", "documents")
	if r.SkippedDocs > 0 {
		skipped += st.Muted.Render(" (" + r.SkippedSummary() + ": never deleted)")
	}
	line("skipped", skipped)
	for _, n := range r.Notices {
		line("note", st.Warn.Render(n))
	}
	for i, rc := range s.reason {
		if i == 5 {
			line("", st.Muted.Render(fmt.Sprintf("… and %d more reasons", len(s.reason)-5)))
			break
		}
		line("", fmt.Sprintf("%6s  %s", count(int64(rc.n)), rc.reason))
	}
	line("failed", plural(r.FailedGroups, "group", "groups"))
	if r.NotReached > 0 {
		again := " (run the plan again to finish)"
		if s.canFinish() {
			again = " (enter finishes the run, with the same backup)"
		}
		line("not reached", plural(r.NotReached, "group", "groups")+st.Muted.Render(again))
	}
	if !r.FinishedAt.IsZero() && !r.StartedAt.IsZero() {
		line("took", duration(r.FinishedAt.Sub(r.StartedAt)))
	}
	if ps := r.Pauses.String(); ps != "" {
		line("paused", ps+st.Muted.Render(" (between batches, included in the time it took)"))
	}
	if s.kept != "" {
		again := ""
		if r.NotReached > 0 {
			again = st.Muted.Render(" (after a restart, the next scan of " + s.ns.String() + " by " + s.key.String() + " offers to finish the run)")
		}
		line("plan", s.kept+again)
	}
	b.WriteString("\n")
	// A backup that holds nothing (a run stopped before its first write) has nothing to undo.
	if r.BackupPath != "" && (r.Undo != "" || r.Deleted+r.Earlier > 0) {
		line("backup", r.BackupPath)
		if s.ctx.Cfg.Demo {
			line("restore", st.Muted.Render("demo data lives in memory: nothing to restore"))
		} else {
			// Not wrapped: the command is for copying. Long lines break with a shell "\".
			b.WriteString(st.Muted.Render("restore with") + "\n")
			b.WriteString(st.Code.Render(s.restoreCommand(r)) + "\n")
			if s.canOfferIndex() || s.ask != nil || s.built != "" {
				b.WriteString(st.Warn.Render(para("Once the unique index is built, a restore refuses every backed-up document "+
					"that duplicates a kept one (its dry run, without --yes, lists them).", s.w)) + "\n")
			}
		}
	}
	b.WriteString("\n")
	// The offer never enforces less than the scan found (model.OfferIndex): a trimmed scan, or
	// one that ignored case where no collation can, gets none; an ignore-case one gets this.
	exact := ""
	if s.key.IgnoreCase && s.offer.Key.Collation != nil {
		exact = " (with collation strength 2: it ignores case, as the scan did)"
	}
	switch {
	case s.built != "":
		how := "built"
		if s.builtHow != "" {
			how = s.builtHow + ":"
		}
		b.WriteString(st.OK.Render(para("✓ Unique index "+s.built+" "+how+" on "+s.ns.String()+": "+s.cannotComeBack()+".", s.w)) + "\n")
	case s.building:
		b.WriteString(s.build.view() + st.Muted.Render(" Building the unique index…") + "\n")
	case s.ask != nil:
		b.WriteString(st.Warn.Render(para(s.question(exact), s.w)) + "\n")
	case s.indexErr != nil:
		b.WriteString(st.Error.Render(para(model.SafeLines(s.indexErr.Error()), s.w)) + "\n")
		if t := s.fixText(); t != "" {
			b.WriteString(para(t, s.w) + "\n")
		}
	case s.offer.Refused != "" && s.rep.Deleted > 0:
		b.WriteString(st.Warn.Render(para("No unique index can be offered: "+s.offer.Refused+".", s.w)) + "\n")
	case s.canOfferIndex():
		b.WriteString(para("Press x to build the "+describeOffer(s.offer)+" now"+exact+
			", so these duplicates cannot come back: "+s.offer.Guarantee+
			". It fails, harmlessly, if duplicates remain (undecided or skipped groups).", s.w) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// remaining lists why duplicates may remain after the run, or nothing when none should.
func (s *doneScreen) remaining() []string {
	r := s.rep
	var out []string
	if s.undecided > 0 {
		out = append(out, plural(s.undecided, "group", "groups")+" left undecided")
	}
	if r.SkippedDocs > 0 {
		out = append(out, plural(r.SkippedDocs, "document", "documents")+" skipped ("+r.SkippedSummary()+")")
	}
	if r.FailedGroups > 0 {
		out = append(out, plural(r.FailedGroups, "group", "groups")+" failed")
	}
	if r.NotReached > 0 {
		out = append(out, plural(r.NotReached, "group", "groups")+" not reached")
	}
	return out
}

// restoreCommand is the command that puts the backup back: the run's undo line, which names
// the server (password as ****) and the namespace, broken with shell "\" for copying. A store
// that does not make one (the in-memory store) gets the same line made here.
func (s *doneScreen) restoreCommand(r model.Report) string {
	undo := r.Undo
	if undo == "" {
		uri := s.ctx.Cfg.URI
		if s.ctx.Cfg.Redact != nil {
			uri = s.ctx.Cfg.Redact(uri)
		}
		undo = model.UndoCommand(uri, r.NS, r.BackupPath)
	}
	undo = strings.Replace(undo, " --ns ", " \\\n    --ns ", 1)
	return "  " + strings.Replace(undo, " --backup ", " \\\n    --backup ", 1)
}

func (s *doneScreen) SetSize(w, h int) { s.w, s.h = w, h }
func (s *doneScreen) Typing() bool     { return false }
func (s *doneScreen) Busy() bool       { return false }
func (s *doneScreen) ShortHelp() []key.Binding {
	if s.ask != nil {
		return []key.Binding{s.keys.Yes} // any other key is no
	}
	return []key.Binding{s.keys.Open, s.keys.Index, s.keys.Back, s.keys.Help, s.keys.Quit}
}
func (s *doneScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *doneScreen) showsError() bool { return s.building }

// dropConfirmedMsg is the first yes to dropping the clashing index: the second is asked next.
type dropConfirmedMsg struct{}

// offerFix offers the fix of a clash with an existing non-unique index of the offered name:
// collMod where the store can try it, else (once the server said it cannot) drop and build.
func (s *doneScreen) offerFix(err error) {
	var clash *model.IndexExistsError
	if errors.As(err, &clash) {
		s.clash = clash.Name
	}
	_, fixer := s.ctx.Store.(IndexFixer)
	switch {
	case !fixer || s.ctx.Cfg.ReadOnly || s.clash == "":
		s.fix = fixNone
	case errors.Is(err, ErrCannotMakeUnique):
		s.fix = fixDrop
	case clash != nil:
		s.fix = fixCollMod
	default:
		s.fix = fixNone // the fix itself failed otherwise: its error says why
	}
}

// fixText says what x does about the clash.
func (s *doneScreen) fixText() string {
	switch s.fix {
	case fixCollMod:
		return "Press x to make " + s.clash + " unique in place (collMod: prepareUnique, then unique; MongoDB 6.0+). " +
			"It fails, changing nothing, if duplicates remain under it."
	case fixDrop, fixDropYes:
		return "Press x to drop " + s.clash + " and build the unique index in its place (asked twice: queries using " +
			s.clash + " go without an index until the new one is built)."
	}
	return ""
}

// question is the y/n the done screen asks.
func (s *doneScreen) question(exact string) string {
	switch s.fix {
	case fixCollMod:
		return "Make the existing index " + s.clash + " of " + s.ns.String() + " unique now? y/n"
	case fixDrop:
		return "Drop the index " + s.clash + " of " + s.ns.String() + " to build the unique one? y/n"
	case fixDropYes:
		return "Really drop " + s.clash + " now? It is gone once dropped; the unique index is built next. y/n"
	}
	return "Build the " + describeOffer(s.offer) + " of " + s.ns.String() + " now" + exact + "? y/n"
}

// cannotComeBack says what the built index guards: one group's duplicate, or several.
func (s *doneScreen) cannotComeBack() string {
	n := 0
	for _, g := range s.rep.Groups {
		if g.Deleted > 0 {
			n++
		}
	}
	if n == 1 {
		return "this duplicate cannot come back"
	}
	return "these duplicates cannot come back"
}
