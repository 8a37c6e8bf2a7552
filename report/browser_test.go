package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
)

// chromium is the headless browser the rendering tests use, or a skip that names why there is
// none (a failure under CI=true, where it must be installed).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH: the report's rendering test needs it (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install chromium): the report is not rendered in a browser")
	return ""
}

// renderDOM opens the page in headless Chromium, from a file as a reviewer would, and returns
// the DOM it built: what the browser made of the page, not what the template wrote.
func renderDOM(t *testing.T, browser, page string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	// A script the page should not hold (an alert from markup a value became) stops the dump
	// until the dialog is answered, which never comes: the browser is stopped a little before
	// go test's own deadline, so the test fails saying why instead of the binary panicking.
	ctx := context.Background()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-time.Until(dl)/20))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--dump-dom", "file://"+file)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			t.Fatalf("%s --dump-dom did not finish before the test's deadline: a dialog from a script in the page?\n%s", browser, out.String())
		}
		t.Fatalf("%s --dump-dom: %v\n%s", browser, err, errb.String())
	}
	if !strings.Contains(out.String(), "</html>") {
		t.Fatalf("%s rendered no page:\n%s\n%s", browser, out.String(), errb.String())
	}
	return out.String()
}

// domElements fails a DOM holding an element the template does not write: a field name or a
// value that became markup.
func domElements(t *testing.T, dom string) {
	t.Helper()
	for _, m := range tagRE.FindAllStringSubmatch(dom, -1) {
		if m[2] != "tbody" && !allowedTags[m[2]] { // the browser adds tbody to each table
			t.Errorf("the rendered page has an element <%s%s>", m[2], m[3])
		}
	}
}

// TestBrowserRendersTheReport: Chromium renders the demo's report with its counts and the
// marked differences of a group, and a report of hostile names with each name as text.
func TestBrowserRendersTheReport(t *testing.T) {
	browser := chromium(t)

	s := memstore.Demo()
	key := model.Key{Fields: []string{"email"}}
	groups := scan(t, s, users, key)
	plan := planFirst(users, key, groups, -1)
	dom := renderDOM(t, browser, render(t, s, Input{NS: users, Key: key, Groups: groups, Plan: plan, BackupDir: "/var/backups/dupes"}))
	domElements(t, dom)
	sum := model.Summarize(groups)
	mustHave(t, "the rendered counts", dom, `id="count-groups">`+thousands(sum.Groups)+`<`,
		`id="count-documents">`+thousands(sum.Documents)+`<`, `id="count-surplus">`+thousands(sum.Surplus)+`<`)
	// Group 2 (alovelace): plan and address.city differ, marked ≠; name is the same.
	g2 := upTo(t, dom, "group-2", "</table>")
	for _, want := range []string{
		`<tr class="diff"><td class="gutter">≠</td><td class="path mono">plan</td>`,
		`<tr class="diff"><td class="gutter">≠</td><td class="path mono">address.city</td>`,
		`<tr class="same"><td class="gutter"></td><td class="path mono">name</td>`,
		`<th class="head id keep" scope="col">`,
		`<th class="head id delete" scope="col">`,
	} {
		mustHave(t, "group 2 as rendered", g2, want)
	}

	hs := memstore.New()
	ns := model.Namespace{DB: "shop", Coll: "users"}
	hs.AddCollection(model.Collection{NS: ns})
	for i, city := range []string{"Oslo", "Bergen"} {
		id := jsonString(string(rune('a' + i)))
		hs.Insert(ns, model.Doc{ID: id, Fields: []model.Field{{Path: "_id", Value: id}, {Path: "email", Value: jsonString("a@x.com")},
			{Path: `<script>alert(1)</script>`, Value: jsonString(city)}, {Path: `<img src=x onerror=alert(2)>`, Value: jsonString("\u202e" + city)}}})
	}
	hg := scan(t, hs, ns, key)
	dom = renderDOM(t, browser, render(t, hs, Input{NS: ns, Key: key, Groups: hg}))
	domElements(t, dom)
	if regexp.MustCompile(`(?i)<(script|img)`).MatchString(dom) {
		t.Error("a hostile field name became an element")
	}
	mustHave(t, "the rendered hostile names", dom,
		`<td class="path mono">&lt;script&gt;alert(1)&lt;/script&gt;</td>`,
		`<td class="path mono">&lt;img src=x onerror=alert(2)&gt;</td>`,
		`"\u202eOslo"`)
}
