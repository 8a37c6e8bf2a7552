package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/internal/atomicfile"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/report"
)

// reportState is the review's HTML report: being written to path (done of total groups read;
// cancel stops it), or written there, or not (err).
type reportState struct {
	writing     bool
	path        string
	err         error
	cancel      context.CancelFunc
	done, total int
}

// reportProgressMsg says how many groups the report has read; next waits for more.
type reportProgressMsg struct {
	id          int
	done, total int
	next        tea.Cmd
}

func (reportProgressMsg) target() screenID { return scrReview }

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
		ctx, cancel := context.WithCancel(s.ctx.base)
		s.report = reportState{writing: true, path: v, cancel: cancel, total: len(s.sess.groups)}
		s.setKeys()
		return reportCmd(ctx, s.ctx.Store, s.sess.id, v, s.reportInput())
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

// reportCmd reads the groups' members in the background, saying how far it has come, and
// writes the report whole or not at all.
func reportCmd(ctx context.Context, st Store, id int, path string, in report.Input) tea.Cmd {
	return backgroundCmd(ctx, func(progress func(done, total int)) tea.Msg {
		in.Progress = progress
		var buf bytes.Buffer
		err := report.Write(ctx, &buf, st, in)
		if err == nil {
			err = ctx.Err() // stopped after its last read: nothing is written all the same
		}
		if err == nil && filepath.Dir(path) != "." {
			err = os.MkdirAll(filepath.Dir(path), 0o700)
		}
		if err == nil {
			err = atomicfile.Write(path, buf.Bytes())
		}
		return htmlReportMsg{id: id, path: path, err: err}
	}, func(done, total int, next tea.Cmd) tea.Msg {
		return reportProgressMsg{id: id, done: done, total: total, next: next}
	})
}

// stopReport cancels the report being written: nothing is written.
func (s *reviewScreen) stopReport() {
	if s.report.cancel != nil {
		s.report.cancel()
	}
}

func (s *reviewScreen) onReportProgress(msg reportProgressMsg) tea.Cmd {
	if s.sess == nil || msg.id != s.sess.id || !s.report.writing {
		return nil
	}
	s.report.done, s.report.total = msg.done, msg.total
	return msg.next
}

func (s *reviewScreen) onReport(msg htmlReportMsg) tea.Cmd {
	if s.sess == nil || msg.id != s.sess.id || !s.report.writing || msg.path != s.report.path {
		return nil
	}
	s.report.cancel()
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
		return st.Muted.Render(para(fmt.Sprintf("Writing the report to %s… %s of %s groups read · esc stops it",
			r.path, count(int64(r.done)), count(int64(r.total))), s.w))
	case errors.Is(r.err, context.Canceled):
		return st.Muted.Render(para("Report stopped (esc): nothing written to "+r.path+".", s.w))
	case r.err != nil:
		return st.Error.Render(para("The report was not written to "+r.path+": "+model.SafeText(r.err.Error()), s.w))
	case r.path != "":
		return st.OK.Render(para("✓ Report written to "+r.path+"  (open it in a browser: one HTML file, nothing fetched)", s.w))
	}
	return ""
}
