package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// progress writes a self-overwriting status line to stderr, only when stderr is a terminal,
// so scripts and logs get clean output. What a log must keep (a run's id, its pauses and
// resumes, notices) it writes as whole lines, terminal or not (say).
type progress struct {
	w     io.Writer // the terminal, or nil
	log   io.Writer // stderr
	shown bool

	paused      bool      // the last report was of a pause
	pausedAt    time.Time // when it began
	pausesCount int       // Pauses.Count at the last report: a new pause when it moves
}

func newProgress(stderr io.Writer) *progress {
	p := &progress{log: stderr}
	if f, ok := terminalFile(stderr); ok {
		p.w = f
	}
	return p
}

// isTerminal reports a character device: a terminal (or /dev/null, harmlessly).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) printf(format string, a ...any) {
	if p == nil || p.w == nil {
		return
	}
	// The line bypasses the terminal guard (it writes its own \r and erase): its text is
	// escaped here instead, a namespace being data too.
	fmt.Fprint(p.w, "\r\033[K"+model.SafeText(fmt.Sprintf(format, a...)))
	p.shown = true
}

func (p *progress) done() {
	if p != nil && p.w != nil && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

// say writes a line of its own to stderr, the status line cleared first.
func (p *progress) say(format string, a ...any) {
	if p == nil || p.log == nil {
		return
	}
	p.done()
	fmt.Fprintln(p.log, fmt.Sprintf(format, a...))
}

// run reports a batch run: counts is the command's own text ("deleting: 3/9 groups, …"),
// followed by the rate, the ETA (pauses counted) and the pauses so far. A pause that begins
// is said on a line of its own, and so is its end.
func (p *progress) run(counts string, pr model.Progress) {
	if p == nil {
		return
	}
	switch {
	case pr.Paused != "" && (!p.paused || pr.Pauses.Count != p.pausesCount):
		p.say("paused: %s", pr.Paused)
		p.paused, p.pausedAt = true, time.Now()
	case pr.Paused == "" && p.paused:
		p.say("resumed after %s", time.Since(p.pausedAt).Round(time.Second))
		p.paused = false
	}
	p.pausesCount = pr.Pauses.Count
	if pr.Paused != "" {
		p.printf("paused (%s): %s; %s", time.Since(p.pausedAt).Round(time.Second), pr.Paused, counts)
		return
	}
	p.printf("%s%s", counts, paceText(pr))
}

// paceText is what follows a run's counts: ", 198 docs/s (max 200), ETA 41s, 2 pauses, 31s".
func paceText(pr model.Progress) string {
	s := fmt.Sprintf(", %.0f docs/s", pr.Rate())
	if pr.MaxRate > 0 {
		s += fmt.Sprintf(" (max %g)", pr.MaxRate)
	}
	if eta := pr.ETA(); eta > 0 {
		s += ", ETA " + eta.Round(time.Second).String()
	}
	if ps := pr.Pauses.String(); ps != "" {
		s += ", " + ps
	}
	return s
}

// sayRunID says, as a command that writes starts, the id of its run: every command it sends
// carries it in its comment (currentOp, the profiler, the server's log), and the manifest
// records it.
func sayRunID(stderr io.Writer, cmd string, c *mongo.Client) {
	fmt.Fprintf(stderr, "dupes %s: run %s (named in the comment of every command it sends)\n", cmd, c.RunID())
}
