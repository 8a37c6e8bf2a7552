package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/internal/atomicfile"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/report"
)

// reportState is the review's HTML report: being written to path, or written there.
type reportState struct {
	writing bool
	path    string
	err     error
}

// htmlReportMsg says the HTML report was written to path, or why not.
type htmlReportMsg struct {
	id   int
	path string
	err  error
}

func (htmlReportMsg) target() screenID { return scrReview }

// askReport asks where to write the HTML report: the backup directory, by default.
func (s *reviewScreen) askReport() tea.Cmd {
	name := fmt.Sprintf("dupes-report-%s-%s.html", s.sess.ns, time.Now().UTC().Format("20060102-150405"))
	if s.ctx.Cfg.BackupDir != "" {
		name = filepath.Join(s.ctx.Cfg.BackupDir, name)
	}
	return s.ask.ask("", "write report to › ", "", name, func(v string) error {
		if v == "" {
			return fmt.Errorf("a file name is needed")
		}
		return nil
	}, func(v string) tea.Cmd {
		s.report = reportState{writing: true, path: v}
		s.setKeys()
		return reportCmd(s.ctx.base, s.ctx.Store, s.sess.id, v, s.reportInput())
	})
}

// reportInput is what the report is made of: the session's groups, the plan reviewed, the
// groups skipped by hand, the server (its password redacted) and the backup directory.
func (s *reviewScreen) reportInput() report.Input {
	ss := s.sess
	n := len(ss.groups)
	skipped := map[int]bool{}
	for gi, sk := range ss.skip {
		if sk {
			skipped[gi] = true
		}
	}
	uri := s.ctx.Cfg.URI
	if s.ctx.Cfg.Redact != nil {
		uri = s.ctx.Cfg.Redact(uri)
	}
	p := s.plan
	in := report.Input{NS: ss.ns, Key: ss.key, Groups: ss.groups[:n:n], Plan: &p, Skipped: skipped, URI: uri,
		BackupDir: s.ctx.Cfg.BackupDir}
	if s.ctx.Cfg.Demo {
		in.URI, in.BackupDir = "", ""
		in.Notes = []string{"Demo data (dupes --demo): it lives in memory, and so does its backup."}
	}
	return in
}

// reportCmd reads the groups' members and writes the report whole or not at all.
func reportCmd(ctx context.Context, st Store, id int, path string, in report.Input) tea.Cmd {
	return func() tea.Msg {
		var buf bytes.Buffer
		err := report.Write(ctx, &buf, st, in)
		if err == nil && filepath.Dir(path) != "." {
			err = os.MkdirAll(filepath.Dir(path), 0o700)
		}
		if err == nil {
			err = atomicfile.Write(path, buf.Bytes())
		}
		return htmlReportMsg{id: id, path: path, err: err}
	}
}

func (s *reviewScreen) onReport(msg htmlReportMsg) tea.Cmd {
	if s.sess == nil || msg.id != s.sess.id || !s.report.writing || msg.path != s.report.path {
		return nil
	}
	s.report = reportState{path: msg.path, err: msg.err}
	s.setKeys()
	if msg.err != nil {
		return nil
	}
	return s.ctx.intent(statusMsg("Report written to " + msg.path))
}

// reportLine says where the report is being written, was written, or why it was not.
func (s *reviewScreen) reportLine() string {
	st := s.ctx.Styles
	r := s.report
	switch {
	case r.writing:
		return st.Muted.Render("Writing the report to " + r.path + "…")
	case r.err != nil:
		return st.Error.Render(para("The report was not written to "+r.path+": "+model.SafeText(r.err.Error()), s.w))
	case r.path != "":
		return st.OK.Render("✓ Report written to "+r.path) + st.Muted.Render("  (open it in a browser: one HTML file, nothing fetched)")
	}
	return ""
}
