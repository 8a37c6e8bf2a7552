package ui

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestReviewWritesTheHTMLReport: H asks where (the backup directory by default), writes the
// report there in a Cmd and says its path; the server's password is not in it.
func TestReviewWritesTheHTMLReport(t *testing.T) {
	h := openGroups(t, "shop.users", "email", func(c *Config) {
		c.Demo = false
		c.URI = "mongodb://admin:s3cret@db.example.com/"
		c.Redact = func(s string) string { return strings.ReplaceAll(s, "s3cret", "xxxxx") }
	})
	ruleFirst(h)
	h.keys("D")
	h.keys("H")
	h.wantView("write report to › " + h.m.ctx.Cfg.BackupDir)
	h.keys("enter")
	m := regexp.MustCompile(`✓ Report written to (\S+\.html)`).FindStringSubmatch(strings.ReplaceAll(h.m.View(), "\n", ""))
	if m == nil {
		t.Fatalf("no report path on the review:\n%s", h.m.View())
	}
	if filepath.Dir(m[1]) != h.m.ctx.Cfg.BackupDir {
		t.Fatalf("the report went to %s, not the backup directory %s", m[1], h.m.ctx.Cfg.BackupDir)
	}
	b, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"<html", "shop.users", "alovelace@example.com", "db.example.com"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(page, "s3cret") {
		t.Error("the report holds the password")
	}
}

// TestReviewSizesTheBackupFromASample: the estimate reads at most sizeSample of the documents
// to delete and says so; with fewer, each is sized.
func TestReviewSizesTheBackupFromASample(t *testing.T) {
	st := bigStore()
	h := openGroups(t, "big.c", "k", func(c *Config) {
		c.Demo = false
		c.Connect = func(context.Context, string) (Store, error) { return st, nil }
	})
	ruleFirst(h)
	h.keys("D")
	flat := strings.Join(strings.Fields(h.m.View()), " ") // the field wraps under a long directory
	if !regexp.MustCompile(`~\d[\d.]* k?M?B on disk \(1,500 documents, sized from 200 of them\)`).MatchString(flat) {
		t.Fatalf("no sampled estimate:\n%s", h.m.View())
	}
}

// TestReviewReportShowsProgressAndEscStopsIt: while the report is written the review counts
// the groups read; esc stops it and nothing is written; esc again leaves the review.
func TestReviewReportShowsProgressAndEscStopsIt(t *testing.T) {
	st := bigStore() // read in three batches: the second report of progress waits for the screen
	h := openGroups(t, "big.c", "k", func(c *Config) {
		c.Connect = func(context.Context, string) (Store, error) { return st, nil }
	})
	ruleFirst(h)
	h.keys("D")
	h.hold = func(msg tea.Msg) bool { _, ok := msg.(reportProgressMsg); return ok }
	h.keys("H", "enter")
	if flat := strings.Join(strings.Fields(h.m.View()), " "); !strings.Contains(flat, "0 of 1,500 groups read · esc stops it") {
		t.Fatalf("no progress while the report is written:\n%s", h.m.View())
	}
	h.keys("esc")
	h.wantScreen(scrReview)
	h.hold = nil
	h.release()
	h.wantView("Report stopped (esc): nothing")
	if pages, _ := filepath.Glob(filepath.Join(h.m.ctx.Cfg.BackupDir, "*.html")); len(pages) != 0 {
		t.Fatalf("a stopped report was written: %v", pages)
	}
	h.keys("esc")
	h.wantScreen(scrGroups)
}
