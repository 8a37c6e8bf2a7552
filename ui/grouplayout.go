package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/dupes-tui/dupes/model"
)

// groupLayout is the group screen's body laid out once per group, width and fetch, so that a
// key press (scroll, focus) only slices it: a 5 000-member group costs a key what a 3-member
// one does. Member headers (keep mark, focus) change with decisions and the cursor, so they
// are not in the cache: hdr says which lines are headers, and View renders the visible ones.
type groupLayout struct {
	key    layoutKey
	side   bool
	lines  []string
	hdr    []int32 // per line: the member whose header goes there, headerRow, or -1
	starts []int   // stacked: member i's first line
	pathW  int
	colW   int
}

// layoutKey is what a layout depends on.
type layoutKey struct {
	gi, w, fetch int
	diffs        bool // only the differing fields
}

// layoutSideBySide reports whether n member columns of at least minColumn fit beside paths.
func layoutSideBySide(w, n, pathW int) bool {
	return (w-pathW-3)/max(n, 1)-1 >= minColumn
}

// headerRow marks the side-by-side line of every member's header.
const headerRow = -2

// pathCap is the widest a field name column gets: a third of the screen, at least 24 cells.
func pathCap(w int) int { return max(24, w/3) }

// buildLayout lays out the members' documents for width w.
func buildLayout(st Styles, k layoutKey, docs []model.Doc, rows []model.DiffRow) *groupLayout {
	lay := &groupLayout{key: k}
	longest := 6
	for _, r := range rows {
		longest = max(longest, lipgloss.Width(model.DisplayPath(r.Path)))
	}
	n := max(len(docs), 1)
	// Long field names get room while the members still fit side by side; else they are cut
	// in the middle, so both ends (attribute_wi…_name_117) still tell them apart.
	lay.pathW = min(longest, pathCap(k.w))
	for lay.pathW > 24 && !layoutSideBySide(k.w, n, lay.pathW) {
		lay.pathW--
	}
	marks := make([][]bool, len(rows))
	texts := make([][]string, len(rows))
	for ri, r := range rows {
		texts[ri], marks[ri] = cellTexts(r)
	}
	if layoutSideBySide(k.w, n, lay.pathW) {
		lay.side = true
		lay.colW = (k.w-lay.pathW-3)/n - 1
		lay.sideBySide(st, docs, rows, texts, marks)
	} else {
		lay.pathW = min(lay.pathW, max(k.w/3, 6))
		lay.stacked(st, k.w, docs, rows, texts, marks)
	}
	return lay
}

// cellTexts is a row's values as shown, and which cells to mark: the ones that differ from
// the row's most common value (every cell when no value repeats). Where two different values
// look the same (int32 5, int64 5), each carries its type.
func cellTexts(r model.DiffRow) ([]string, []bool) {
	texts := make([]string, len(r.Values))
	marks := make([]bool, len(r.Values))
	if r.Same {
		for i, v := range r.Values {
			texts[i] = oneLine(v.Display())
		}
		return texts, marks
	}
	seen := make(map[string]model.Value, len(r.Values))
	counts := make(map[model.Value]int, len(r.Values))
	typed := false
	for i, v := range r.Values {
		texts[i] = oneLine(v.Display())
		counts[v]++
		if v == model.Missing {
			continue
		}
		if prev, ok := seen[texts[i]]; ok && prev != v {
			typed = true
		}
		seen[texts[i]] = v
	}
	if typed {
		for i, v := range r.Values {
			if v != model.Missing {
				texts[i] += " (" + v.TypeName() + ")"
			}
		}
	}
	var mode model.Value
	best := 1
	for v, c := range counts {
		if c > best || (c == best && c > 1 && v < mode) {
			mode, best = v, c
		}
	}
	for i, v := range r.Values {
		marks[i] = best == 1 || v != mode
	}
	return texts, marks
}

func (lay *groupLayout) add(line string, hdr int32) {
	lay.lines = append(lay.lines, line)
	lay.hdr = append(lay.hdr, hdr)
}

func (lay *groupLayout) sideBySide(st Styles, docs []model.Doc, rows []model.DiffRow, texts [][]string, marks [][]bool) {
	pathW, colW := lay.pathW, lay.colW
	lay.add("", headerRow)
	var ids, times strings.Builder
	ids.WriteString("  " + st.Group.Path.Render(fitMiddle(idLabel(docs, pathW), pathW)) + " ")
	times.WriteString(fit("", pathW+3))
	anyTime := false
	hexes := oidHexes(docs)
	for i, d := range docs {
		id := shown(d.ID, colW)
		if hexes != nil {
			id = distinctPart(hexes, i, colW)
		}
		ids.WriteString(st.Bold.Render(fit(id, colW)) + " ")
		c := created(d.ID)
		if len(c) > colW {
			c = strings.TrimPrefix(c, "created ") // the time, whole, under its id
		}
		anyTime = anyTime || c != ""
		times.WriteString(st.Muted.Render(fit(c, colW)) + " ")
	}
	lay.add(ids.String(), -1)
	if anyTime {
		lay.add(times.String(), -1)
	}
	lay.add(st.Faint.Render(strings.Repeat("─", max(lay.key.w, 1))), -1)
	for ri, r := range rows {
		if r.Path == "_id" {
			continue
		}
		var b strings.Builder
		b.WriteString(gutter(r) + st.Group.Path.Render(fitMiddle(model.DisplayPath(r.Path), pathW)) + " ")
		for i, v := range r.Values {
			text := shown(v, colW)
			if texts[ri][i] != oneLine(v.Display()) { // typed: the type says what differs
				text = texts[ri][i]
			}
			b.WriteString(cellStyle(st, r, marks[ri][i]).Render(fit(cellText(v, text), colW)) + " ")
		}
		lay.add(b.String(), -1)
	}
}

func cellText(v model.Value, text string) string {
	if v == model.Missing {
		return "—"
	}
	return text
}

func cellStyle(st Styles, r model.DiffRow, marked bool) lipgloss.Style {
	if r.Same || !marked {
		return st.Group.Same
	}
	return st.Group.Diff
}

// idLabel names the _id line in w cells: with "ObjectId" (or "oid" where that is too long)
// when every member's _id is one, as the cells then hold the bare hex at every width.
func idLabel(docs []model.Doc, w int) string {
	if oidHexes(docs) == nil {
		return "_id"
	}
	for _, l := range []string{"_id ObjectId", "_id oid"} {
		if len(l) <= w {
			return l
		}
	}
	return "_id"
}

// oidHexes is every member's ObjectId hex, or nil when some _id is not an ObjectId.
func oidHexes(docs []model.Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		h, ok := oidHex(d.ID)
		if !ok {
			return nil
		}
		out[i] = h
	}
	return out
}

// oidHex is an ObjectId's 24 hex digits; ok is false for any other value.
func oidHex(v model.Value) (string, bool) {
	s := string(v)
	if !strings.HasPrefix(s, `{"$oid":"`) || len(s) != len(`{"$oid":"`)+24+2 {
		return "", false
	}
	return s[len(`{"$oid":"`) : len(s)-2], true
}

// distinctPart is member i's ObjectId hex cut to w cells keeping what tells the members apart:
// the end (the counter of ids made one after another; the line below gives their times) when
// the ends differ, else the part after the prefix they all share.
func distinctPart(hexes []string, i, w int) string {
	h := hexes[i]
	if len(h) <= w {
		return h
	}
	if w >= 2 && distinctEnds(hexes, w-1) {
		return "…" + h[len(h)-(w-1):]
	}
	common := len(h)
	for _, o := range hexes {
		n := 0
		for n < len(h) && n < len(o) && h[n] == o[n] {
			n++
		}
		common = min(common, n)
	}
	if common >= len(h) { // all the same (a member gone and refetched): the end is as good
		common = len(h) - 1
	}
	if len(h)-common+1 <= w {
		return "…" + h[len(h)-(w-1):]
	}
	return "…" + h[common:common+w-2] + "…"
}

// distinctEnds reports whether the last n characters of the hexes are all different.
func distinctEnds(hexes []string, n int) bool {
	seen := make(map[string]bool, len(hexes))
	for _, h := range hexes {
		end := h[len(h)-min(n, len(h)):]
		if seen[end] {
			return false
		}
		seen[end] = true
	}
	return true
}

func (lay *groupLayout) stacked(st Styles, w int, docs []model.Doc, rows []model.DiffRow, texts [][]string, marks [][]bool) {
	pathW := lay.pathW
	valW := max(w-pathW-4, 8)
	lay.starts = make([]int, len(docs))
	for i := range docs {
		lay.starts[i] = len(lay.lines)
		lay.add("", int32(i))
		for ri, r := range rows {
			v := r.Values[i]
			if r.Path == "_id" || v == model.Missing {
				continue
			}
			style := cellStyle(st, r, marks[ri][i])
			wrapped := strings.Split(ansi.Hardwrap(texts[ri][i], valW, true), "\n")
			if len(wrapped) > foldLines {
				wrapped = append(wrapped[:foldLines-1], fit(wrapped[foldLines-1], valW-1)+"…")
			}
			for j, part := range wrapped {
				p, g := "", "  "
				if j == 0 {
					p, g = fitMiddle(model.DisplayPath(r.Path), pathW), gutter(r)
				} else {
					p = fit("", pathW)
				}
				lay.add(g+st.Group.Path.Render(p)+" "+style.Render(part), -1)
			}
		}
		lay.add("", -1)
	}
}

// fitMiddle cuts s to w cells keeping both ends (attribute_wi…_name_117), and pads it to w.
func fitMiddle(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw <= w {
		return s + strings.Repeat(" ", w-sw)
	}
	if w < 5 {
		return fit(s, w)
	}
	tail := (w - 1) / 2
	head := w - 1 - tail
	right := ansi.TruncateLeft(s, sw-tail, "")
	return fit(ansi.Truncate(s, head, "")+"…"+right, w)
}

// memberCount is "· 5,000 members" for the legend.
func memberCount(n int) string { return fmt.Sprintf(" · %s members", count(int64(n))) }
