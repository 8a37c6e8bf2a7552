package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// collectionsScreen lists databases, then one database's collections with their estimated
// counts, kind and unique indexes. Views, time-series, capped and system collections are
// marked: they can be scanned but never deleted from.
type collectionsScreen struct {
	ctx  *Context
	keys keymap.KeyMap
	call activity

	dbs    []model.Database
	db     string // "" while choosing a database
	cols   []model.Collection
	idx    [][]model.Index
	cursor listCursor
	dbPos  int // cursor on the database list, restored on esc
	ask    prompt
	rows   []int // the collections the / filter shows, in order; every one without a filter
	w, h   int
}

// openCollectionsMsg opens the database list (the collection list once one is chosen).
type openCollectionsMsg struct{}

func (openCollectionsMsg) opens() screenID { return scrCollections }

// collectionChosenMsg is the screen's answer: the collection to find duplicates in, with its
// indexes.
type collectionChosenMsg struct {
	col     model.Collection
	indexes []model.Index
}

func (databasesMsg) target() screenID   { return scrCollections }
func (collectionsMsg) target() screenID { return scrCollections }

func newCollectionsScreen(ctx *Context) *collectionsScreen {
	s := &collectionsScreen{ctx: ctx, call: newActivity(), ask: newPrompt(256)}
	s.setKeys()
	return s
}

func (s *collectionsScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Back.SetEnabled(s.db != "" || s.call.on)
	k.Filter.SetEnabled(s.db != "" && !s.call.on)
	k.Filter.SetHelp("/", "filter collections")
	_, census := s.ctx.Store.(censusTaker)
	k.Census.SetEnabled(census && s.db != "" && !s.call.on)
	if s.ask.open() {
		k.Open.SetHelp("enter", "keep filter")
		k.Back.SetHelp("esc", "clear filter")
		return
	}
	if s.db == "" {
		k.Open.SetHelp("enter", "open database")
	} else {
		k.Open.SetHelp("enter", "choose collection")
		k.Back.SetHelp("esc", "databases")
	}
	if s.call.on {
		k.Back.SetHelp("esc", "cancel")
	}
}

// load lists the databases.
func (s *collectionsScreen) load() tea.Cmd {
	s.db = ""
	ctx, tick := s.call.start(s.ctx.base)
	s.setKeys()
	return tea.Batch(tick, databasesCmd(ctx, s.ctx.Store))
}

// loadDB lists a database's collections.
func (s *collectionsScreen) loadDB(db string) tea.Cmd {
	s.ask.input.SetValue("") // a filter belongs to the list it was typed on
	s.ask.close()
	ctx, tick := s.call.start(s.ctx.base)
	s.setKeys()
	return tea.Batch(tick, collectionsCmd(ctx, s.ctx.Store, db))
}

func (s *collectionsScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openCollectionsMsg:
		return s.load()
	case spinner.TickMsg:
		return s.call.tick(msg)
	case ErrorMsg:
		s.call.stop()
		s.setKeys()
	case databasesMsg:
		s.call.stop()
		s.dbs = msg.dbs
		s.cursor = listCursor{h: s.cursor.h}
		s.cursor.setLen(len(s.dbs))
		s.cursor.moveTo(s.dbPos)
		s.setKeys()
	case collectionsMsg:
		s.call.stop()
		s.db, s.cols, s.idx = msg.db, msg.cols, msg.indexes
		s.cursor = listCursor{h: s.cursor.h}
		s.refilter()
		s.setKeys()
	case tea.MouseMsg:
		s.cursor.navigate(msg, s.keys)
	case tea.KeyMsg:
		if s.call.on {
			if key.Matches(msg, s.keys.Back) {
				s.call.abort()
				s.setKeys()
			}
			return nil
		}
		if s.ask.open() {
			cmd := s.ask.update(msg, s.keys)
			s.setKeys()
			return cmd
		}
		if s.cursor.navigate(msg, s.keys) {
			return nil
		}
		switch {
		case key.Matches(msg, s.keys.Filter):
			cmd := s.ask.ask("", "/ ", "collection name contains…", s.ask.input.Value(), nil, nil)
			s.ask.change = func(string) tea.Cmd { s.refilter(); return nil }
			s.ask.cancel = func() tea.Cmd { s.ask.input.SetValue(""); s.refilter(); return nil }
			s.setKeys()
			return cmd
		case key.Matches(msg, s.keys.Census):
			return s.ctx.intent(openCensusMsg{db: s.db, opt: defaultCensusOptions()})
		case key.Matches(msg, s.keys.Reload):
			if s.db != "" {
				return s.loadDB(s.db)
			}
			return s.load()
		case key.Matches(msg, s.keys.Back):
			if s.ask.input.Value() != "" {
				s.ask.input.SetValue("")
				s.refilter()
				return nil
			}
			s.db, s.cols = "", nil
			s.cursor.setLen(len(s.dbs))
			s.cursor.moveTo(s.dbPos)
			s.setKeys()
		case key.Matches(msg, s.keys.Open):
			if s.cursor.n == 0 {
				return nil
			}
			if s.db == "" {
				s.dbPos = s.cursor.pos
				return s.loadDB(s.dbs[s.cursor.pos].Name)
			}
			i := s.rows[s.cursor.pos]
			col, idx := s.cols[i], s.idx[i]
			return s.ctx.intent(collectionChosenMsg{col: col, indexes: idx})
		}
	}
	return nil
}

func (s *collectionsScreen) View() string {
	st := s.ctx.Styles
	var b strings.Builder
	if s.db == "" {
		b.WriteString(st.Title.Render("Databases") + "\n\n")
	} else {
		pos := ""
		if s.cursor.n > 0 {
			pos = fmt.Sprintf("  %d/%d", s.cursor.pos+1, s.cursor.n)
			if len(s.rows) < len(s.cols) {
				pos += fmt.Sprintf(" (of %d)", len(s.cols))
			}
		}
		b.WriteString(st.Title.Render("Collections of "+s.db) + st.Muted.Render(pos+"  — pick the one with duplicates") + "\n")
		if s.ask.open() || s.ask.input.Value() != "" {
			b.WriteString(s.ask.input.View() + "\n")
		} else {
			b.WriteString("\n")
		}
	}
	if s.call.on {
		return b.String() + s.call.view() + " Loading…"
	}
	if s.cursor.n == 0 {
		if s.db == "" {
			return b.String() + st.Muted.Render("No databases. Press R to reload.")
		}
		if len(s.cols) > 0 {
			return b.String() + st.Muted.Render("No collection name contains "+s.ask.value()+". esc clears the filter.")
		}
		return b.String() + st.Muted.Render("No collections in "+s.db+". esc goes back.")
	}
	from, to := s.cursor.window()
	if s.db == "" {
		for i := from; i < to; i++ {
			d := s.dbs[i]
			b.WriteString(s.ctx.row(fit(model.SafeText(d.Name), 30)+" "+st.Muted.Render(size(d.SizeOnDisk)), i == s.cursor.pos, s.w) + "\n")
		}
		if s.ctx.Cfg.Demo {
			b.WriteString("\n" + st.Muted.Render(para("Demo data: shop.users has duplicate emails (some differ only in case, "+
				"some users have no email), shop.orders was written twice by a retrying client, and crm.contacts "+
				"repeats people under (lastName, firstName, birthDate).", s.w)))
		}
		return strings.TrimRight(b.String(), "\n")
	}
	nameW := 12
	for _, c := range s.cols {
		nameW = max(nameW, min(lipgloss.Width(model.SafeText(c.NS.Coll)), 32))
	}
	b.WriteString(st.List.Header.Render(fit(fmt.Sprintf("  %-*s %12s  %-12s %s", nameW, "NAME", "DOCS (EST.)", "KIND", "UNIQUE INDEXES"), s.w)) + "\n")
	for p := from; p < to; p++ {
		i := s.rows[p]
		c := s.cols[i]
		n := "—"
		if c.Count >= 0 {
			n = count(c.Count)
		}
		line := fitMiddle(model.SafeText(c.NS.Coll), nameW) + fmt.Sprintf(" %12s  %-12s %s", n, kind(c), uniques(s.idx[i]))
		if c.CanDelete() != nil && p != s.cursor.pos {
			b.WriteString(st.List.Disabled.Render(fit("  "+line, s.w)) + "\n")
			continue
		}
		b.WriteString(s.ctx.row(line, p == s.cursor.pos, s.w) + "\n")
	}
	if c := s.cols[s.rows[s.cursor.pos]]; c.CanDelete() != nil {
		b.WriteString("\n" + st.Warn.Render(fit("⚠ "+c.CanDelete().Error(), s.w)))
	}
	return strings.TrimRight(b.String(), "\n")
}

// kind marks what dupes may not delete from.
func kind(c model.Collection) string {
	switch {
	case c.Type == model.TypeView:
		return "view"
	case c.Type == model.TypeTimeseries:
		return "time-series"
	case c.System():
		return "system"
	case c.Capped:
		return "capped"
	}
	return ""
}

func uniques(ix []model.Index) string {
	var out []string
	for _, i := range ix {
		if i.Unique && !(len(i.Fields) == 1 && i.Fields[0] == "_id") {
			out = append(out, model.SafeText(i.Name+" ("+strings.Join(i.Fields, ", ")+")"))
		}
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, ", ")
}

func size(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}

func (s *collectionsScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	s.ask.setWidth(w)
	s.cursor.setHeight(h - 5)
}
func (s *collectionsScreen) Typing() bool { return s.ask.open() }

// refilter lists the collections whose name holds the filter's text (any case).
func (s *collectionsScreen) refilter() {
	q := strings.ToLower(s.ask.value())
	s.rows = s.rows[:0]
	for i, c := range s.cols {
		if q == "" || strings.Contains(strings.ToLower(c.NS.Coll), q) {
			s.rows = append(s.rows, i)
		}
	}
	s.cursor.setLen(len(s.rows))
}
func (s *collectionsScreen) Busy() bool { return s.call.on }
func (s *collectionsScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.ask.open() {
		return []key.Binding{k.Open, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Filter, k.Back, k.Census, k.Help, k.Quit}
}
func (s *collectionsScreen) FullHelp() [][]key.Binding {
	k := s.keys
	if s.ask.open() {
		return [][]key.Binding{s.ShortHelp()}
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Filter, k.Census, k.Back, k.Reload}, {k.Help, k.Quit}}
}
