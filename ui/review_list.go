package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/dupes-tui/dupes/model"
)

// SizeEstimator is what a Store offers when it can tell the average size of a collection's
// documents (the server's avgObjSize); the review multiplies it by the documents to delete to
// estimate the backup's size on disk. A Store without it gets no estimate.
type SizeEstimator interface {
	AvgDocSize(ctx context.Context, ns model.Namespace) (int64, error)
}

// sizeMsg is a collection's average document size, for the review's backup estimate.
type sizeMsg struct {
	id  int
	avg int64
	err error
}

func sizeCmd(ctx context.Context, st Store, id int, ns model.Namespace) tea.Cmd {
	se, ok := st.(SizeEstimator)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		avg, err := se.AvgDocSize(ctx, ns)
		return sizeMsg{id: id, avg: avg, err: err}
	}
}

// backupCheckedMsg says whether the backup directory takes a file: checked before the typed
// confirmation is asked for, so a DBA never types the namespace for a run that cannot start.
type backupCheckedMsg struct {
	dir string
	err error
}

// checkBackupCmd creates the directory if needed and writes, syncs and removes a file in it,
// as the run's backup will.
func checkBackupCmd(dir string) tea.Cmd {
	return func() tea.Msg {
		err := func() error {
			if dir == "" {
				return errors.New("no backup directory given")
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			f, err := os.CreateTemp(dir, ".dupes-write-check-*")
			if err != nil {
				return err
			}
			defer os.Remove(f.Name())
			if _, err := f.Write([]byte{0}); err != nil {
				f.Close()
				return err
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}()
		return backupCheckedMsg{dir: filepath.Clean(dir), err: err}
	}
}

// backupEstimate says how much the backup will take: avgObjSize × the documents to delete.
func (s *reviewScreen) backupEstimate() string {
	n := int64(s.plan.Deletes())
	switch {
	case s.sizeErr != nil:
		return "size unknown (" + s.sizeErr.Error() + ")"
	case s.avg <= 0:
		return "size: estimating…"
	}
	return fmt.Sprintf("~%s on disk (%s × average document %s, the server's avgObjSize)", size(s.avg*n), plural(int(n), "document", "documents"), size(s.avg))
}

// reviewRow is one line of the list of what will be deleted: a plan group, or the line of the
// documents lacking the key.
func (s *reviewScreen) reviewRow(i, w int) string {
	st := s.ctx.Styles
	if i == len(s.plan.Groups) {
		ss := s.sess
		return st.Warn.Render(fit(fmt.Sprintf("  %s %s lack %s: left alone, not in the plan (m on the groups list includes them)",
			lacksMark, plural(ss.lackingDocs(), "document", "documents"), ss.key), w))
	}
	g := s.plan.Groups[i]
	// The rule is named once, above the list: a row says only who decided.
	how := st.Decision.Rule.Render("rule")
	if g.Decision == model.ByHand {
		how = st.Decision.Hand.Render("hand")
	}
	keyW := min(max(w/4, 12), 36)
	idW := 22
	label := keyText(model.Group{Key: g.Key})
	if (model.Group{Key: g.Key}).LacksKey() {
		label = lacksMark + " lacking " + s.sess.key.String()
	}
	head := fit(label, keyW) + "  keep " + fit(shown(g.Keep, idW), idW) + "  delete "
	// As many ids as fit (the first always), then "+N more" for the rest, or "+N" where that
	// is all the room left.
	room := w - 8 - ansi.StringWidth(head)
	var del strings.Builder
	used := 0
	for j, id := range g.Delete {
		t := shown(id, idW)
		if j > 0 {
			t = ", " + t
		}
		reserve := 0
		if rest := len(g.Delete) - j - 1; rest > 0 {
			reserve = len(fmt.Sprintf(" +%d", rest))
		}
		if j > 0 && used+ansi.StringWidth(t)+reserve > room {
			note := fmt.Sprintf(" +%d more", len(g.Delete)-j)
			if used+len(note) > room {
				note = fmt.Sprintf(" +%d", len(g.Delete)-j)
			}
			del.WriteString(note)
			break
		}
		del.WriteString(t)
		used += ansi.StringWidth(t)
	}
	return s.ctx.row(fit(head+del.String(), max(w-8, 10)), i == s.list.pos, max(w-6, 10)) + " " + how
}

// listLen is the rows of the list: the plan's groups, and the lacking line when they are
// left out.
func (s *reviewScreen) listLen() int {
	n := len(s.plan.Groups)
	if s.sess != nil && s.sess.lackingDocs() > 0 && !s.sess.deleteMissing {
		n++
	}
	return n
}

// takePrior says what an earlier run of the plan reviewed did, found in the backup directory:
// confirming runs the plan again, which goes on with that run (the executor finds it by the
// plan's digest), so the DBA is told before typing the namespace, never after.
func (s *reviewScreen) takePrior(msg planMsg) {
	switch {
	case msg.prior == "":
	case msg.finished:
		s.sess.prior = "this plan ran before (" + msg.prior + "): running it again deletes only what is still there"
		s.sess.resumes = false
	default:
		s.sess.prior = "a run of this plan did not finish (" + msg.prior + "): confirming goes on where it stopped, with its backup"
		s.sess.resumes = true
	}
}
