package cli

import (
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// reportHTML reads a written report and checks that it is one HTML page with no script.
func reportHTML(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(page), "</html>") {
		t.Fatalf("%s is not one HTML page:\n%.300s", path, page)
	}
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Errorf("%s holds a script", path)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("report file mode: %v %v (it holds values: owner only)", st.Mode(), err)
	}
	return page
}

// htmlText is s as html/template writes it in text.
func htmlText(s string) string {
	var b strings.Builder
	_ = template.Must(template.New("").Parse("{{.}}")).Execute(&b, s)
	return b.String()
}

// TestReportOnAPlan: dupes plan, then dupes report --plan on the same server: the counts, the
// rule, the keepers and deletes as the plan says, the differing fields marked, and a hostile
// field name as text.
func TestReportOnAPlan(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	f.insert("users",
		map[string]any{"_id": 7, "email": "c", "<b onmouseover=alert(1)>": "x\u202ey"},
		map[string]any{"_id": 8, "email": "d", "n": 1},
	)
	dir := t.TempDir()
	planFile, reportFile := filepath.Join(dir, "plan.json"), filepath.Join(dir, "report.html")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "max:n", "--out", planFile); status != 0 {
		t.Fatalf("plan: %d %s", status, errOut)
	}
	plan := readPlan(t, planFile)
	stdout, errOut, status := dupes(t, "report", "--uri", f.uri, "--plan", planFile, "--backup", "/srv/dupes backups", "--out", reportFile)
	if status != 0 {
		t.Fatalf("report: %d %s", status, errOut)
	}
	mustContain(t, "report output", stdout, "report written to "+reportFile, "3 groups, 7 documents, 4 surplus")
	page := reportHTML(t, reportFile)
	mustContain(t, "the report", page, `id="ns">`+htmlText(f.ns("users"))+`<`, `id="key">email<`,
		`id="count-groups">3<`, `id="count-documents">7<`, `id="count-surplus">4<`, `id="count-deletes">4<`,
		`id="rule">max:n<`, "&lt;b onmouseover=alert(1)&gt;", `x\u202ey`)
	if strings.Contains(page, "<b onmouseover") || strings.Contains(page, "\u202e") {
		t.Error("the hostile field name or value is in the report raw")
	}
	// Every group of the plan: its keeper and its deletes, marked in its columns.
	for _, g := range plan.Groups {
		mustContain(t, "the report", page, `<th class="head id keep" scope="col">`+htmlText(g.Keep.Display())+`<`)
		for _, id := range g.Delete {
			mustContain(t, "the report", page, `<th class="head id delete" scope="col">`+htmlText(id.Display())+`<`)
		}
	}
	// Group "a": n differs (5, 9, 1), extra is missing in two members: both marked ≠.
	for _, field := range []string{"n", "extra"} {
		if !regexp.MustCompile(`<tr class="diff"><td class="gutter">≠</td><td class="path mono">` + field + `</td>`).MatchString(page) {
			t.Errorf("no differing row for %s", field)
		}
	}
	// The undo command names the server (redacted) and a backup file in --backup, quoted.
	undo := model.UndoCommand(mongo.Redact(f.uri), plan.NS, filepath.Join("/srv/dupes backups", f.ns("users")+".TIMESTAMP.bson"))
	mustContain(t, "the report", page, `id="undo">`+htmlText(undo)+`<`)
	if n := f.count("users"); n != 8 {
		t.Fatalf("report changed the collection: %d documents", n)
	}
}

// TestReportWithoutPlan: the flags say what to scan, as scan takes them; --groups limits the
// groups side by side; - writes the page on standard output.
func TestReportWithoutPlan(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	stdout, errOut, status := dupes(t, "report", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--groups", "1", "--out", "-")
	if status != 0 {
		t.Fatalf("report: %d %s", status, errOut)
	}
	mustContain(t, "the report", stdout, "<!DOCTYPE html>", `id="noplan"`, `id="count-groups">2<`, `id="group-1"`, "1 more groups")
	if strings.Contains(stdout, `id="group-2"`) {
		t.Error("--groups 1 showed a second group")
	}
	// --index takes the key from the index, as scan does, and the report names it.
	f.createIndex("users", indexSpec{Key: map[string]int{"email": 1}, Name: "email_1"})
	stdout, errOut, status = dupes(t, "report", "--uri", f.uri, "--ns", f.ns("users"), "--index", "email_1", "--groups", "0", "--out", "-")
	if status != 0 {
		t.Fatalf("report --index: %d %s", status, errOut)
	}
	mustContain(t, "the report", stdout, `id="count-groups">2<`, "index-exact (email_1)")
	if strings.Contains(stdout, `<div class="group"`) {
		t.Error("--groups 0 showed a group")
	}
}

func TestReportRefusals(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	dir := t.TempDir()
	planFile := filepath.Join(dir, "plan.json")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--out", planFile); status != 0 {
		t.Fatalf("plan: %d %s", status, errOut)
	}
	out := filepath.Join(dir, "r.html")
	for _, c := range []struct {
		args   []string
		status int
		says   string
	}{
		{[]string{"--ns", f.ns("users"), "--key", "email"}, 2, "--out report.html is required"},
		{[]string{"--ns", f.ns("users"), "--key", "email", "--groups", "-1", "--out", out}, 2, "--groups -1"},
		{[]string{"--ns", f.ns("users"), "--out", out}, 2, "--key F[,F...] or --index NAME is required"},
		{[]string{"--plan", planFile, "--filter", "{n: 1}", "--out", out}, 2, "go with --key"},
		{[]string{"--plan", planFile, "--ns", f.ns("users"), "--key", "n", "--out", out}, 1, "is a plan for key email"},
		{[]string{"--plan", planFile, "--ns", f.ns("other"), "--out", out}, 1, "is a plan for " + f.ns("users")},
		{[]string{"--plan", filepath.Join(dir, "none.json"), "--out", out}, 1, "cannot read the plan"},
	} {
		_, errOut, status := dupes(t, append([]string{"report", "--uri", f.uri}, c.args...)...)
		if status != c.status || !strings.Contains(errOut, c.says) {
			t.Errorf("report %v: status %d, %q; want %d saying %q", c.args, status, errOut, c.status, c.says)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused report wrote its file")
	}
}
