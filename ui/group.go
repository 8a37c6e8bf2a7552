package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
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
	loading bool
	focus   int
	scroll  int
	w, h    int
}

func newGroupScreen(ctx *Context) *groupScreen {
	s := &groupScreen{ctx: ctx}
	s.setKeys()
	return s
}

func (s *groupScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	keymap.Disable(&k.Open, &k.Filter, &k.Select, &k.Save, &k.Copy, &k.Retry, &k.Reload, &k.Browse,
		&k.Case, &k.Trim, &k.Query, &k.Paste, &k.Index, &k.PageUp, &k.PageDown)
	k.Up.SetHelp("↑/k", "scroll")
	k.Down.SetHelp("↓/j", "scroll")
	k.Back.SetHelp("esc", "groups")
	k.Prev.SetEnabled(s.pos > 0)
	k.Next.SetEnabled(s.pos < s.total-1)
	k.Keep.SetEnabled(!s.loading && len(s.docs) > 0)
}

// open shows the group at list position pos (group index gi) and fetches its documents.
func (s *groupScreen) open(sess *session, pos, gi, total int) tea.Cmd {
	s.sess, s.pos, s.gi, s.total = sess, pos, gi, total
	s.docs, s.rows, s.gone, s.loading, s.scroll = nil, nil, nil, true, 0
	s.focus = 0
	if sess.how[gi] != undecided {
		s.focus = int(sess.keep[gi])
	}
	s.setKeys()
	return docsCmd(s.ctx.Store, sess.ns, gi, append([]model.Value(nil), sess.groups[gi].IDs...))
}

func (s *groupScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case docsMsg:
		if s.sess == nil || msg.group != s.gi {
			return nil
		}
		s.loading = false
		s.setDocs(msg.docs)
		s.setKeys()
	case tea.MouseMsg:
		s.scroll = max(s.scroll+3*wheel(msg), 0)
	case tea.KeyMsg:
		k := s.keys
		switch {
		case key.Matches(msg, k.Back):
			return s.ctx.intent(backMsg{})
		case key.Matches(msg, k.Up):
			s.scroll = max(s.scroll-1, 0)
		case key.Matches(msg, k.Down):
			s.scroll++
		case key.Matches(msg, k.Top):
			s.scroll = 0
		case key.Matches(msg, k.Bottom):
			s.scroll = 1 << 30
		case key.Matches(msg, k.Left):
			s.focus = max(s.focus-1, 0)
			s.showFocus()
		case key.Matches(msg, k.Right):
			if s.sess != nil {
				s.focus = min(s.focus+1, s.sess.groups[s.gi].Count()-1)
				s.showFocus()
			}
		case key.Matches(msg, k.Keep):
			if s.gone[s.focus] {
				return func() tea.Msg {
					return statusMsg("That document is gone from the collection: keep another one.")
				}
			}
			s.sess.decide(s.gi, s.focus, byHand)
		case key.Matches(msg, k.Next):
			pos := s.pos + 1
			return s.ctx.intent(openGroupMsg{pos: pos})
		case key.Matches(msg, k.Prev):
			pos := s.pos - 1
			return s.ctx.intent(openGroupMsg{pos: pos})
		case key.Matches(msg, k.Rules):
			return s.ctx.intent(openRulesMsg{})
		case key.Matches(msg, k.Review):
			return s.ctx.intent(reviewMsg{})
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
	legend := st.Group.Diff.Render("≠ differs") + st.Muted.Render(" · ") + st.Group.Same.Render("same in all") + st.Muted.Render(fmt.Sprintf(" · %d members", g.Count()))
	if g.LacksKey() && !s.sess.deleteMissing {
		legend += st.Warn.Render(fmt.Sprintf("  %s these documents lack %s: left alone (m on the groups list includes them)", lacksMark, s.sess.key))
	}
	b.WriteString(fit(legend, s.w) + "\n")
	if s.loading {
		b.WriteString("\n" + st.Muted.Render("Reading the documents…"))
		return b.String()
	}
	var lines []string
	if layoutSideBySide(s.w, g.Count(), s.pathWidth()) {
		lines = s.sideBySide()
	} else {
		lines = s.stacked()
	}
	room := max(s.h-2, 1)
	s.scroll = min(s.scroll, max(len(lines)-room, 0))
	end := min(s.scroll+room, len(lines))
	b.WriteString(strings.Join(lines[s.scroll:end], "\n"))
	return b.String()
}

func (s *groupScreen) pathWidth() int {
	w := 6
	for _, r := range s.rows {
		w = max(w, lipgloss.Width(model.DisplayPath(r.Path)))
	}
	return min(w, 24)
}

// layoutSideBySide reports whether n member columns of at least minColumn fit beside paths.
func layoutSideBySide(w, n, pathW int) bool {
	return (w-pathW-3)/max(n, 1)-1 >= minColumn
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
	case s.sess.how[gi] != undecided && int(s.sess.keep[gi]) == i:
		label = st.Group.Keep.Render(label + " ★ keep")
	case s.sess.how[gi] != undecided:
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

// shown is a value as it fits a column: mongosh's form, or a shorter one (the bare ObjectId
// hex, the date without its wrapper) when that does not fit.
func shown(v model.Value, w int) string {
	d := oneLine(v.Display())
	if len(d) <= w {
		return d
	}
	switch {
	case strings.HasPrefix(d, "ObjectId('"):
		return strings.TrimSuffix(strings.TrimPrefix(d, "ObjectId('"), "')")
	case strings.HasPrefix(d, "ISODate('"):
		t := strings.TrimSuffix(strings.TrimPrefix(d, "ISODate('"), "')")
		return strings.Replace(strings.TrimSuffix(t, ".000Z"), "T", " ", 1)
	}
	return d
}

func (s *groupScreen) cell(r model.DiffRow, v model.Value, w int) string {
	st := s.ctx.Styles
	text := fit(shown(v, w), w)
	if v == model.Missing {
		text = fit("—", w)
	}
	if r.Same {
		return st.Group.Same.Render(text)
	}
	return st.Group.Diff.Render(text)
}

func (s *groupScreen) sideBySide() []string {
	st := s.ctx.Styles
	n := len(s.docs)
	pathW := s.pathWidth()
	colW := (s.w-pathW-3)/n - 1
	var lines []string
	var hdr, ids, times strings.Builder
	hdr.WriteString(fit("", pathW+3))
	ids.WriteString("  " + st.Group.Path.Render(fit("_id", pathW)) + " ")
	times.WriteString(fit("", pathW+3))
	anyTime := false
	for i, d := range s.docs {
		hdr.WriteString(fit(s.header(i), colW) + " ")
		ids.WriteString(st.Bold.Render(fit(shown(d.ID, colW), colW)) + " ")
		c := created(d.ID)
		anyTime = anyTime || c != ""
		times.WriteString(st.Muted.Render(fit(c, colW)) + " ")
	}
	lines = append(lines, hdr.String(), ids.String())
	if anyTime {
		lines = append(lines, times.String())
	}
	lines = append(lines, st.Faint.Render(strings.Repeat("─", max(s.w, 1))))
	for _, r := range s.rows {
		if r.Path == "_id" {
			continue
		}
		var b strings.Builder
		b.WriteString(gutter(r) + st.Group.Path.Render(fit(model.DisplayPath(r.Path), pathW)) + " ")
		for i := range s.docs {
			b.WriteString(s.cell(r, r.Values[i], colW) + " ")
		}
		lines = append(lines, b.String())
	}
	return lines
}

// showFocus scrolls the stacked layout to the member under the cursor.
func (s *groupScreen) showFocus() {
	if s.docs == nil || layoutSideBySide(s.w, len(s.docs), s.pathWidth()) {
		return
	}
	_, starts := s.stackedLines()
	s.scroll = starts[s.focus]
}

func (s *groupScreen) stacked() []string {
	lines, _ := s.stackedLines()
	return lines
}

// stackedLines lays the members out one under another; starts[i] is member i's first line.
func (s *groupScreen) stackedLines() (lines []string, starts []int) {
	st := s.ctx.Styles
	pathW := min(s.pathWidth(), max(s.w/3, 6))
	valW := max(s.w-pathW-4, 8)
	for i, d := range s.docs {
		starts = append(starts, len(lines))
		h := s.header(i) + "  " + st.Bold.Render(oneLine(d.ID.Display()))
		if c := created(d.ID); c != "" {
			h += "  " + st.Muted.Render(c)
		}
		lines = append(lines, fit(h, s.w))
		for _, r := range s.rows {
			v := r.Values[i]
			if r.Path == "_id" || v == model.Missing {
				continue
			}
			style := st.Group.Diff
			if r.Same {
				style = st.Group.Same
			}
			wrapped := strings.Split(ansi.Hardwrap(oneLine(v.Display()), valW, true), "\n")
			if len(wrapped) > foldLines {
				wrapped = append(wrapped[:foldLines-1], fit(wrapped[foldLines-1], valW-1)+"…")
			}
			for j, part := range wrapped {
				p := ""
				if j == 0 {
					p = model.DisplayPath(r.Path)
				}
				g := "  "
				if j == 0 {
					g = gutter(r)
				}
				lines = append(lines, g+st.Group.Path.Render(fit(p, pathW))+" "+style.Render(part))
			}
		}
		lines = append(lines, "")
	}
	return lines, starts
}

func (s *groupScreen) SetSize(w, h int) { s.w, s.h = w, h }
func (s *groupScreen) Typing() bool     { return false }
func (s *groupScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Left, k.Right, k.Keep, k.Next, k.Prev, k.Rules, k.Review, k.Back, k.Help}
}
func (s *groupScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Left, k.Right, k.Keep}, {k.Next, k.Prev, k.Back}, {k.Rules, k.Review, k.Help, k.Quit}}
}
