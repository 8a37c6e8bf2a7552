package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// filterDebounce is how long typing must pause before the filter runs: each run walks every
// group (in a Cmd, off the UI's path), so one per pause rather than one per keystroke.
const filterDebounce = 150 * time.Millisecond

// filterTickMsg fires when typing paused; seq says which edit it belongs to.
type filterTickMsg struct{ seq int }

// openGroupsMsg opens the groups list on a session's groups (a scan's, as they arrive, or a
// saved plan's).
type openGroupsMsg struct{ sess *session }

func (openGroupsMsg) opens() screenID { return scrGroups }

// showGroupMsg asks the list to open the group at a position of it (n and p in the group view).
type showGroupMsg struct{ pos int }

// leaveGroupsMsg is the confirmed way back from the groups list with a plan pending.
type leaveGroupsMsg struct{}

func (showGroupMsg) target() screenID   { return scrGroups }
func (leaveGroupsMsg) target() screenID { return scrGroups }
func (keyFoundMsg) target() screenID    { return scrGroups }
func (filterTickMsg) target() screenID  { return scrGroups }
func (filterDoneMsg) target() screenID  { return scrGroups }
func (sortedMsg) target() screenID      { return scrGroups }
func (resortMsg) target() screenID      { return scrGroups }

// groupsScreen lists the groups: a summary line, one row per group (key values, members,
// decision), a filter on the key values. Work per key press is independent of the number of
// groups: only visible rows are rendered, counters are kept by the session, and the filter
// runs in a Cmd over a snapshot after a pause in typing, then incrementally on new batches.
type groupsScreen struct {
	ctx  *Context
	keys keymap.KeyMap
	sess *session

	ask       prompt  // the filter: live, applied after a pause in typing
	query     string  // the applied filter, lower case; "" = all groups
	hits      []int32 // groups matching query, when query != ""
	upto      int     // groups the hits cover
	seq       int
	filtering bool // a filter Cmd is running
	order     sortOrder
	sorted    []int32 // group indexes in display order while order != byKey (sort.go)
	sortSeq   int
	cursor    listCursor
	shape     shapePanel // groups_shape.go
	w, h      int
}

func newGroupsScreen(ctx *Context) *groupsScreen {
	s := &groupsScreen{ctx: ctx, ask: newPrompt(256)}
	s.setKeys()
	return s
}

func (s *groupsScreen) open(sess *session) {
	s.sess = sess
	s.cursor.setLen(s.len())
	s.setKeys()
}

func (s *groupsScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Open.SetHelp("enter", "open group")
	k.Missing.SetEnabled(s.sess != nil && len(s.sess.lacking) > 0)
	k.Sort.SetHelp("o", "sort: "+s.order.next().String())
	if s.sess != nil && s.sess.deleteMissing {
		k.Missing.SetHelp("m", "leave documents lacking the key alone")
	}
	if s.ctx.Cfg.ReadOnly {
		k.Review.SetHelp("D", "review plan")
	}
	k.Shape.SetEnabled(s.shape.have)
	switch {
	case s.shape.focus:
		k.Open.SetHelp("enter", "show these groups")
		k.Back.SetHelp("esc", "back to the list")
		k.Shape.SetHelp("tab", "back to the list")
	case s.ask.open():
		k.Open.SetHelp("enter", "keep filter")
		k.Back.SetHelp("esc", "clear filter")
	case s.query != "" || s.shape.filter != nil:
		k.Back.SetHelp("esc", "clear filter")
	case s.shape.measuring:
		k.Back.SetHelp("esc", "stop measuring the shape")
	default:
		k.Back.SetHelp("esc", "back to key")
	}
}

// len is the number of rows shown (filtered or not).
func (s *groupsScreen) len() int {
	if s.shape.filter != nil {
		return len(s.shape.shown)
	}
	if s.query != "" {
		return len(s.hits)
	}
	return len(s.sess.groups)
}

// at is the group index at a list position: in the sort's order once it is computed (groups
// that arrived since follow, unsorted), else unfiltered, the groups lacking the key first
// (flagged), then the others in scan order.
func (s *groupsScreen) at(pos int) int {
	if pos < len(s.sorted) {
		return int(s.sorted[pos])
	}
	return s.base(pos)
}

// showGroup puts the cursor on the row of group gi, if the list shows it.
func (s *groupsScreen) showGroup(gi int) {
	for pos := range s.len() {
		if s.at(pos) == gi {
			s.cursor.moveTo(pos)
			return
		}
	}
}

// base is the group index at a position of the unsorted list.
func (s *groupsScreen) base(pos int) int {
	if s.shape.filter != nil {
		return int(s.shape.shown[pos])
	}
	if s.query != "" {
		return int(s.hits[pos])
	}
	lack := s.sess.lacking
	if pos < len(lack) {
		return int(lack[pos])
	}
	// The pos-len(lack)'th group that does not lack the key: step over the lacking ones
	// before it (a handful at most: one per all-null key).
	gi := pos - len(lack)
	for _, l := range lack {
		if int(l) <= gi {
			gi++
		}
	}
	return gi
}

func (s *groupsScreen) Update(msg tea.Msg) tea.Cmd {
	cmd := s.update(msg)
	s.fitList()
	return cmd
}

func (s *groupsScreen) update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(openGroupsMsg); ok {
		s.open(m.sess)
		return s.startShape()
	}
	if s.sess == nil {
		return nil
	}
	if cmd, ok := s.shapeUpdate(msg); ok {
		s.setKeys()
		return cmd
	}
	switch msg := msg.(type) {
	case keyFoundMsg:
		if msg.id == s.sess.id && msg.gi >= 0 {
			s.showGroup(msg.gi)
		}
	case showGroupMsg:
		if msg.pos >= 0 && msg.pos < s.len() {
			s.cursor.moveTo(msg.pos)
			return s.openGroup()
		}
	case ruleChosenMsg:
		if msg.none {
			return s.clearRule()
		}
		return s.applyRule(msg.rule)
	case keepersMsg:
		return s.onKeepers(msg)
	case leaveGroupsMsg:
		s.sess.dropped = true // left on purpose: nothing pending any more
		return s.leave()
	case groupsMsg:
		if s.query != "" && !s.filtering {
			// New groups are filtered as they arrive: work proportional to the batch only.
			n := len(s.sess.groups)
			s.hits = filterGroups(s.sess.groups[s.upto:n], s.upto, s.query, s.hits)
			s.upto = n
		}
		s.cursor.setLen(s.len())
		s.setKeys() // m appears with the first group lacking the key
		if msg.done {
			return tea.Batch(s.startShape(), s.resort())
		}
	case resortMsg:
		return s.resort()
	case sortedMsg:
		if msg.seq == s.sortSeq {
			s.sorted = msg.rows
		}
	case filterTickMsg:
		if msg.seq != s.seq {
			return nil // typing went on: a later tick will run it
		}
		q := strings.ToLower(s.ask.value())
		if q == "" {
			s.query, s.hits, s.filtering = "", nil, false
			s.refilter()
			s.cursor.setLen(s.len())
			return s.resort()
		}
		s.filtering = true
		return filterCmd(msg.seq, q, s.sess.groups[:len(s.sess.groups):len(s.sess.groups)])
	case filterDoneMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.filtering = false
		s.query, s.hits, s.upto = msg.query, msg.hits, msg.upto
		// Groups that arrived while the filter ran.
		n := len(s.sess.groups)
		s.hits = filterGroups(s.sess.groups[s.upto:n], s.upto, s.query, s.hits)
		s.upto = n
		s.refilter()
		s.cursor = listCursor{h: s.cursor.h}
		s.cursor.setLen(s.len())
		return s.resort()
	case tea.MouseMsg:
		s.cursor.navigate(msg, s.keys)
	case tea.KeyMsg:
		if s.ask.open() {
			cmd := s.ask.update(msg, s.keys)
			s.setKeys()
			return cmd
		}
		if s.cursor.navigate(msg, s.keys) {
			return nil
		}
		switch {
		case key.Matches(msg, s.keys.Filter):
			// enter keeps the filter (it applies as typing pauses), esc clears it.
			cmd := s.ask.ask("", "/ ", "key value contains…", s.ask.input.Value(), nil, nil)
			s.ask.change = s.filterChanged
			s.ask.cancel = func() tea.Cmd { s.clearFilter(); return nil }
			s.setKeys()
			return cmd
		case key.Matches(msg, s.keys.Back):
			if s.query != "" || s.ask.input.Value() != "" || s.shape.filter != nil {
				s.clearFilter()
				return nil
			}
			if s.shape.measuring {
				s.shape.stopped = true
				s.stopShape()
				return nil
			}
			if s.sess.pending() {
				// Going back to the key screen drops the decisions: asked first, as q does.
				return s.ctx.intent(askMsg{action: leaveGroupsMsg{}, question: fmt.Sprintf(
					"A plan for %s is not executed. Leave the groups and lose it? y/n (w on the review saves it)", plural(s.sess.decided(), "group", "groups"))})
			}
			return s.leave()
		case key.Matches(msg, s.keys.Open):
			if s.cursor.n > 0 {
				return s.openGroup()
			}
		case key.Matches(msg, s.keys.Rules):
			return s.ctx.intent(openRulesMsg{fields: s.sess.flds, suggest: s.suggested()})
		case key.Matches(msg, s.keys.Review):
			return s.ctx.intent(openReviewMsg{sess: s.sess})
		case key.Matches(msg, s.keys.Missing):
			s.sess.setMissing(!s.sess.deleteMissing)
			s.setKeys()
			if s.sess.deleteMissing {
				return s.ctx.intent(statusMsg("Documents lacking " + s.sess.key.String() + " are included: the rule decides them like any group."))
			}
			return s.ctx.intent(statusMsg("Documents lacking " + s.sess.key.String() + " are left alone."))
		case key.Matches(msg, s.keys.Skip):
			if s.cursor.n > 0 {
				return s.sess.skipGroup(s.at(s.cursor.pos))
			}
		case key.Matches(msg, s.keys.Undo):
			if s.cursor.n > 0 {
				return s.sess.undoGroup(s.at(s.cursor.pos))
			}
		case key.Matches(msg, s.keys.Sort):
			s.order = s.order.next()
			s.setKeys()
			return s.resort()
		case key.Matches(msg, s.keys.Shape):
			s.shape.focus = true
			s.setKeys()
		}
	}
	return nil
}

// openGroup opens the group under the cursor.
func (s *groupsScreen) openGroup() tea.Cmd {
	pos := s.cursor.pos
	return s.ctx.intent(openGroupMsg{sess: s.sess, pos: pos, gi: s.at(pos), total: s.len()})
}

// leave goes back to the key screen; a scan still running is stopped.
func (s *groupsScreen) leave() tea.Cmd {
	s.stopShape()
	if s.sess.scanning {
		s.sess.cancel()
	}
	return s.ctx.intent(backMsg{})
}

func (s *groupsScreen) clearFilter() {
	s.seq++
	s.ask.input.SetValue("")
	s.ask.close()
	s.query, s.hits, s.filtering = "", nil, false
	s.shape.filter, s.shape.shown = nil, nil
	s.cursor.setLen(s.len())
	s.setKeys()
	s.sorted = nil // the sort of the filtered list no longer applies
	if s.order != byKey {
		s.ctx.intent(resortMsg{})
	}
}

// shownGroups is the group indexes the list shows when a filter narrows it (a copy, for a
// Cmd), nil when it shows every group: what a rule applies to.
func (s *groupsScreen) shownGroups() []int32 {
	switch {
	case s.shape.filter != nil:
		return append([]int32{}, s.shape.shown...)
	case s.query != "":
		return append([]int32(nil), s.hits...)
	}
	return nil
}

// filterChanged schedules the filter for when typing pauses.
func (s *groupsScreen) filterChanged(string) tea.Cmd {
	s.seq++
	seq := s.seq
	return tea.Tick(filterDebounce, func(time.Time) tea.Msg { return filterTickMsg{seq: seq} })
}

func (s *groupsScreen) View() string {
	if s.sess == nil {
		return ""
	}
	st := s.ctx.Styles
	ss := s.sess
	var b strings.Builder

	// Summary: groups, surplus, share of the collection. The surplus is the planner's, which
	// counts a document in several groups (array keys) once, and leaves out the documents
	// lacking the key unless they are included (m).
	cur := ss.summary()
	surplus, _ := ss.surplusShown()
	cur.Surplus = surplus
	sum := plural(cur.Groups, "group", "groups") + " · " + plural(surplus, "surplus document", "surplus documents")
	if share := cur.Share(ss.col.Count); share >= 0 {
		sum += fmt.Sprintf(" (%.1f%% of ~%s)", share*100, count(ss.col.Count))
	}
	sum += " · " + ss.key.Semantics()
	if ss.scanning {
		sum += st.Warn.Render(" · scanning…")
	} else if ss.scanErr != nil {
		sum += st.Error.Render(" · scan incomplete: " + model.SafeText(ss.scanErr.Error()))
	}
	b.WriteString(fit(sum, s.w) + "\n")
	rule := "rule: none"
	if ss.ruleSet {
		rule = "rule: " + ss.rule.String()
	}
	del := "…"
	if ss.previewed == ss.previewSeq && !ss.scanning {
		del = count(int64(ss.preview.Deletes()))
	}
	dec := fmt.Sprintf("%s · decided %s (%s by hand) · skipped %s · undecided %s · delete %s",
		rule, count(int64(ss.decidedShown())), count(int64(ss.nHand)), count(int64(ss.nSkip)), count(int64(ss.undecidedShown())), del)
	b.WriteString(st.Muted.Render(fit(dec, s.w)) + "\n")
	if n := ss.lackingDocs(); n > 0 {
		note := fmt.Sprintf("%s %s lack %s: left alone, not surplus · m includes them", lacksMark, plural(n, "document", "documents"), ss.key)
		if ss.deleteMissing {
			note = fmt.Sprintf("%s %s lacking %s are included: rules decide them like duplicates · m leaves them alone", lacksMark, plural(n, "document", "documents"), ss.key)
		}
		b.WriteString(st.Warn.Render(fit(note, s.w)) + "\n")
	}
	if panel := s.shapeView(); panel != "" {
		b.WriteString(panel + "\n")
	}

	switch {
	case s.ask.open() || s.ask.input.Value() != "":
		line := s.ask.input.View()
		if s.filtering {
			line += st.Muted.Render("  filtering…")
		} else if s.query != "" && s.shape.filter == nil {
			line += st.Muted.Render(fmt.Sprintf("  %s of %s", count(int64(len(s.hits))), count(int64(ss.sum.Groups))))
		}
		if s.shape.filter != nil {
			line += st.Muted.Render("  · " + s.shapeFilterText())
		}
		b.WriteString(line + "\n")
	case s.shape.filter != nil:
		b.WriteString(st.Muted.Render(fit(s.shapeFilterText(), s.w)) + "\n")
	default:
		b.WriteString("\n")
	}

	cntW, decW := 7, 18
	keyW := min(max(s.w-cntW-decW-6, 10), 64)
	head := "  " + fit("KEY "+ss.key.String()+" · sorted by "+s.order.String(), keyW) + fmt.Sprintf(" %*s  %s", cntW, "DOCS", "DECISION")
	b.WriteString(st.List.Header.Render(fit(head, s.w)) + "\n")
	if s.cursor.n == 0 {
		switch {
		case s.query != "" || s.shape.filter != nil:
			b.WriteString(st.Muted.Render("  No group matches the filter. esc clears it."))
		case ss.scanning:
			b.WriteString(st.Muted.Render("  No duplicates yet…"))
		case ss.key.WholeDocument:
			// No unique index holds a whole document: nothing can be promised about later writes.
			b.WriteString(st.OK.Render("  No duplicates: no two documents are equal in every field compared."))
		default:
			b.WriteString(st.OK.Render("  No duplicates: a unique index on " + ss.key.String() + " can be built as things stand."))
		}
		return b.String()
	}
	from, to := s.cursor.window()
	for pos := from; pos < to; pos++ {
		gi := s.at(pos)
		g := ss.groups[gi]
		d := st.Decision.Undecided.Render("undecided")
		switch ss.how[gi] {
		case byRule:
			d = st.Decision.Rule.Render(fmt.Sprintf("rule: keep #%d", ss.keep[gi]+1))
		case byHand:
			d = st.Decision.Hand.Render(fmt.Sprintf("hand: keep #%d", ss.keep[gi]+1))
		case skipped:
			d = st.Muted.Render("skipped (s)")
		}
		label := keyText(g)
		if g.LacksKey() {
			label = fmt.Sprintf("%s %s lack %s", lacksMark, plural(g.Count(), "document", "documents"), ss.key)
			if !ss.deleteMissing && ss.how[gi] != skipped {
				d = st.Warn.Render("left alone (m)")
			}
		}
		// Padded in cells (fit), not by fmt, which counts runes: a CJK or emoji key would
		// push the member count out of its column.
		text := fit(label, keyW) + fmt.Sprintf(" %*d  ", cntW, g.Count())
		b.WriteString(s.ctx.row(text, pos == s.cursor.pos, keyW+cntW+5) + d + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *groupsScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	s.ask.setWidth(w - 28) // room for "12 of 1,000,000" after it
	s.fitList()
}

// fitList gives the list the lines the summary, the shape panel and the filter leave.
func (s *groupsScreen) fitList() {
	s.cursor.setHeight(s.h - 5 - s.layoutShape(s.w, s.h)) // summary, decisions, lacking note, filter, header
	s.setKeys()
}
func (s *groupsScreen) Typing() bool { return s.ask.open() }
func (s *groupsScreen) Busy() bool   { return false }
func (s *groupsScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.ask.open() {
		return []key.Binding{k.Open, k.Back}
	}
	if s.shape.focus {
		return []key.Binding{k.Up, k.Down, k.Open, k.Back, k.Shape}
	}
	// What matters most first: the footer drops keys from the end when it is narrow.
	return []key.Binding{k.Open, k.Rules, k.Review, k.Filter, k.Shape, k.Skip, k.Undo, k.Sort, k.Missing, k.Back, k.Up, k.Down, k.Quit}
}
func (s *groupsScreen) FullHelp() [][]key.Binding {
	k := s.keys
	if s.ask.open() || s.shape.focus {
		return [][]key.Binding{s.ShortHelp()}
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Filter, k.Shape, k.Sort, k.Back}, {k.Rules, k.Skip, k.Undo, k.Missing, k.Review}, {k.Help, k.Quit}}
}
