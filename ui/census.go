package ui

// The census: where a database's duplicates are, before any key is picked. `c` on a
// database's collection list counts the candidate keys of every collection (its non-unique
// indexes, its unique-looking fields, the whole document) within a budget (model.TakeCensus,
// through the store), and lists them by surplus; enter on one scans that collection by that
// key. Results stream in as they are counted (a stream, as the key screen's counts).

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// censusTaker is a store that takes a census of a database (the adapter and memstore do).
type censusTaker interface {
	Census(ctx context.Context, db string, opt model.CensusOptions, report func(model.CandidateCount)) (model.Census, error)
}

// defaultCensusOptions bound a census started from the collection list: two minutes and a
// hundred million documents read, the sample the store's default.
func defaultCensusOptions() model.CensusOptions {
	return model.CensusOptions{Budget: model.Budget{Time: 2 * time.Minute, Docs: 100_000_000}}
}

// censusScreen lists a database's candidate keys by surplus, as they are counted.
type censusScreen struct {
	ctx  *Context
	keys keymap.KeyMap
	db   string
	opt  model.CensusOptions

	gen       int
	on        bool
	cancelled bool // esc stopped it; the end is on its way
	cancel    context.CancelFunc
	started   time.Time
	elapsed   time.Duration // as of the last message
	results   []model.CandidateCount
	done      *model.Census // the end, once it came
	err       error         // listing the collections failed
	rows      []model.Candidate
	spin      spinner.Model // turns, and moves the elapsed time, while the census runs
	collW     int           // the columns' widths, as wide as the rows need (relist)
	keyW      int
	cursor    listCursor
	w, h      int
}

// openCensusMsg opens the census of a database, bounded by opt.
type openCensusMsg struct {
	db  string
	opt model.CensusOptions
}

func (openCensusMsg) opens() screenID { return scrCensus }

// censusCountMsg is one counted candidate of a census.
type censusCountMsg struct {
	gen int
	st  *stream
	res model.CandidateCount
}

// censusEndMsg is a census's end: everything it found, and what it did not get to.
type censusEndMsg struct {
	gen    int
	census model.Census
	err    error
}

func (censusCountMsg) target() screenID { return scrCensus }
func (censusEndMsg) target() screenID   { return scrCensus }

func newCensusScreen(ctx *Context) *censusScreen {
	s := &censusScreen{ctx: ctx, spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
	s.setKeys()
	return s
}

func (s *censusScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Open.SetHelp("enter", "scan this key")
	k.Back.SetHelp("esc", "collections")
	if s.running() {
		k.Back.SetHelp("esc", "stop counting")
	}
	k.Reload.SetHelp("R", "take the census again")
	k.Reload.SetEnabled(!s.on)
}

// running tells whether esc stops the census rather than leaving.
func (s *censusScreen) running() bool { return s.on && !s.cancelled }

// start takes the census.
func (s *censusScreen) start() tea.Cmd {
	s.stop()
	ctx, cancel := context.WithCancel(s.ctx.base)
	s.gen++
	s.on, s.cancelled, s.cancel = true, false, cancel
	s.started, s.elapsed = time.Now(), 0
	s.results, s.done, s.err = nil, nil, nil
	s.relist()
	s.setKeys()
	taker, _ := s.ctx.Store.(censusTaker)
	return tea.Batch(s.spin.Tick, censusCmd(ctx, s.gen, taker, s.db, s.opt))
}

// censusCmd takes the census in a goroutine, streaming each count.
func censusCmd(ctx context.Context, gen int, taker censusTaker, db string, opt model.CensusOptions) tea.Cmd {
	return func() tea.Msg {
		if taker == nil {
			return censusEndMsg{gen: gen, err: fmt.Errorf("this store takes no census")}
		}
		st := newStream()
		go func() {
			c, err := taker.Census(ctx, db, opt, func(r model.CandidateCount) {
				st.send(ctx, censusCountMsg{gen: gen, st: st, res: r})
			})
			st.end <- censusEndMsg{gen: gen, census: c, err: err}
		}()
		return st.next()()
	}
}

// stop cancels a census in progress; what it did not count is listed as not counted.
func (s *censusScreen) stop() {
	if !s.running() {
		return
	}
	s.cancelled = true
	s.cancel()
	s.elapsed = time.Since(s.started)
	s.setKeys()
}

func (s *censusScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openCensusMsg:
		s.db, s.opt = msg.db, msg.opt
		s.cursor = listCursor{h: s.cursor.h}
		return s.start()
	case spinner.TickMsg:
		if msg.ID != s.spin.ID() || !s.on {
			return nil // the census ended: so does the chain
		}
		s.elapsed = time.Since(s.started)
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return cmd
	case censusCountMsg:
		if msg.gen != s.gen {
			return nil // an earlier census, cancelled: its sends give up
		}
		s.results = append(s.results, msg.res)
		model.SortBySurplus(s.results)
		s.elapsed = time.Since(s.started)
		s.relist()
		return msg.st.next()
	case censusEndMsg:
		if msg.gen != s.gen {
			return nil
		}
		s.on = false
		s.cancel()
		s.elapsed = time.Since(s.started)
		if msg.err != nil {
			s.err = msg.err
		} else {
			s.done = &msg.census
			s.results = msg.census.Results
		}
		s.relist()
		s.setKeys()
	case tea.MouseMsg:
		s.cursor.navigate(msg, s.keys)
	case tea.KeyMsg:
		if s.cursor.navigate(msg, s.keys) {
			return nil
		}
		switch {
		case key.Matches(msg, s.keys.Back) && s.running():
			s.stop()
		case key.Matches(msg, s.keys.Back):
			s.stop()
			return s.ctx.intent(backMsg{})
		case key.Matches(msg, s.keys.Reload):
			return s.start()
		case key.Matches(msg, s.keys.Open):
			if s.cursor.pos >= len(s.rows) {
				return nil
			}
			c := s.rows[s.cursor.pos]
			s.stop() // the scan reads a collection: the census would compete with it
			open := openKeyMsg{ns: c.NS}
			if c.Kind != model.CandidateCollection {
				k := c.Key
				open.start = &k
			}
			return s.ctx.intent(open)
		}
	}
	return nil
}

// relist lays out the rows the cursor moves over: the results, most surplus first, then what
// was not counted, in the order it would have been.
func (s *censusScreen) relist() {
	s.rows = s.rows[:0]
	for _, r := range s.results {
		s.rows = append(s.rows, r.Candidate)
	}
	if s.done != nil {
		for _, nd := range s.done.NotDone {
			s.rows = append(s.rows, nd.Candidate)
		}
	}
	s.cursor.setLen(len(s.rows))
	s.collW, s.keyW = 10, 14
	for _, c := range s.rows {
		s.collW = max(s.collW, min(lipgloss.Width(model.SafeText(c.NS.Coll)), 20))
		s.keyW = max(s.keyW, min(lipgloss.Width(model.SafeText(candidateName(c))), 30))
	}
	if s.done != nil {
		for _, u := range s.done.Unscanned {
			s.collW = max(s.collW, min(lipgloss.Width(model.SafeText(u.NS.Coll)), 20))
		}
	}
}

// candidateName is a candidate's key as the census lists it.
func candidateName(c model.Candidate) string {
	switch c.Kind {
	case model.CandidateIndex:
		return "index " + c.Key.Index + " " + c.Key.String()
	case model.CandidateCollection:
		return "(its candidates)"
	}
	return c.Key.String()
}

func (s *censusScreen) View() string {
	st := s.ctx.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Census of "+model.SafeText(s.db)) + st.Muted.Render("  — where the duplicates are") + "\n")
	b.WriteString(st.Muted.Render(fit(s.statusLine(), s.w)) + "\n")
	if s.err != nil {
		return b.String() + "\n" + st.Error.Render(para(model.SafeLines(s.err.Error()), s.w)) + "\n\n" +
			st.Muted.Render("R tries again; esc goes to the collection list.")
	}
	collW, keyW := s.collW, s.keyW
	b.WriteString(st.List.Header.Render(fit(fmt.Sprintf("  %-*s %-*s %7s %8s  %s", collW, "COLLECTION", keyW, "KEY", "GROUPS", "SURPLUS", "WHY"), s.w)) + "\n")
	from, to := s.cursor.window()
	for i := from; i < to; i++ {
		if i == len(s.results) {
			b.WriteString(st.List.Header.Render(fit("  NOT COUNTED", s.w)) + "\n")
		}
		c := s.rows[i]
		var cells, why string
		if i < len(s.results) {
			r := s.results[i]
			cells, why = countCells(r.Count), r.Why
			if r.Err != nil {
				cells, why = rjust("✗", 16), model.SafeText(r.Err.Error())
			}
		} else {
			cells, why = cutCells(), s.done.NotDone[i-len(s.results)].Reason
		}
		line := fitMiddle(model.SafeText(c.NS.Coll), collW) + " " + fitMiddle(model.SafeText(candidateName(c)), keyW) + " " + cells + "  " + why
		b.WriteString(s.ctx.row(line, i == s.cursor.pos, s.w) + "\n")
	}
	if s.done != nil && len(s.done.Unscanned) > 0 {
		b.WriteString("\n" + st.List.Header.Render(fit("  NOT SCANNED", s.w)) + "\n")
		for _, u := range s.done.Unscanned {
			b.WriteString(st.List.Disabled.Render(fit("  "+fitMiddle(model.SafeText(u.NS.Coll), collW)+" "+model.SafeText(u.Reason), s.w)) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// statusLine says where the census is and what bounds it.
func (s *censusScreen) statusLine() string {
	budget := "budget " + budgetText(s.opt.Budget)
	switch {
	case s.running():
		return s.spin.View() + fmt.Sprintf("counting: %s · %s (%s) · esc stops", plural(len(s.results), "key counted", "keys counted"), duration(s.elapsed), budget)
	case s.on:
		return fmt.Sprintf("stopping: %s", plural(len(s.results), "key counted", "keys counted"))
	case s.done == nil:
		return ""
	case !s.done.Complete():
		return fmt.Sprintf("%s in %s; %d not counted (%s)", plural(len(s.results), "key counted", "keys counted"),
			plural(s.done.Collections, "collection", "collections"), len(s.done.NotDone), budget)
	}
	return fmt.Sprintf("all counted: %s in %s (%s)", plural(len(s.results), "key", "keys"),
		plural(s.done.Collections, "collection", "collections"), budget)
}

func (s *censusScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	s.cursor.setHeight(h - 8)
}
func (s *censusScreen) Typing() bool { return false }
func (s *censusScreen) Busy() bool   { return false }

func (s *censusScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Up, k.Down, k.Open, k.Reload, k.Back, k.Help, k.Quit}
}
func (s *censusScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Back, k.Reload}, {k.Help, k.Quit}}
}
