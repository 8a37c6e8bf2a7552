package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// minColumn is the narrowest member column of the side-by-side layout; below it members stack.
const minColumn = 18

// foldLines is how many lines a long value may take in the stacked layout before it is folded.
const foldLines = 3

// groupScreen shows one group's members: side by side when they fit, stacked otherwise; fields
// that differ highlighted, fields equal in every member dimmed; the keeper marked. space keeps
// the member under the cursor; n/p move through the groups list.
type groupScreen struct {
	ctx     *Context
	keys    keymap.KeyMap
	sess    *session
	pos, gi int // list position and group index
	total   int // rows of the groups list, for "3 of 120"
	docs    []model.Doc
	gone    []bool // member no longer in the collection
	rows    []model.DiffRow
	call    activity
	fetch   int // counts fetches, so a refetched group is laid out again
	lay     *groupLayout
	focus   int
	scroll  int
	diffs   bool // d: only the fields that differ
	mp      mergePreview
	w, h    int
}

// openGroupMsg opens the group view on the group at list position pos (group index gi) of a
// list of total rows; an open group view takes it in place (n and p).
type openGroupMsg struct {
	sess           *session
	pos, gi, total int
}

func (openGroupMsg) opens() screenID     { return scrGroup }
func (docsMsg) target() screenID         { return scrGroup }
func (mergePreviewMsg) target() screenID { return scrGroup }

func newGroupScreen(ctx *Context) *groupScreen {
	s := &groupScreen{ctx: ctx, call: newActivity()}
	s.setKeys()
	return s
}

func (s *groupScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Up.SetHelp("↑/k", "scroll")
	k.Down.SetHelp("↓/j", "scroll")
	k.Back.SetHelp("esc", "groups")
	k.Prev.SetEnabled(s.pos > 0)
	k.Next.SetEnabled(s.pos < s.total-1)
	loaded := !s.call.on && len(s.docs) > 0
	k.Keep.SetEnabled(loaded)
	k.ViewDoc.SetEnabled(loaded)
	k.DiffOnly.SetEnabled(loaded)
	if s.diffs {
		k.DiffOnly.SetHelp("d", "show all fields")
	} else {
		k.DiffOnly.SetHelp("d", "differing fields only")
	}
	k.Undo.SetEnabled(s.sess != nil && s.sess.hkeep[s.gi] != noKeeper)
	k.Merge.SetEnabled(loaded)
	switch {
	case s.sess == nil || s.sess.merge == nil:
		k.Merge.SetHelp("M", "merge into keeper")
	case !s.sess.merge.Arrays:
		k.Merge.SetHelp("M", "merge arrays too")
	default:
		k.Merge.SetHelp("M", "merge off")
	}
}

// open shows the group at list position pos (group index gi) and fetches its documents.
func (s *groupScreen) open(msg openGroupMsg) tea.Cmd {
	sess, gi := msg.sess, msg.gi
	s.sess, s.pos, s.gi, s.total = sess, msg.pos, gi, msg.total
	s.docs, s.rows, s.gone, s.scroll, s.lay = nil, nil, nil, 0, nil
	s.focus = 0
	if sess.decidedAt(gi) {
		s.focus = int(sess.keep[gi]) // opening a group shows its keeper (showFocus, once laid out)
	}
	ctx, tick := s.call.start(s.ctx.base)
	s.setKeys()
	return tea.Batch(tick, docsCmd(ctx, s.ctx.Store, sess.ns, gi, append([]model.Value(nil), sess.groups[gi].IDs...)))
}

func (s *groupScreen) Update(msg tea.Msg) tea.Cmd {
	cmd := s.update(msg)
	if pm, ok := msg.(mergePreviewMsg); ok {
		s.onMergePreview(pm)
	}
	// Whatever changed the keeper (space, s, u, a fetch) asks for its merged version again.
	if p := s.previewMerge(); p != nil {
		cmd = tea.Batch(cmd, p)
	}
	s.relayout()
	return cmd
}

func (s *groupScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openGroupMsg:
		return s.open(msg)
	case spinner.TickMsg:
		return s.call.tick(msg)
	case ErrorMsg:
		s.call.stop()
		s.setKeys()
	case docsMsg:
		if s.sess == nil || msg.group != s.gi || !s.call.on {
			return nil
		}
		s.call.stop()
		s.sess.saw(msg.docs) // the versions the user sees are the ones the plan records
		s.setDocs(msg.docs)
		s.setKeys()
		s.relayout()
		s.showFocus()
	case tea.MouseMsg:
		s.scroll = max(s.scroll+3*wheel(msg), 0)
		s.relayout()
		s.followScroll()
	case tea.KeyMsg:
		k := s.keys
		if s.call.on && !key.Matches(msg, k.Back) {
			return nil // the root holds keys while the documents load
		}
		switch {
		case key.Matches(msg, k.Back):
			s.call.abort()
			return s.ctx.intent(backMsg{})
		case scrollKey(msg, k, s.room(), s.scrollBy):
		case key.Matches(msg, k.DiffOnly):
			s.diffs = !s.diffs
			s.setKeys()
			s.relayout()
			s.showFocus()
		case key.Matches(msg, k.ViewDoc):
			if s.docs != nil {
				d := s.docs[s.focus]
				title := fmt.Sprintf("Member #%d of group %s", s.focus+1, keyText(s.sess.groups[s.gi]))
				return s.ctx.intent(openDocMsg{doc: d, title: title})
			}
		case key.Matches(msg, k.Skip):
			cmd := s.sess.skipGroup(s.gi)
			s.setKeys()
			return cmd
		case key.Matches(msg, k.Undo):
			cmd := s.sess.undoGroup(s.gi)
			s.setKeys()
			return cmd
		case key.Matches(msg, k.Left):
			s.focus = max(s.focus-1, 0)
			s.showFocus()
		case key.Matches(msg, k.Right):
			if s.sess != nil {
				s.focus = min(s.focus+1, s.sess.groups[s.gi].Count()-1)
				s.showFocus()
			}
		case key.Matches(msg, k.Keep):
			if s.docs == nil {
				return nil
			}
			if s.gone[s.focus] {
				return func() tea.Msg {
					return statusMsg("That document is gone from the collection: keep another one.")
				}
			}
			s.sess.decide(s.gi, s.focus, byHand)
			s.setKeys()
			if s.sess.how[s.gi] == skipped {
				return func() tea.Msg { return statusMsg("Kept by hand, but the group is skipped: s takes the skip back.") }
			}
		case key.Matches(msg, k.Next):
			return s.ctx.intent(showGroupMsg{pos: s.pos + 1})
		case key.Matches(msg, k.Prev):
			return s.ctx.intent(showGroupMsg{pos: s.pos - 1})
		case key.Matches(msg, k.Rules):
			return s.ctx.intent(openRulesMsg{fields: s.sess.flds})
		case key.Matches(msg, k.Review):
			return s.ctx.intent(openReviewMsg{sess: s.sess})
		case key.Matches(msg, k.Merge):
			return s.toggleMerge()
		}
	}
	return nil
}

// setDocs lines the fetched documents up with the group's members; a member deleted since the
// scan gets an empty column marked gone.
func (s *groupScreen) setDocs(found []model.Doc) {
	g := s.sess.groups[s.gi]
	byID := make(map[model.Value]model.Doc, len(found))
	for _, d := range found {
		byID[d.ID] = d
	}
	s.docs = make([]model.Doc, len(g.IDs))
	s.gone = make([]bool, len(g.IDs))
	for i, id := range g.IDs {
		d, ok := byID[id]
		if !ok {
			d = model.Doc{ID: id}
			s.gone[i] = true
		}
		s.docs[i] = d
	}
	s.rows = model.Diff(s.docs)
	s.fetch++
}

func (s *groupScreen) View() string {
	if s.sess == nil {
		return ""
	}
	st := s.ctx.Styles
	g := s.sess.groups[s.gi]
	var b strings.Builder
	title := fmt.Sprintf("Group %s of %s", count(int64(s.pos+1)), count(int64(s.total)))
	b.WriteString(st.Title.Render(title) + "  " + st.Muted.Render(s.sess.key.String()+" = ") + st.Bold.Render(fit(keyText(g), max(s.w-40, 10))) + "\n")
	legend := st.Group.Diff.Render("≠ differs") + st.Muted.Render(" · ") + st.Group.Same.Render("same in all") + st.Muted.Render(memberCount(g.Count()))
	if g.LacksKey() && !s.sess.deleteMissing {
		legend += st.Warn.Render(fmt.Sprintf("  %s these documents lack %s: left alone (m on the groups list includes them)", lacksMark, s.sess.key))
	}
	b.WriteString(fit(legend, s.w) + "\n")
	for _, l := range s.mergeLines() {
		b.WriteString(l + "\n")
	}
	lay := s.lay
	if s.call.on || lay == nil {
		b.WriteString("\n" + s.call.view() + st.Muted.Render(" Reading the documents…"))
		return b.String()
	}
	from, to := s.window()
	if lay.side {
		// The members' header row stays on top, so the cursor (›) never scrolls away.
		b.WriteString(s.headerRowView() + "\n")
	}
	for i := from; i < to; i++ {
		h := lay.hdr[i]
		if i == from && !lay.side && s.focusAbove(from) {
			h = int32(s.focus) // the focused member's header, pinned while its fields scroll by
		}
		switch {
		case h >= 0:
			d := s.docs[h]
			line := s.header(int(h)) + "  " + st.Bold.Render(oneLine(d.ID.Display()))
			if c := created(d.ID); c != "" {
				line += "  " + st.Muted.Render(c)
			}
			b.WriteString(fit(line, s.w))
		default:
			b.WriteString(lay.lines[i])
		}
		if i < to-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// headerRowView is the side-by-side members' header line.
func (s *groupScreen) headerRowView() string {
	var hdr strings.Builder
	hdr.WriteString(fit("", s.lay.pathW+3))
	for m := range s.docs {
		hdr.WriteString(fit(s.header(m), s.lay.colW) + " ")
	}
	return hdr.String()
}

// room is how many scrolling body lines fit under the title and legend (and the pinned
// header row, side by side).
func (s *groupScreen) room() int {
	top := 2 + len(s.mergeLines())
	if s.lay != nil && s.lay.side {
		top++
	}
	return max(s.h-top, 1)
}

// first is the first scrolling line: side by side, line 0 is the pinned header row.
func (s *groupScreen) first() int {
	if s.lay != nil && s.lay.side {
		return 1
	}
	return 0
}

// window is the range of layout lines shown.
func (s *groupScreen) window() (from, to int) {
	n := len(s.lay.lines)
	from = s.first() + min(s.scroll, max(n-s.first()-s.room(), 0))
	return from, min(from+s.room(), n)
}

// scrollBy scrolls the body; in the stacked layout the cursor follows onto a member shown.
func (s *groupScreen) scrollBy(d int) {
	s.scroll = max(s.scroll+d, 0)
	s.relayout()
	s.followScroll()
}

// followScroll keeps the cursor on screen after a scroll: stacked, it moves to the first
// member whose header is shown, or, when one member's fields fill the screen, to that member.
func (s *groupScreen) followScroll() {
	if s.lay == nil || s.lay.side {
		return
	}
	from, to := s.window()
	if st := s.lay.starts[s.focus]; st >= from && st < to {
		return
	}
	for m, st := range s.lay.starts {
		if st >= from && st < to {
			s.focus = m
			return
		}
	}
	for m, st := range s.lay.starts {
		if st <= from {
			s.focus = m
		}
	}
}

// focusAbove reports the focused member's header scrolled above the window (its fields fill
// the screen): View pins it on the first line.
func (s *groupScreen) focusAbove(from int) bool {
	return s.lay != nil && !s.lay.side && s.focus < len(s.lay.starts) && s.lay.starts[s.focus] < from
}

// relayout rebuilds the cached layout when what it depends on changed, and keeps the scroll
// inside it. Called from Update only.
func (s *groupScreen) relayout() {
	if s.sess == nil || s.call.on || s.docs == nil {
		return
	}
	k := layoutKey{gi: s.gi, w: s.w, fetch: s.fetch, diffs: s.diffs}
	if s.lay == nil || s.lay.key != k {
		rows := s.rows
		if s.diffs {
			rows = differing(s.rows)
		}
		s.lay = buildLayout(s.ctx.Styles, k, s.docs, rows)
	}
	s.scroll = min(s.scroll, max(len(s.lay.lines)-s.first()-s.room(), 0))
}

// gutter marks a differing field with ≠, so the diff reads without colour too.
func gutter(r model.DiffRow) string {
	if r.Same {
		return "  "
	}
	return "≠ "
}

// header is a member's label: number, keeper or delete mark, focus.
func (s *groupScreen) header(i int) string {
	st := s.ctx.Styles
	label := fmt.Sprintf("#%d", i+1)
	gi := s.gi
	switch {
	case s.gone[i]:
		label += " (gone)"
	case s.sess.decidedAt(gi) && int(s.sess.keep[gi]) == i:
		label = st.Group.Keep.Render(label + " ★ keep")
	case s.sess.decidedAt(gi):
		label = st.Group.Member.Render(label + " ✗ delete")
	}
	if i == s.focus {
		return "›" + label
	}
	return " " + label
}

// created is the ObjectId's creation time, or "".
func created(id model.Value) string {
	if t, ok := id.ObjectIDTime(); ok {
		return "created " + t.Format("2006-01-02 15:04Z")
	}
	return ""
}

// shown is a value cut to w cells in its one display form, mongosh's, at every width (a
// bare hex in one group and ObjectId('…') in the next read as different types). An ObjectId
// keeps its wrapper and the end of its hex, the part that tells ids made one after another
// apart; anything else keeps both ends when that is all that fits, else its start.
func shown(v model.Value, w int) string {
	d := oneLine(v.Display())
	if ansi.StringWidth(d) <= w {
		return d
	}
	const wrap = len("ObjectId('…')") - len("…") + 1 // the wrapper and the ellipsis, in cells
	if hex, ok := oidHex(v); ok && w >= wrap+4 {
		return "ObjectId('…" + hex[len(hex)-(w-wrap):] + "')"
	}
	if _, ok := oidHex(v); ok {
		return strings.TrimRight(fitMiddle(d, w), " ")
	}
	return ansi.Truncate(d, w, "…")
}

// showFocus scrolls the stacked layout to the member under the cursor.
func (s *groupScreen) showFocus() {
	if s.lay == nil || s.lay.side {
		return
	}
	s.scroll = s.lay.starts[s.focus]
	s.relayout() // clamps the scroll
}

// differing keeps the _id row and the rows whose values differ between members.
func differing(rows []model.DiffRow) []model.DiffRow {
	out := make([]model.DiffRow, 0, len(rows))
	for _, r := range rows {
		if !r.Same || r.Path == "_id" {
			out = append(out, r)
		}
	}
	return out
}

func (s *groupScreen) SetSize(w, h int) { s.w, s.h = w, h; s.relayout() }
func (s *groupScreen) Typing() bool     { return false }
func (s *groupScreen) Busy() bool       { return s.call.on }
func (s *groupScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Left, k.Right, k.Keep, k.Next, k.Prev, k.Skip, k.Undo, k.DiffOnly, k.ViewDoc, k.Merge, k.Rules, k.Review, k.Back, k.Help}
}
func (s *groupScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Left, k.Right, k.Keep, k.Skip, k.Undo},
		{k.DiffOnly, k.ViewDoc, k.Merge, k.Next, k.Prev, k.Back}, {k.Rules, k.Review, k.Help, k.Quit}}
}
