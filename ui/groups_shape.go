package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/dupes-tui/dupes/model"
)

// ShapeMeasurer is what a Store offers when it can measure the shape of a scan's groups (the
// adapter's and the demo store's Shape): group i of the shape is groups[i]; progress is
// called after each batch. A Store without it gets no shape panel.
type ShapeMeasurer interface {
	Shape(ctx context.Context, ns model.Namespace, groups []model.Group, progress func(done, total int)) (model.Shape, error)
}

// shapeProgressMsg says how far the measurement of run seq has come; next waits for more.
type shapeProgressMsg struct {
	seq         int
	done, total int
	next        tea.Cmd
}

// shapeMsg is the measured shape of run seq: whole, or Partial with the error that stopped it.
type shapeMsg struct {
	seq   int
	shape model.Shape
	err   error
}

func (shapeProgressMsg) target() screenID { return scrGroups }
func (shapeMsg) target() screenID         { return scrGroups }

// shapeCmd measures the groups' shape in the background, its progress reported as it goes.
func shapeCmd(ctx context.Context, sm ShapeMeasurer, seq int, ns model.Namespace, groups []model.Group) tea.Cmd {
	return backgroundCmd(ctx, func(progress func(done, total int)) tea.Msg {
		sh, err := sm.Shape(ctx, ns, groups, progress)
		if err == nil && ctx.Err() != nil && sh.Measured < len(groups) {
			err = ctx.Err()
		}
		return shapeMsg{seq: seq, shape: sh, err: err}
	}, func(done, total int, next tea.Cmd) tea.Msg {
		return shapeProgressMsg{seq: seq, done: done, total: total, next: next}
	})
}

// shapeKind is what a line of the shape panel picks.
type shapeKind uint8

const (
	pickField     shapeKind = iota // groups whose members differ in field
	pickIdentical                  // groups whose members are equal but for _id
	pickSize                       // groups whose size is in bucket
)

// shapePick is one line of the panel, and the filter it applies.
type shapePick struct {
	kind   shapeKind
	field  string
	bucket model.SizeBucket
}

func (p shapePick) String() string {
	switch p.kind {
	case pickIdentical:
		return "identical but _id"
	case pickSize:
		return "of " + p.bucket.Label + " members"
	}
	return "differ in " + p.field
}

// shapePanel is the groups screen's shape: measured once the scan is done, in the background;
// its lines are filters (tab focuses them, enter applies one, esc clears it).
type shapePanel struct {
	seq       int
	cancel    context.CancelFunc
	measuring bool
	done      int
	total     int
	have      bool // shape holds a measurement (whole, or partial)
	shape     model.Shape
	err       error
	stopped   bool // the user stopped it (esc)
	focus     bool
	cur       int         // the focused line, in picks
	picks     []shapePick // the lines shown, in focus order (layout)
	rows      int         // the body's lines: fields column and histogram (layout)
	compact   bool        // one column, sizes in the header line (layout)
	filter    *shapePick  // the filter applied, nil none
	shown     []int32     // the groups the list shows under filter (and the / filter)
}

// startShape measures the session's groups, once its scan is done, if the store can.
func (s *groupsScreen) startShape() tea.Cmd {
	sp := &s.shape
	ss := s.sess
	sm, ok := s.ctx.Store.(ShapeMeasurer)
	if !ok || ss.scanning || ss.scanErr != nil || sp.measuring || sp.have || len(ss.groups) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(s.ctx.base)
	sp.seq++
	sp.cancel, sp.measuring, sp.done, sp.total = cancel, true, 0, len(ss.groups)
	n := len(ss.groups)
	return shapeCmd(ctx, sm, sp.seq, ss.ns, ss.groups[:n:n])
}

// stopShape cancels a measurement in flight: what was measured is kept, marked partial.
func (s *groupsScreen) stopShape() {
	if s.shape.cancel != nil {
		s.shape.cancel()
	}
}

// shapeUpdate takes the measurement's messages and the panel's keys; it reports whether msg
// was the panel's.
func (s *groupsScreen) shapeUpdate(msg tea.Msg) (tea.Cmd, bool) {
	sp := &s.shape
	switch msg := msg.(type) {
	case shapeProgressMsg:
		if msg.seq != sp.seq || !sp.measuring {
			return nil, true // the wait ends: its goroutine stops at its context
		}
		sp.done, sp.total = msg.done, msg.total
		return msg.next, true
	case shapeMsg:
		if msg.seq != sp.seq {
			return nil, true
		}
		sp.measuring, sp.cancel = false, nil
		sp.shape, sp.err = msg.shape, msg.err
		sp.have = msg.shape.Measured > 0
		return nil, true
	case tea.KeyMsg:
		if !sp.focus {
			return nil, false
		}
		switch {
		case key.Matches(msg, s.keys.Up):
			sp.cur = max(sp.cur-1, 0)
		case key.Matches(msg, s.keys.Down):
			sp.cur = min(sp.cur+1, len(sp.picks)-1)
		case key.Matches(msg, s.keys.Open):
			if sp.cur < len(sp.picks) {
				p := sp.picks[sp.cur]
				sp.focus = false
				s.setKeys()
				return s.applyShapeFilter(&p), true
			}
		case key.Matches(msg, s.keys.Back), key.Matches(msg, s.keys.Shape):
			sp.focus = false
			s.setKeys()
		}
		return nil, true
	}
	return nil, false
}

// applyShapeFilter shows only the groups p picks (nil: all), within the / filter's.
func (s *groupsScreen) applyShapeFilter(p *shapePick) tea.Cmd {
	s.shape.filter = p
	s.refilter()
	s.cursor = listCursor{h: s.cursor.h}
	s.cursor.setLen(s.len())
	s.sorted = nil
	s.setKeys()
	return s.resort()
}

// refilter computes the rows a shape filter shows: the groups it picks among those the /
// filter shows (all, without one), in their order.
func (s *groupsScreen) refilter() {
	sp := &s.shape
	if sp.filter == nil {
		sp.shown = nil
		return
	}
	out := sp.shown[:0]
	if s.query != "" {
		for _, gi := range s.hits {
			if s.picks(int(gi)) {
				out = append(out, gi)
			}
		}
	} else {
		for gi := range s.sess.groups {
			if s.picks(gi) {
				out = append(out, int32(gi))
			}
		}
	}
	sp.shown = out
}

// picks reports whether the shape filter shows group gi: the shape's own answer, per group.
func (s *groupsScreen) picks(gi int) bool {
	sh, f := s.shape.shape, s.shape.filter
	switch f.kind {
	case pickIdentical:
		return sh.Identical(gi)
	case pickSize:
		g := s.sess.groups[gi]
		n := g.Count()
		return sh.Has(gi) && !g.LacksKey() && n >= f.bucket.Min && (f.bucket.Max == 0 || n <= f.bucket.Max)
	}
	return sh.Differs(gi, f.field)
}

// shapeHeight is the lines the panel takes: none without a store that measures, one while it
// measures, else its header, body and suggestion. It also lays the panel out for h lines of
// screen: the list keeps at least listMin rows.
func (s *groupsScreen) layoutShape(w, h int) int {
	sp := &s.shape
	sp.picks = sp.picks[:0]
	switch {
	case !sp.have && (sp.measuring || sp.err != nil):
		return 1
	case !sp.have:
		return 0
	}
	const listMin = 6
	room := h - 5 - listMin // summary, decisions, lacking note, filter, header
	extra := 0              // lines besides the header and the body: the suggestion, the compact sizes
	if sp.shape.Suggestion != nil {
		extra++
	}
	fields := sp.shape.Fields
	sp.compact = w < 72 || room < 7+extra
	var body int
	if sp.compact { // the sizes on a line of their own, the fields under it
		extra++
		body = min(len(fields)+1, max(room-1-extra, 1))
	} else {
		body = max(5, min(len(fields)+1, room-1-extra))
	}
	nf := min(len(fields), body-1)
	for _, f := range fields[:nf] {
		sp.picks = append(sp.picks, shapePick{kind: pickField, field: f.Path})
	}
	sp.picks = append(sp.picks, shapePick{kind: pickIdentical})
	if !sp.compact {
		for _, b := range sp.shape.Sizes {
			sp.picks = append(sp.picks, shapePick{kind: pickSize, bucket: b})
		}
	}
	sp.rows = body
	sp.cur = min(sp.cur, len(sp.picks)-1)
	return 1 + body + extra
}

// shapeView is the panel: the fields members differ in, the identical groups, the histogram of
// sizes, the suggestion.
func (s *groupsScreen) shapeView() string {
	sp := &s.shape
	st := s.ctx.Styles
	w := s.w
	if !sp.have {
		switch {
		case sp.measuring:
			return st.Muted.Render(fit(fmt.Sprintf("Measuring the groups' shape… %s of %s groups · esc stops",
				count(int64(sp.done)), count(int64(sp.total))), w))
		case sp.stopped:
			return st.Muted.Render(fit("Shape not measured: stopped (esc).", w))
		case sp.err != nil:
			return st.Warn.Render(fit("Shape not measured: "+model.SafeText(sp.err.Error()), w))
		}
		return ""
	}
	sh := sp.shape
	var b strings.Builder
	head := fmt.Sprintf("SHAPE · %s compared · members differ in", plural(sh.Compared, "group", "groups"))
	if sh.Partial {
		head = fmt.Sprintf("SHAPE (partial: %s of %s groups measured) · members differ in", count(int64(sh.Measured)), count(int64(sh.Total)))
	}
	histW := 38
	leftW := min(w-histW-2, 56) // the bars beside the fields, not across the screen
	if sp.compact {
		leftW = w
		var sizes []string
		for _, bk := range sh.Sizes {
			if bk.Groups > 0 {
				sizes = append(sizes, fmt.Sprintf("%s members: %s", bk.Label, plural(bk.Groups, "group", "groups")))
			}
		}
		b.WriteString(st.List.Header.Render(fit(head, w)) + "\n")
		b.WriteString(fit("  sizes  "+strings.Join(sizes, " · "), w) + "\n")
	} else {
		b.WriteString(st.List.Header.Render(fit(head, leftW)+"  "+fit("GROUP SIZES (members: groups)", histW)) + "\n")
	}
	left := s.shapeLeft(leftW)
	var right []string
	if !sp.compact {
		right = s.histogram(histW)
	}
	for i := range sp.rows {
		line := ""
		if i < len(left) {
			line = left[i]
		} else {
			line = strings.Repeat(" ", leftW)
		}
		if i < len(right) {
			line += "  " + right[i]
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	if sg := sh.Suggestion; sg != nil {
		text := fmt.Sprintf("suggested: %s — %s differs in %s of groups", sg.Keep, sg.Field, model.SharePercent(sh.Fields[0].Share))
		if len(sh.Fields) > 1 {
			text += ", nothing else in more than " + model.SharePercent(model.SuggestOtherShare)
		}
		b.WriteString(st.OK.Render(fit(text+" · r offers it", w)) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// shapeLine renders line i of the panel's picks, w cells wide, with its cursor when focused.
func (s *groupsScreen) shapeLine(i int, text string, w int) string {
	sp := &s.shape
	st := s.ctx.Styles
	on := sp.focus && i == sp.cur
	applied := sp.filter != nil && *sp.filter == sp.picks[i]
	mark := "  "
	switch {
	case on:
		mark = "› "
	case applied:
		mark = "• "
	}
	text = fit(mark+text, w)
	if on {
		return st.List.Cursor.Render(text)
	}
	return text
}

// shapeLeft is the fields column: each field and the share of groups whose members differ in
// it, then the identical groups.
func (s *groupsScreen) shapeLeft(w int) []string {
	sp := &s.shape
	sh := sp.shape
	pathW := min(max(w-24, 17), 28) // "identical but _id" whole
	var out []string
	for i, p := range sp.picks {
		switch p.kind {
		case pickField:
			f := sh.Fields[i]
			out = append(out, s.shapeLine(i, fmt.Sprintf("%s %6s  %s", fit(model.SafeText(f.Path), pathW),
				model.SharePercent(f.Share), plural(f.Groups, "group", "groups")), w))
		case pickIdentical:
			share := 0.0
			if sh.Compared > 0 {
				share = float64(sh.IdenticalGroups) / float64(sh.Compared)
			}
			out = append(out, s.shapeLine(i, fmt.Sprintf("%s %6s  %s", fit("identical but _id", pathW),
				model.SharePercent(share), plural(sh.IdenticalGroups, "group", "groups")), w))
		}
	}
	return out
}

// histogram is the bars of group sizes, one line per bucket, w cells wide.
func (s *groupsScreen) histogram(w int) []string {
	sp := &s.shape
	sh := sp.shape
	most := 0
	for _, bk := range sh.Sizes {
		most = max(most, bk.Groups)
	}
	first := len(sp.picks) - len(sh.Sizes)
	barW := max(w-17, 4)
	bar := lipgloss.NewStyle().Inherit(s.ctx.Styles.OK)
	var out []string
	for i, bk := range sh.Sizes {
		n := 0
		if most > 0 {
			n = (bk.Groups*barW + most - 1) / most // a bucket with groups shows at least one cell
		}
		text := fmt.Sprintf("%-6s %s%s %7s", bk.Label, bar.Render(strings.Repeat("▇", n)), strings.Repeat(" ", barW-n), count(int64(bk.Groups)))
		out = append(out, s.shapeLine(first+i, text, w))
	}
	return out
}

// suggested is the rule the shape suggests, for the rule menu to open on; nil for none.
func (s *groupsScreen) suggested() *model.KeepRule {
	if !s.shape.have || s.shape.shape.Suggestion == nil {
		return nil
	}
	r := s.shape.shape.Suggestion.Rule()
	return &r
}

// shapeFilterText says which shape filter narrows the list, for the filter line.
func (s *groupsScreen) shapeFilterText() string {
	if s.shape.filter == nil {
		return ""
	}
	return fmt.Sprintf("groups %s: %s of %s · esc clears", s.shape.filter, count(int64(s.len())), count(int64(s.sess.sum.Groups)))
}
