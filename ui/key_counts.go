package ui

// The key screen's GROUPS and SURPLUS columns: what a scan of each key would find, counted in
// the background before the user picks one. Counting reads the whole collection once per key,
// so the run is bounded by a budget (model.CountCandidates keeps it) and goes in the order
// worth counting (model.RankCandidates): the non-unique indexes, then the fields that look
// unique. One goroutine, started inside a Cmd, counts; each result comes back as one message
// and the screen asks for the next (a stream), so esc can stop it between or during counts.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/dupes-tui/dupes/model"
)

// candidateCounter is a store that counts candidate keys (the adapter and memstore do).
type candidateCounter interface {
	CountCandidates(ctx context.Context, cands []model.Candidate, b model.Budget,
		report func(model.CandidateCount)) ([]model.CandidateCount, []model.NotDone)
}

// distinctSampler is a store that counts distinct sampled values per path: it tells the
// unique-looking fields, counted first. Without it the fields go by fill rate.
type distinctSampler interface {
	SampleDistinct(ctx context.Context, ns model.Namespace, paths []string, n int) (map[string]int, error)
}

// defaultCountBudget bounds the key screen's counts: a minute, and fifty million documents read
// (fifty counts of a million-document collection).
func defaultCountBudget() model.Budget { return model.Budget{Time: time.Minute, Docs: 50_000_000} }

// cellState is where one row's count is.
type cellState int

const (
	cellNone     cellState = iota // not counted: a unique index (no duplicates by construction)
	cellWaiting                   // in the run, not reached yet
	cellCounting                  // the one being counted
	cellDone
	cellCut    // the budget or esc left it uncounted: "…"
	cellFailed // the count failed: why, briefly
)

// countCell is one row's count.
type countCell struct {
	state cellState
	count model.DupCount
	why   string
}

// keyCounts is the key screen's run of counts.
type keyCounts struct {
	gen       int // the run's number: a message of an earlier run is drained, not shown
	on        bool
	cancelled bool // esc stopped the run; its last message is on its way
	cancel    context.CancelFunc
	budget    model.Budget
	started   time.Time
	elapsed   time.Duration // as of the last message (View reads no clock)
	order     []string      // the rows in counting order
	cells     map[string]countCell
	total     int    // the rows counted, by this run or an earlier one, or to be
	counted   int    // of those, the ones with a count or a failure
	read      int64  // documents this run read
	stopped   string // why the last run left keys uncounted, "" when it did not
	// spin turns beside the key being counted, and its ticks move the elapsed time, while
	// the run is on: a count of a large collection takes a while.
	spin spinner.Model
}

func newKeyCounts() keyCounts { return keyCounts{spin: spinner.New(spinner.WithSpinner(spinner.Dot))} }

// keyCandidatesMsg is a run's first message: the candidates, in the order they are counted.
type keyCandidatesMsg struct {
	gen   int
	st    *stream
	cands []model.Candidate
}

// keyCountMsg is one count of a run.
type keyCountMsg struct {
	gen int
	st  *stream
	res model.CandidateCount
}

// keyCountsEndMsg ends a run: what it did not count, and why.
type keyCountsEndMsg struct {
	gen     int
	notDone []model.NotDone
}

func (keyCandidatesMsg) target() screenID { return scrKey }
func (keyCountMsg) target() screenID      { return scrKey }
func (keyCountsEndMsg) target() screenID  { return scrKey }

// stream hands a goroutine's results to Update one message at a time: each send waits until
// Update asked for it (or the run is cancelled), and the last message never waits.
type stream struct {
	ch  chan tea.Msg
	end chan tea.Msg
}

func newStream() *stream { return &stream{ch: make(chan tea.Msg), end: make(chan tea.Msg, 1)} }

func (st *stream) send(ctx context.Context, msg tea.Msg) {
	select {
	case st.ch <- msg:
	case <-ctx.Done():
	}
}

// next is the Cmd that waits for the stream's next message.
func (st *stream) next() tea.Cmd {
	return func() tea.Msg {
		select {
		case m := <-st.ch:
			return m
		case m := <-st.end:
			return m
		}
	}
}

// keyFieldRow and keyIndexRow name a key screen row: a field by its path, an index by its name.
func keyFieldRow(path string) string { return "f\x00" + path }
func keyIndexRow(name string) string { return "i\x00" + name }

func candidateRow(c model.Candidate) string {
	if c.Kind == model.CandidateIndex {
		return keyIndexRow(c.Key.Index)
	}
	if len(c.Key.Fields) == 1 {
		return keyFieldRow(c.Key.Fields[0])
	}
	return ""
}

// canCount tells whether this screen counts: the store counts, and the collection is one
// (a view's or a time-series collection's counts would read what is behind them).
func (s *keyScreen) canCount() bool {
	_, ok := s.ctx.Store.(candidateCounter)
	return ok && (s.col.Type == model.TypeCollection || s.col.Type == "") && len(s.fields)+len(s.all) > 0
}

// startCounts counts every row not counted yet, within the budget.
func (s *keyScreen) startCounts() tea.Cmd {
	if !s.canCount() {
		return nil
	}
	s.stopCounts()
	c := &s.counts
	ctx, cancel := context.WithCancel(s.ctx.base)
	c.gen++
	c.on, c.cancelled, c.cancel, c.stopped = true, false, cancel, ""
	c.budget = s.budget
	c.started, c.elapsed, c.read = time.Now(), 0, 0
	if c.cells == nil {
		c.cells = map[string]countCell{}
	}
	skip := map[string]bool{}
	for id, cell := range c.cells {
		if cell.state == cellDone {
			skip[id] = true
		}
	}
	s.setKeys()
	return tea.Batch(c.spin.Tick, keyCountsCmd(ctx, c.gen, s.ctx.Store, s.col, s.ns, append([]model.Index(nil), s.all...),
		append([]model.FieldInfo(nil), s.fields...), skip, c.budget))
}

// keyCountsCmd ranks the candidates (sampling distinct values where the store can) and counts
// them, streaming each result.
func keyCountsCmd(ctx context.Context, gen int, store Store, col model.Collection, ns model.Namespace,
	indexes []model.Index, fields []model.FieldInfo, skip map[string]bool, b model.Budget) tea.Cmd {
	return func() tea.Msg {
		st := newStream()
		go func() {
			var distinct map[string]int
			if ds, ok := store.(distinctSampler); ok {
				paths := make([]string, 0, len(fields))
				for _, f := range fields {
					paths = append(paths, f.Path)
				}
				distinct, _ = ds.SampleDistinct(ctx, ns, paths, sampleSize) // without it: by fill rate
			}
			cands := keyCandidates(col, ns, indexes, fields, distinct, skip)
			st.send(ctx, keyCandidatesMsg{gen: gen, st: st, cands: cands})
			_, notDone := store.(candidateCounter).CountCandidates(ctx, cands, b, func(r model.CandidateCount) {
				st.send(ctx, keyCountMsg{gen: gen, st: st, res: r})
			})
			st.end <- keyCountsEndMsg{gen: gen, notDone: notDone}
		}()
		return st.next()()
	}
}

// keyCandidates are the key screen's rows to count, in the order worth counting: the ranked
// candidates, then the fields an index already covers (which the ranking leaves out, and the
// screen still shows). A field is counted as enter scans it, under the collection's default
// collation.
func keyCandidates(col model.Collection, ns model.Namespace, indexes []model.Index, fields []model.FieldInfo,
	distinct map[string]int, skip map[string]bool) []model.Candidate {
	ranked := model.RankCandidates(ns, col.Count, indexes, fields, distinct)
	seen := map[string]bool{}
	for _, c := range ranked {
		seen[candidateRow(c)] = true
	}
	for _, f := range fields {
		if !seen[keyFieldRow(f.Path)] {
			ranked = append(ranked, model.Candidate{NS: ns, Kind: model.CandidateField, Key: model.Key{Fields: []string{f.Path}},
				Docs: max(col.Count, 0), Why: "covered by an index"})
		}
	}
	var out []model.Candidate
	for _, c := range ranked {
		id := candidateRow(c)
		if id == "" || skip[id] {
			continue
		}
		if c.Kind == model.CandidateField {
			if k, _, err := c.Key.WithDefaultCollation(col); err == nil {
				c.Key = k
			}
		}
		out = append(out, c)
	}
	return out
}

// countsUpdate handles the run's messages; it reports whether msg was one.
func (s *keyScreen) countsUpdate(msg tea.Msg) (tea.Cmd, bool) {
	c := &s.counts
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if msg.ID != c.spin.ID() {
			return nil, false
		}
		if !c.on {
			return nil, true // the run ended: so does the chain
		}
		c.elapsed = time.Since(c.started)
		var cmd tea.Cmd
		c.spin, cmd = c.spin.Update(msg)
		return cmd, true
	case keyCandidatesMsg:
		if msg.gen != c.gen {
			return nil, true // an earlier run, cancelled: its sends give up
		}
		c.order = c.order[:0]
		for _, cand := range msg.cands {
			id := candidateRow(cand)
			c.order = append(c.order, id)
			c.cells[id] = countCell{state: cellWaiting}
			if c.cancelled {
				c.cells[id] = countCell{state: cellCut, why: model.NotDoneCancelled}
			}
		}
		s.countsMoved()
		return msg.st.next(), true
	case keyCountMsg:
		if msg.gen != c.gen {
			return nil, true
		}
		cell := countCell{state: cellDone, count: msg.res.Count}
		if msg.res.Err != nil {
			cell = countCell{state: cellFailed, why: msg.res.Err.Error()}
		}
		c.cells[candidateRow(msg.res.Candidate)] = cell
		c.read += msg.res.Docs
		s.countsMoved()
		return msg.st.next(), true
	case keyCountsEndMsg:
		if msg.gen != c.gen {
			return nil, true
		}
		for _, nd := range msg.notDone {
			c.cells[candidateRow(nd.Candidate)] = countCell{state: cellCut, why: nd.Reason}
			if c.stopped == "" {
				c.stopped = nd.Reason
			}
		}
		c.on = false
		if c.cancel != nil {
			c.cancel()
		}
		s.countsMoved()
		if c.cancelled && c.stopped == "" && c.counted < c.total {
			c.stopped = model.NotDoneCancelled
		}
		s.setKeys()
		return nil, true
	}
	return nil, false
}

// countsMoved marks the key being counted (the first waiting one: the model counts in order),
// and tallies the rows and the time spent.
func (s *keyScreen) countsMoved() {
	c := &s.counts
	c.elapsed = time.Since(c.started)
	c.total, c.counted = len(c.cells), 0
	for _, cell := range c.cells {
		if cell.state == cellDone || cell.state == cellFailed {
			c.counted++
		}
	}
	first := true
	for _, id := range c.order {
		switch cell := c.cells[id]; cell.state {
		case cellCounting, cellWaiting:
			cell.state = cellWaiting
			if first && c.on && !c.cancelled {
				cell.state, first = cellCounting, false
			}
			c.cells[id] = cell
		}
	}
}

// stopCounts cancels the run (esc, leaving the screen, another collection): what it did not
// count shows "…".
func (s *keyScreen) stopCounts() {
	c := &s.counts
	if !c.on || c.cancelled {
		return
	}
	c.cancelled = true
	c.cancel()
	for id, cell := range c.cells {
		if cell.state == cellWaiting || cell.state == cellCounting {
			c.cells[id] = countCell{state: cellCut, why: model.NotDoneCancelled}
		}
	}
	c.elapsed = time.Since(c.started)
	s.setKeys()
}

// countsLeft tells whether some row has no count yet: C has work to do.
func (s *keyScreen) countsLeft() bool {
	if len(s.counts.cells) == 0 {
		return true
	}
	for _, cell := range s.counts.cells {
		if cell.state != cellDone {
			return true
		}
	}
	return false
}

// countsCounting tells whether esc stops the counts rather than leaving.
func (s *keyScreen) countsCounting() bool { return s.counts.on && !s.counts.cancelled }

// countColumn is a row's GROUPS and SURPLUS cells, 16 columns wide.
func (s *keyScreen) countColumn(id string) string {
	cell, ok := s.counts.cells[id]
	if !ok {
		return rjust("", 16)
	}
	switch cell.state {
	case cellCounting:
		return rjust(s.counts.spin.View()+"counting", 16)
	case cellDone:
		return countCells(cell.count)
	case cellCut:
		return cutCells()
	case cellFailed:
		return " " + fit("✗ "+model.SafeText(cell.why), 15)
	}
	return rjust("", 16)
}

// countCells are a count's GROUPS and SURPLUS cells, 16 columns wide; cutCells stand for a
// count the budget or esc left undone.
func countCells(c model.DupCount) string {
	return rjust(count(c.Groups), 7) + " " + rjust(count(c.Surplus), 8)
}

func cutCells() string { return rjust("…", 7) + " " + rjust("…", 8) }

// rjust pads s on the left to w cells (fmt's widths count bytes: "…" is three).
func rjust(s string, w int) string {
	if pad := w - lipgloss.Width(s); pad > 0 {
		return strings.Repeat(" ", pad) + s
	}
	return s
}

// countsLine says where the run is and what bounds it.
func (s *keyScreen) countsLine() string {
	c := &s.counts
	if c.total == 0 && !c.on {
		return ""
	}
	budget := "budget " + budgetText(c.budget)
	switch {
	case c.on && !c.cancelled:
		return fmt.Sprintf("counting duplicates: %d of %d keys · %s documents read · %s (%s) · esc stops",
			c.counted, c.total, count(c.read), duration(c.elapsed), budget)
	case c.on:
		return fmt.Sprintf("stopping: %d of %d keys counted", c.counted, c.total)
	case c.stopped != "":
		return fmt.Sprintf("counted %d of %d keys; … not counted: %s (%s) · C counts the rest", c.counted, c.total, c.stopped, budget)
	}
	return fmt.Sprintf("duplicates counted for %d keys (%s)", c.total, budget)
}

// budgetText is a budget as people read it: "1m00s, 50,000,000 documents".
func budgetText(b model.Budget) string {
	var parts []string
	if b.Time > 0 {
		parts = append(parts, duration(b.Time))
	}
	if b.Docs > 0 {
		parts = append(parts, count(b.Docs)+" documents")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// countFailure is the full reason the count under the cursor failed, "" when it did not.
func (s *keyScreen) countFailure(id string) string {
	if cell := s.counts.cells[id]; cell.state == cellFailed {
		return "count failed: " + cell.why
	}
	return ""
}
