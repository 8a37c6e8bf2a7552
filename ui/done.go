package ui

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// doneScreen reports a run: deleted, skipped (and why), failed; the backup and the command
// that restores it.
type doneScreen struct {
	ctx    *Context
	keys   keymap.KeyMap
	rep    model.Report
	err    error
	key    model.Key
	reason []reasonCount
	w, h   int
}

type reasonCount struct {
	reason string
	n      int
}

func newDoneScreen(ctx *Context) *doneScreen {
	s := &doneScreen{ctx: ctx}
	s.setKeys()
	return s
}

func (s *doneScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	keymap.Disable(&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Left, &k.Right, &k.Open,
		&k.Filter, &k.Keep, &k.Select, &k.Next, &k.Prev, &k.Rules, &k.Review, &k.Save, &k.Copy,
		&k.Retry, &k.Reload, &k.Browse, &k.Case, &k.Trim, &k.Query, &k.Paste, &k.Index)
	k.Back.SetHelp("esc", "scan again")
}

func (s *doneScreen) open(rep model.Report, err error, k model.Key) {
	s.rep, s.err, s.key = rep, err, k
	byReason := map[string]int{}
	for _, g := range rep.Groups {
		for _, sk := range g.Skipped {
			byReason[sk.Reason]++
		}
	}
	s.reason = s.reason[:0]
	for r, n := range byReason {
		s.reason = append(s.reason, reasonCount{r, n})
	}
	sort.Slice(s.reason, func(i, j int) bool {
		return s.reason[i].n > s.reason[j].n || (s.reason[i].n == s.reason[j].n && s.reason[i].reason < s.reason[j].reason)
	})
	s.setKeys()
}

func (s *doneScreen) Update(msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyMsg); ok && key.Matches(km, s.keys.Back) {
		return s.ctx.intent(backMsg{})
	}
	return nil
}

func (s *doneScreen) View() string {
	st := s.ctx.Styles
	r := s.rep
	var b strings.Builder
	switch {
	case s.err != nil:
		b.WriteString(st.Error.Render("The run stopped: ") + s.err.Error() + "\n\n")
	case r.Cancelled:
		b.WriteString(st.Warn.Render("Stopped on request") + st.Muted.Render(" — the batch in flight was finished") + "\n\n")
	default:
		b.WriteString(st.OK.Render("✓ Done") + st.Muted.Render(" — "+r.NS.String()) + "\n\n")
	}
	line := func(label, value string) { b.WriteString(s.ctx.field(label, 14, value, s.w) + "\n") }
	line("deleted", st.Bold.Render(plural(r.Deleted, "document", "documents")))
	line("skipped", plural(r.SkippedDocs, "document", "documents")+st.Muted.Render(" (changed or gone since the scan: never deleted)"))
	for i, rc := range s.reason {
		if i == 5 {
			line("", st.Muted.Render(fmt.Sprintf("… and %d more reasons", len(s.reason)-5)))
			break
		}
		line("", fmt.Sprintf("%6s  %s", count(int64(rc.n)), rc.reason))
	}
	line("failed", plural(r.FailedGroups, "group", "groups"))
	if r.NotReached > 0 {
		line("not reached", plural(r.NotReached, "group", "groups")+st.Muted.Render(" (run again to finish)"))
	}
	if !r.FinishedAt.IsZero() && !r.StartedAt.IsZero() {
		line("took", duration(r.FinishedAt.Sub(r.StartedAt)))
	}
	b.WriteString("\n")
	if r.BackupPath != "" {
		line("backup", r.BackupPath)
		if s.ctx.Cfg.Demo {
			line("restore", st.Muted.Render("demo data lives in memory: nothing to restore"))
		} else {
			// Not wrapped: the command is for copying. Long lines break with a shell "\".
			b.WriteString(st.Muted.Render("restore with") + "\n")
			b.WriteString(st.Code.Render(s.restoreCommand(r.BackupPath)) + "\n")
		}
	}
	if r.FailedGroups == 0 && r.NotReached == 0 && s.err == nil && r.Deleted > 0 {
		b.WriteString("\n" + st.Muted.Render(para("If no other duplicates remain (scan again with esc), a unique index on "+
			s.key.String()+" can now be built.", s.w)) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// restoreCommand is the command that puts the backup back, naming the deployment unless it
// is the default; a password shows as ****, for the user to type back.
func (s *doneScreen) restoreCommand(path string) string {
	cmd := "  dupes restore"
	if uri := s.ctx.Cfg.URI; uri != "" && uri != os.Getenv("MONGODB_URI") && uri != "mongodb://localhost:27017" {
		if s.ctx.Cfg.Redact != nil {
			uri = s.ctx.Cfg.Redact(uri)
		}
		cmd += " --uri " + shellQuote(uri) + " \\\n   "
	}
	return cmd + " --backup " + shellQuote(path)
}

// shellQuote quotes a path for a shell when it needs it.
func shellQuote(s string) string {
	if strings.ContainsAny(s, " '\"$`\\*?[]{}()<>|&;#~!") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

func (s *doneScreen) SetSize(w, h int) { s.w, s.h = w, h }
func (s *doneScreen) Typing() bool     { return false }
func (s *doneScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.keys.Back, s.keys.Help, s.keys.Quit}
}
func (s *doneScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
