package report

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// builder turns an Input and its groups' documents, fed one group at a time, into the page.
type builder struct {
	in    Input
	show  int
	plan  *planIndex
	shape *model.ShapeBuilder // fed every group's members: counts, sizes, differing fields
	page  page
	// left counts what the plan leaves alone, by reason, in the order first met.
	left      map[string]*leftRow
	leftOrder []string
	// seen are the planned deletes this scan found, true when changed since the plan.
	seen  map[model.Value]bool
	found map[int]bool // plan groups this scan found
}

func newBuilder(in Input) *builder {
	if in.Generated.IsZero() {
		in.Generated = time.Now()
	}
	show := in.Show
	switch {
	case show == 0:
		show = DefaultGroups
	case show < 0:
		show = 0
	}
	b := &builder{in: in, show: min(show, len(in.Groups)), shape: model.NewShapeBuilder(), left: map[string]*leftRow{},
		found: map[int]bool{}, seen: map[model.Value]bool{}}
	if in.Plan != nil {
		b.plan = indexPlan(*in.Plan)
	}
	b.page = page{
		NS:        model.SafeText(in.NS.String()),
		Key:       in.Key.String(),
		Semantics: in.Key.Semantics(),
		Generated: in.Generated.UTC().Format("2006-01-02 15:04:05 UTC"),
		Server:    model.SafeText(in.URI),
	}
	for _, n := range in.Notes {
		b.page.Notes = append(b.page.Notes, model.SafeLines(n))
	}
	return b
}

// count is group gi's member count.
func (b *builder) count(gi int) int { return b.in.Groups[gi].Count() }

// add takes group gi's members as read now (those still there, in _id order).
func (b *builder) add(gi int, docs []model.Doc) {
	g := b.in.Groups[gi]
	b.shape.AddGroup(g, docs)
	pi := -1
	if b.plan != nil {
		if i, ok := b.plan.byKey[keyID(g.Key)]; ok {
			pi = i
		}
	}
	if pi >= 0 {
		b.found[pi] = true
	} else {
		b.leaveAlone(gi)
	}
	if b.plan != nil {
		b.checkMembers(docs)
	}
	if gi < b.show {
		b.page.Shown = append(b.page.Shown, b.layout(gi, pi, docs))
	}
}

// checkMembers notes the planned deletes found, and those changed since the plan: the run
// skips those, and those not found.
func (b *builder) checkMembers(docs []model.Doc) {
	for _, d := range docs {
		if b.plan.deletes(d.ID) {
			b.seen[d.ID] = b.seen[d.ID] || b.plan.changed(d)
		}
	}
}

// leaveAlone counts group gi among what the plan leaves alone, under its reason.
func (b *builder) leaveAlone(gi int) {
	if b.plan == nil {
		return
	}
	why := b.whyAlone(gi)
	r, ok := b.left[why]
	if !ok {
		r = &leftRow{What: why}
		b.left[why] = r
		b.leftOrder = append(b.leftOrder, why)
	}
	r.Groups++
	r.Docs += b.count(gi)
}

// whyAlone says why the plan leaves group gi alone.
func (b *builder) whyAlone(gi int) string {
	switch {
	case b.in.Skipped[gi]:
		return "skipped by hand"
	case b.in.Groups[gi].LacksKey() && (b.plan == nil || !b.plan.p.DeleteMissing):
		return "every key field missing or null (the plan leaves them alone unless --delete-missing)"
	}
	return "not in the plan (undecided, skipped, or new since the plan was made)"
}

// layout lays out group gi: members as columns, fields as rows, marked as the TUI marks them.
func (b *builder) layout(gi, pi int, docs []model.Doc) groupView {
	g := b.in.Groups[gi]
	v := groupView{N: gi + 1, Key: model.KeyText(g.Key), Count: b.count(gi), Gone: len(g.IDs) - len(docs)}
	switch {
	case pi >= 0:
		pg := b.plan.p.Groups[pi]
		v.Status = fmt.Sprintf("keep 1, delete %d", len(pg.Delete))
		v.Decision = decisionText(pg.Decision)
	case b.plan != nil:
		v.Status, v.Alone = "left alone: "+b.whyAlone(gi), true
	}
	if len(docs) > MaxColumns {
		v.Hidden = len(docs) - MaxColumns
		docs = docs[:MaxColumns]
	}
	for _, d := range docs {
		v.Members = append(v.Members, b.member(pi, d))
	}
	for _, r := range model.Diff(docs) {
		if r.Path == "_id" {
			continue // the columns' heads
		}
		v.Rows = append(v.Rows, rowView(r))
	}
	return v
}

// rowView is one field across the members: model.Diff's Same is the TUI's mark (≠), and a
// row whose values differ but display alike shows their types, as the TUI does.
func rowView(r model.DiffRow) fieldView {
	f := fieldView{Path: model.DisplayPath(r.Path), Differs: !r.Same}
	typed := !r.Same && model.RowNeedsTypes(r.Values)
	for _, v := range r.Values {
		c := cellView{Text: v.Display(), Missing: v == model.Missing}
		switch {
		case c.Missing:
			c.Text = "—"
		case typed:
			c.Text = v.DisplayTyped()
		}
		f.Cells = append(f.Cells, c)
	}
	return f
}

// member is a column's head: the _id and what the plan does with the document.
func (b *builder) member(pi int, d model.Doc) memberView {
	m := memberView{ID: d.ID.Display()}
	if t, ok := d.ID.ObjectIDTime(); ok {
		m.Created = "created " + t.Format("2006-01-02 15:04 UTC")
	}
	if b.plan == nil {
		return m
	}
	switch {
	case pi >= 0 && b.plan.p.Groups[pi].Keep == d.ID:
		m.Mark, m.Class = "✓ keep", "keep"
	case b.plan.deletes(d.ID) && b.plan.changed(d):
		m.Mark, m.Class = "changed since the plan: not deleted", "changed"
	case b.plan.deletes(d.ID):
		m.Mark, m.Class = "✗ delete", "delete"
	case b.plan.keep[d.ID]:
		m.Mark, m.Class = "kept (another group's keeper)", "kept"
	default:
		m.Mark, m.Class = "left alone", "alone"
	}
	if m.Class == "keep" && b.plan.changed(d) {
		m.Mark += " · changed since the plan"
	}
	return m
}

// finish completes the page once every group was added.
func (b *builder) finish() page {
	p := b.page
	p.Counts, p.Shape = shapeView(b.shape.Shape(), model.Summarize(b.in.Groups).LackingKey)
	p.MoreGroups = len(b.in.Groups) - len(p.Shown)
	p.ShownCount = len(p.Shown)
	if b.plan != nil {
		p.Plan = b.planView()
	}
	p.Backup, p.Undo = b.backup()
	p.Pending = b.in.BackupPath == ""
	return p
}

// planView is the plan's rule, hand decisions, deletes and what it leaves alone.
func (b *builder) planView() *planView {
	pl := b.plan.p
	v := &planView{
		Rule:          model.SafeText(pl.Rule),
		Groups:        len(pl.Groups),
		Deletes:       pl.Deletes(),
		Keepers:       pl.Keepers(),
		DeleteMissing: pl.DeleteMissing,
	}
	for _, changed := range b.seen {
		if changed {
			v.Changed++
		}
	}
	v.Unseen = len(b.plan.del) - len(b.seen)
	if r, err := model.ParseKeepRule(pl.Rule); err == nil && pl.Rule != "" {
		v.RuleHow = r.Describe()
	}
	if pl.Merge != nil {
		v.Merge = model.SafeText(pl.Merge.String())
	}
	if !pl.CreatedAt.IsZero() {
		v.Created = pl.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	if pl.Semantics != "" && pl.Semantics != b.in.Key.Semantics() {
		v.Semantics = model.SafeText(pl.Semantics)
	}
	for i, g := range pl.Groups {
		if g.Decision == model.ByHand {
			v.Hand = append(v.Hand, handRow{Key: model.KeyText(g.Key), Keep: g.Keep.Display()})
		}
		if !b.found[i] {
			v.NotFound++
		}
		if i < MaxListed {
			d := deleteRow{Key: model.KeyText(g.Key), Keep: g.Keep.Display(), Decision: decisionText(g.Decision)}
			for _, id := range g.Delete {
				d.Delete = append(d.Delete, id.Display())
			}
			v.List = append(v.List, d)
		}
	}
	v.MoreListed = len(pl.Groups) - len(v.List)
	for _, why := range b.leftOrder {
		v.Left = append(v.Left, *b.left[why])
	}
	return v
}

// backup is where the run's backup goes and the command that puts it back. Before a run the
// file's name is not known yet: the run names it DB.COLL.TIMESTAMP.bson in BackupDir, and
// prints the exact command.
func (b *builder) backup() (where, undo string) {
	path := b.in.BackupPath
	if path == "" {
		if b.in.BackupDir == "" {
			return "", ""
		}
		path = filepath.Join(b.in.BackupDir, b.in.NS.String()+".TIMESTAMP.bson")
	}
	uri := b.in.URI
	if uri == "" {
		uri = "URI"
	}
	return model.SafeText(path), model.SafeText(model.UndoCommand(uri, b.in.NS, path))
}

// shapeView is the counts, the histogram of group sizes and the differing fields, all from
// the groups' shape; lacking is the number of documents lacking the key, counted apart.
func shapeView(sh model.Shape, lacking int) (countsView, shapeSection) {
	var c countsView
	v := shapeSection{Compared: sh.Compared, Identical: sh.IdenticalGroups, Gone: sh.Gone}
	most := 1
	for _, s := range sh.Sizes {
		c.Groups += s.Groups
		c.Documents += s.Documents
		most = max(most, s.Groups)
	}
	c.Surplus, c.Lacking = c.Documents-c.Groups, lacking
	for _, s := range sh.Sizes {
		v.Sizes = append(v.Sizes, sizeRow{Label: s.Label, Groups: s.Groups, Documents: s.Documents,
			Width: barWidth(s.Groups, most)})
	}
	for _, f := range sh.Fields {
		v.Fields = append(v.Fields, fieldRow{Path: model.DisplayPath(f.Path), Groups: f.Groups,
			Share: model.SharePercent(f.Share), Width: barWidth(f.Groups, sh.Compared), TypeOnly: f.TypeOnly})
	}
	if sh.Compared > 0 && sh.IdenticalGroups > 0 {
		v.IdenticalShare = model.SharePercent(float64(sh.IdenticalGroups) / float64(sh.Compared))
	}
	if sg := sh.Suggestion; sg != nil {
		v.Suggest, v.SuggestWhy = model.SafeText(sg.Keep), model.SafeText(sg.Why)
	}
	return c, v
}

// barWidth is n of whole as a bar's width in percent: at least 1 when n is not 0, so that a
// bar is there whenever its count is.
func barWidth(n, whole int) int {
	if n <= 0 || whole <= 0 {
		return 0
	}
	return max(1, n*100/whole)
}

func decisionText(d model.Decision) string {
	switch d {
	case model.ByHand:
		return "by hand"
	case model.ByRule:
		return "by rule"
	}
	return ""
}

// planIndex is a plan looked up by group key and by member.
type planIndex struct {
	p      model.Plan
	byKey  map[string]int
	keep   map[model.Value]bool
	del    map[model.Value]bool
	prints map[model.Value]model.Fingerprint
}

func indexPlan(p model.Plan) *planIndex {
	x := &planIndex{p: p, byKey: map[string]int{}, keep: map[model.Value]bool{}, del: map[model.Value]bool{},
		prints: map[model.Value]model.Fingerprint{}}
	for i, g := range p.Groups {
		x.byKey[keyID(g.Key)] = i
		x.keep[g.Keep] = true
		if g.KeepFingerprint != "" {
			x.prints[g.Keep] = g.KeepFingerprint
		}
		for j, id := range g.Delete {
			x.del[id] = true
			if j < len(g.DeleteFingerprints) {
				x.prints[id] = g.DeleteFingerprints[j]
			}
		}
	}
	return x
}

func (x *planIndex) deletes(id model.Value) bool { return x.del[id] }

// changed reports a member whose version is not the one the plan recorded: the run skips it.
func (x *planIndex) changed(d model.Doc) bool {
	f, ok := x.prints[d.ID]
	return ok && d.Fingerprint != "" && f != d.Fingerprint
}

// keyID is a group's key as a map key: canonical Extended JSON holds no raw NUL.
func keyID(vals []model.Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = string(v)
	}
	return strings.Join(parts, "\x00")
}
