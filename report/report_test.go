package report

import (
	"bytes"
	"context"
	"html/template"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

var users = model.Namespace{DB: "shop", Coll: "users"}

// scan is a memstore scan's groups, read to the end.
func scan(t *testing.T, s *memstore.Store, ns model.Namespace, key model.Key) []model.Group {
	t.Helper()
	cur, err := s.Scan(context.Background(), ns, key)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Group
	for {
		gs, err := cur.NextBatch(context.Background(), 3)
		out = append(out, gs...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// planFirst plans every group by "keep first", but group hand, kept by its last member by
// hand: the plan the TUI's review would make.
func planFirst(ns model.Namespace, key model.Key, groups []model.Group, hand int) *model.Plan {
	choices := make([]model.Choice, len(groups))
	for i, g := range groups {
		choices[i] = model.Choice{How: model.ByRule}
		if i == hand {
			choices[i] = model.Choice{How: model.ByHand, Keep: g.Count() - 1}
		}
	}
	pr := model.BuildPlan(groups, choices, model.PlanOptions{})
	return &model.Plan{Version: model.PlanVersion, NS: ns, Key: key, Semantics: key.Semantics(), Rule: "first",
		CreatedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Groups: pr.Groups}
}

func render(t *testing.T, f Fetcher, in Input) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(context.Background(), &b, f, in); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// section is the text of the element with the given id, up to the next section.
func section(t *testing.T, page, id string) string { return upTo(t, page, id, "<section") }

// upTo is the text of the element with the given id, up to the next end.
func upTo(t *testing.T, page, id, end string) string {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("the report has no element %q", id)
	}
	rest := page[i:]
	if j := strings.Index(rest, end); j >= 0 {
		return rest[:j]
	}
	return rest
}

func mustHave(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// allowed are the elements and attributes a report is made of: html/template escapes every
// "<" of the data, so each tag in the page is the template's.
var (
	allowedTags = map[string]bool{"!DOCTYPE": true, "html": true, "head": true, "meta": true, "title": true, "style": true,
		"body": true, "header": true, "footer": true, "section": true, "h1": true, "h2": true, "h3": true, "p": true,
		"b": true, "code": true, "pre": true, "span": true, "div": true, "ul": true, "li": true, "br": true,
		"table": true, "tr": true, "th": true, "td": true}
	allowedAttrs = map[string]bool{"lang": true, "charset": true, "name": true, "content": true, "class": true, "id": true, "scope": true}
	tagRE        = regexp.MustCompile(`<(/?)([!A-Za-z][A-Za-z0-9]*)([^>]*)>`)
	attrRE       = regexp.MustCompile(`([A-Za-z-]+)(?:="[^"]*")?`)
	barRE        = regexp.MustCompile(`^style="width: \d+%"$`)
)

// selfContained fails a page that could load or run anything: every element and attribute is
// one of the few the template uses (no script, link, image, source, event handler), and the
// style imports nothing.
func selfContained(t *testing.T, page string) {
	t.Helper()
	for _, m := range tagRE.FindAllStringSubmatch(page, -1) {
		if !allowedTags[m[2]] {
			t.Errorf("the report has an element <%s>", m[2])
		}
		if m[2] == "!DOCTYPE" || m[1] == "/" {
			continue
		}
		for _, a := range attrRE.FindAllStringSubmatch(m[3], -1) {
			if a[1] == "style" && barRE.MatchString(a[0]) {
				continue // a bar's width, a number html/template wrote in CSS
			}
			if !allowedAttrs[a[1]] {
				t.Errorf("the report has an attribute %s in <%s%s>", a[1], m[2], m[3])
			}
		}
	}
	style := page[strings.Index(page, "<style>"):strings.Index(page, "</style>")]
	for _, bad := range []string{"@import", "url(", "//"} {
		if strings.Contains(style, bad) {
			t.Errorf("the report's style holds %q: it must load nothing", bad)
		}
	}
}

func TestDemoReport(t *testing.T) {
	s := memstore.Demo()
	key := model.Key{Fields: []string{"email"}}
	groups := scan(t, s, users, key)
	plan := planFirst(users, key, groups, 1)
	page := render(t, s, Input{NS: users, Key: key, Groups: groups, Plan: plan, URI: "mongodb://db.example:27017/?replicaSet=rs0",
		BackupDir: "/var/backups/dupes", Show: 3})
	selfContained(t, page)

	sum := model.Summarize(groups)
	mustHave(t, "the header", page, `id="ns">shop.users<`, `id="key">email<`, `id="semantics">`+esc(key.Semantics())+`<`)
	mustHave(t, "the counts", section(t, page, "counts"),
		`id="count-groups">`+thousands(sum.Groups)+`<`, `id="count-documents">`+thousands(sum.Documents)+`<`,
		`id="count-surplus">`+thousands(sum.Surplus)+`<`, `id="count-deletes">`+thousands(plan.Deletes())+`<`,
		thousands(sum.LackingKey)+" documents lack the key")

	// The shape: the sizes and the differing fields, as model.Shape measures them.
	sb := model.NewShapeBuilder()
	for _, g := range groups {
		docs, _ := s.FetchDocs(context.Background(), users, g.IDs)
		sb.AddGroup(g, docs)
	}
	sh := sb.Shape()
	sizes, fields := upTo(t, page, "sizes", "</table>"), upTo(t, page, "fields", "</table>")
	for _, b := range sh.Sizes {
		mustHave(t, "the sizes", sizes, `<td class="num">`+esc(b.Label)+`</td>`)
		if !regexp.MustCompile(regexp.QuoteMeta(`<td class="num">`+esc(b.Label)+`</td>`) + `.*?<td class="num">` + thousands(b.Groups) + `</td><td class="num">` + thousands(b.Documents) + `</td>`).MatchString(sizes) {
			t.Errorf("the sizes lack %s: %d groups, %d documents", b.Label, b.Groups, b.Documents)
		}
	}
	if len(sh.Fields) < 3 {
		t.Fatalf("the demo's groups differ in %d fields", len(sh.Fields))
	}
	for _, f := range sh.Fields {
		if !regexp.MustCompile(`<td class="mono">` + regexp.QuoteMeta(f.Path) + `</td>.*?<td class="num">` + thousands(f.Groups) + `</td><td class="num">` + regexp.QuoteMeta(model.SharePercent(f.Share)) + `</td>`).MatchString(fields) {
			t.Errorf("the differing fields lack %s in %d groups", f.Path, f.Groups)
		}
	}

	// The plan: its rule in words, the one hand decision, what it leaves alone.
	pl := section(t, page, "plan")
	rule, _ := model.ParseKeepRule("first")
	if !groups[0].LacksKey() {
		t.Fatal("the demo's first group is not the one lacking the key")
	}
	hand := plan.Groups[0] // groups[1]'s, kept by hand
	if hand.Decision != model.ByHand {
		t.Fatalf("the plan's first group is decided %q", hand.Decision)
	}
	mustHave(t, "the plan", pl, `id="rule">first<`, rule.Describe(), esc(model.KeyText(groups[1].Key)),
		esc(hand.Keep.Display()), "every key field missing or null")
	if strings.Count(upTo(t, pl, "hand", "</table>"), "<tr>") != 2 {
		t.Errorf("the hand decisions are not one row:\n%s", upTo(t, pl, "hand", "</table>"))
	}

	// Three groups side by side, the others counted.
	if n := strings.Count(page, `<div class="group"`); n != 3 {
		t.Errorf("%d groups shown side by side, want 3", n)
	}
	mustHave(t, "the groups", page, "… and "+thousands(len(groups)-3)+" more groups")

	// Group 1 lacks the key: left alone, every member so marked.
	g1 := upTo(t, page, "group-1", `<div class="group"`)
	mustHave(t, "group 1", g1, "left alone: every key field missing or null")
	if n := strings.Count(g1, `<th class="head id alone"`); n != groups[0].Count() {
		t.Errorf("group 1 marks %d members left alone, want %d", n, groups[0].Count())
	}
	// Group 3: its keeper marked, its other members to delete, its differing fields marked ≠.
	g3 := upTo(t, page, "group-3", "</table>")
	docs, _ := s.FetchDocs(context.Background(), users, groups[2].IDs)
	heads := regexp.MustCompile(`<th class="head id (\w+)"`).FindAllStringSubmatch(g3, -1)
	if len(heads) != len(docs) {
		t.Fatalf("group 3 has %d member columns, want %d:\n%s", len(heads), len(docs), g3)
	}
	for i, h := range heads {
		want := "delete"
		if docs[i].ID == plan.Groups[1].Keep {
			want = "keep"
		}
		if h[1] != want {
			t.Errorf("group 3's member %d is marked %s, want %s", i+1, h[1], want)
		}
	}
	for _, r := range model.Diff(docs) {
		if r.Path == "_id" {
			continue
		}
		row := regexp.MustCompile(`<tr class="(diff|same)"><td class="gutter">(≠?)</td><td class="path mono">` +
			regexp.QuoteMeta(esc(r.Path)) + `</td>`).FindStringSubmatch(g3)
		switch {
		case row == nil:
			t.Errorf("group 3 has no row for %s", r.Path)
		case (row[1] == "diff") == r.Same || (row[2] == "≠") == r.Same:
			t.Errorf("group 3's row %s is marked %q %q; model.Diff says same=%v", r.Path, row[1], row[2], r.Same)
		}
	}

	// What will be deleted: every plan group, with its keeper and deletes.
	del := section(t, page, "deletes")
	for _, g := range plan.Groups {
		mustHave(t, "the deletes", del, esc(g.Keep.Display()))
		for _, id := range g.Delete {
			mustHave(t, "the deletes", del, esc(id.Display()))
		}
	}
	// The backup and the undo command, quoted for a shell and escaped for HTML.
	undo := model.UndoCommand("mongodb://db.example:27017/?replicaSet=rs0", users, "/var/backups/dupes/shop.users.TIMESTAMP.bson")
	mustHave(t, "the backup", section(t, page, "backup"), "/var/backups/dupes/shop.users.TIMESTAMP.bson",
		`id="undo">`+esc(undo)+`<`)
}

// TestReportWithoutPlan: the scan alone decides nothing, marks no member, and says how to
// make a plan.
func TestReportWithoutPlan(t *testing.T) {
	s := memstore.Demo()
	key := model.Key{Fields: []string{"lastName", "firstName", "birthDate"}}
	ns := model.Namespace{DB: "crm", Coll: "contacts"}
	groups := scan(t, s, ns, key)
	page := render(t, s, Input{NS: ns, Key: key, Groups: groups})
	selfContained(t, page)
	mustHave(t, "the report", page, `id="noplan"`, `id="key">(lastName, firstName, birthDate)<`)
	for _, absent := range []string{`id="deletes"`, `class="head id keep`, `class="head id delete`} {
		if strings.Contains(page, absent) {
			t.Errorf("a report without a plan holds %q", absent)
		}
	}
	if n := strings.Count(page, `<div class="group"`); n != len(groups) {
		t.Errorf("%d groups shown, want all %d (fewer than DefaultGroups)", n, len(groups))
	}
}

// TestReportChangedSincePlan: a planned delete whose document changed since the plan is
// marked, and counted among the skips.
func TestReportChangedSincePlan(t *testing.T) {
	s := memstore.Demo()
	key := model.Key{Fields: []string{"email"}}
	groups := scan(t, s, users, key)
	plan := planFirst(users, key, groups, -1)
	prints := model.Fingerprints{}
	for _, g := range groups {
		docs, _ := s.FetchDocs(context.Background(), users, g.IDs)
		for _, d := range docs {
			prints[d.ID] = d.Fingerprint
		}
	}
	changed := plan.Groups[0].Delete[0]
	prints[changed] = model.FingerprintOf([]byte("another version"))
	prints.Stamp(plan.Groups)
	page := render(t, s, Input{NS: users, Key: key, Groups: groups, Plan: plan})
	mustHave(t, "the report", page, `<th class="head id changed"`, "changed since the plan: not deleted",
		"1 document the plan deletes changed since the plan")
	if strings.Count(page, `class="head id changed"`) != 1 {
		t.Errorf("more than the one changed member is marked changed")
	}
}

// TestHostileNamesStayText: field names and values that are markup, quotes, bidi overrides,
// C1 controls and NUL are text in the report: no element, no attribute, no raw control.
func TestHostileNamesStayText(t *testing.T) {
	s := memstore.New()
	ns := model.Namespace{DB: "shop", Coll: `evil<b>"coll"`}
	s.AddCollection(model.Collection{NS: ns})
	hostile := []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, "name\u202eevil", "c1\u009bx", `it's`}
	for i := 0; i < 2; i++ {
		id := model.Value(`{"$numberInt":"` + string(rune('1'+i)) + `"}`)
		fields := []model.Field{{Path: "_id", Value: id}, {Path: "email", Value: jsonString("a@x.com")}}
		for j, h := range hostile {
			fields = append(fields, model.Field{Path: h, Value: jsonString(h + string(rune('a'+i)) + "\x00" + string(rune('0'+j)))})
		}
		s.Insert(ns, model.Doc{ID: id, Fields: fields})
	}
	key := model.Key{Fields: []string{"email"}}
	groups := scan(t, s, ns, key)
	page := render(t, s, Input{NS: ns, Key: key, Groups: groups, Plan: planFirst(ns, key, groups, -1), BackupDir: "/tmp/b<x>"})
	selfContained(t, page)
	for _, raw := range []string{"\u202e", "\u009b", "\x00", "evil<b>", `"coll"`, "<img", "<script"} {
		if strings.Contains(page, raw) {
			t.Errorf("the report holds %q raw", raw)
		}
	}
	mustHave(t, "the report", page, "&lt;script&gt;alert(1)&lt;/script&gt;", `&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`,
		`name\u202eevil`, `c1\u009bx`, `it&#39;s`, `\x00`, `evil&lt;b&gt;&#34;coll&#34;`)
	// Every hostile name is a row of the group, marked as differing (its values differ).
	for _, h := range hostile {
		p := esc(model.DisplayPath(h))
		if !regexp.MustCompile(`<tr class="diff"><td class="gutter">≠</td><td class="path mono">` + regexp.QuoteMeta(p) + `</td>`).MatchString(page) {
			t.Errorf("no differing row for the field %q", h)
		}
	}
}

// TestShowNone: a negative Show lays out no group, and the report still counts them all.
func TestShowNone(t *testing.T) {
	s := memstore.Demo()
	key := model.Key{Fields: []string{"email"}}
	groups := scan(t, s, users, key)
	page := render(t, s, Input{NS: users, Key: key, Groups: groups, Show: -1})
	if strings.Contains(page, `<div class="group"`) {
		t.Error("Show -1 laid out a group")
	}
	mustHave(t, "the report", page, "… and "+thousands(len(groups))+" more groups")
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// jsonString is a string value as Extended JSON.
func jsonString(s string) model.Value { return model.Value(model.QuoteJSON(s)) }

// esc is s as html/template writes it in text.
func esc(s string) string {
	var b strings.Builder
	if err := template.Must(template.New("").Parse("{{.}}")).Execute(&b, s); err != nil {
		panic(err)
	}
	return b.String()
}

// TestDocsShowTheReport: docs/report.md shows a screenshot of a report, and it is there, a PNG.
func TestDocsShowTheReport(t *testing.T) {
	doc, err := os.ReadFile("../docs/report.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "](report.png)") {
		t.Error("docs/report.md does not show report.png")
	}
	png, err := os.ReadFile("../docs/report.png")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 20_000 {
		t.Errorf("docs/report.png is not a screenshot (%d bytes)", len(png))
	}
}

// TestWideAndShrunkGroups: a group wider than MaxColumns shows MaxColumns members and counts
// the rest; a member deleted since the scan is counted as not found; a whole-document key
// lays out like any other.
func TestWideAndShrunkGroups(t *testing.T) {
	s := memstore.New()
	ns := model.Namespace{DB: "shop", Coll: "events"}
	s.AddCollection(model.Collection{NS: ns})
	for i := 0; i < MaxColumns+3; i++ {
		id := model.Value(`{"$numberInt":"` + thousands(i+1) + `"}`)
		s.Insert(ns, model.Doc{ID: id, Fields: []model.Field{{Path: "_id", Value: id}, {Path: "k", Value: jsonString("same")},
			{Path: "seq", Value: model.Value(`{"$numberInt":"` + thousands(i%2) + `"}`)}}})
	}
	key := model.Key{Fields: []string{"k"}}
	groups := scan(t, s, ns, key)
	s.Remove(ns, groups[0].IDs[0])
	page := render(t, s, Input{NS: ns, Key: key, Groups: groups})
	g := upTo(t, page, "group-1", "</section>")
	if n := strings.Count(g, `<th class="head id`); n != MaxColumns {
		t.Errorf("%d member columns, want %d", n, MaxColumns)
	}
	mustHave(t, "the group", g, "… and 2 more members, not shown side by side", "1 member the scan listed was not found")
	mustHave(t, "the counts", page, `id="count-documents">`+thousands(MaxColumns+3)+`<`)

	imports := model.Namespace{DB: "shop", Coll: "imports"}
	demo := memstore.Demo()
	wg := scan(t, demo, imports, model.Key{WholeDocument: true, Ignore: []string{"importedAt"}})
	if len(wg) == 0 {
		t.Fatal("the demo's imports have no whole-document duplicates")
	}
	page = render(t, demo, Input{NS: imports, Key: model.Key{WholeDocument: true, Ignore: []string{"importedAt"}}, Groups: wg})
	selfContained(t, page)
	mustHave(t, "the report", page, `id="count-groups">`+thousands(len(wg))+`<`,
		`<tr class="diff"><td class="gutter">≠</td><td class="path mono">importedAt</td>`)
}
