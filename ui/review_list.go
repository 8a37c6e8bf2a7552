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

// SizeEstimator is what a Store offers when it can size the documents a backup would hold
// (the adapter reads them, the demo store measures them); the review asks it about a sample
// of the plan's deletes and scales that to all of them. A Store without it gets no estimate.
type SizeEstimator interface {
	BackupSizeEstimate(ctx context.Context, ns model.Namespace, ids []model.Value) (int64, error)
}

// sizeSample is the most documents the review's estimate reads: one round trip, and an
// average within a few per cent on all but the most uneven collections.
const sizeSample = 200

// sizeMsg is the review's backup estimate: of the plan's docs deletes, sampled were read and
// held bytes.
type sizeMsg struct {
	id      int
	bytes   int64
	sampled int
	docs    int
	err     error
}

// sizeCmd sizes up to sizeSample of the plan's deletes, evenly spread over them, so the
// estimate says exactly what it read.
func sizeCmd(ctx context.Context, st Store, id int, p model.Plan) tea.Cmd {
	se, ok := st.(SizeEstimator)
	if !ok {
		return nil
	}
	var ids []model.Value
	for _, g := range p.Groups {
		ids = append(ids, g.Delete...)
	}
	n := len(ids)
	if n == 0 {
		return nil
	}
	sample := ids
	if n > sizeSample {
		sample = make([]model.Value, sizeSample)
		for i := range sample {
			sample[i] = ids[i*n/sizeSample]
		}
	}
	return func() tea.Msg {
		b, err := se.BackupSizeEstimate(ctx, p.NS, sample)
		return sizeMsg{id: id, bytes: b, sampled: len(sample), docs: n, err: err}
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

// backupEstimate says how much the backup will take, from the documents sized.
func (s *reviewScreen) backupEstimate() string {
	z := s.size
	switch {
	case s.plan.Deletes() == 0:
		return "nothing to back up"
	case z.err != nil:
		return "size unknown (" + z.err.Error() + ")"
	case z.sampled == 0:
		return "size: estimating…"
	case z.sampled == z.docs:
		return fmt.Sprintf("~%s on disk (%s, each sized)", size(z.bytes), plural(z.docs, "document", "documents"))
	}
	return fmt.Sprintf("~%s on disk (%s, sized from %s of them)", size(z.bytes*int64(z.docs)/int64(z.sampled)),
		plural(z.docs, "document", "documents"), count(int64(z.sampled)))
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
