package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// keyScreen chooses what makes documents duplicates: sampled field paths (several for a
// compound key, in the order picked), options, or an existing unique index, or a pasted E11000
// message, which both give the index's exact semantics.
type keyScreen struct {
	ctx   *Context
	keys  keymap.KeyMap
	ns    model.Namespace
	call  activity
	known *model.Collection // as the collection list described it, for R
	given []model.Index

	col      model.Collection
	indexes  []model.Index // unique ones, then the others (not _id's, not text indexes)
	nUnique  int           // how many of indexes are unique
	all      []model.Index
	fields   []model.FieldInfo
	selected []string
	cursor   listCursor

	ignoreCase, trim bool
	anyOrder         bool   // A: a whole-document key ignores top-level field order
	ignore           string // the last fields W was told to ignore, offered again
	filter           string
	ask              prompt
	note             string // what the last E11000 paste did, or why it failed
	err              errBox // why the collection could not be opened
	sampleErr        error  // why the fields could not be sampled (a warning: R retries)
	// start is the command line's key, scanned once the collection's data is in.
	start *model.Key
	// collation is --collation: it applies to the fields picked here, not to an index's key
	// (which brings its own) nor to the whole document.
	collation *model.Collation
	// counts is the GROUPS and SURPLUS columns' run (key_counts.go), within budget.
	counts keyCounts
	budget model.Budget
	w, h   int
}

// openKeyMsg opens the key screen on a collection: col and indexes as the collection list
// described them (nil: read them); with a start key (--key) it scans at once.
type openKeyMsg struct {
	ns      model.Namespace
	col     *model.Collection
	indexes []model.Index
	start   *model.Key
	// budget bounds the counts of the GROUPS and SURPLUS columns; zero: defaultCountBudget.
	budget model.Budget
}

func (openKeyMsg) opens() screenID  { return scrKey }
func (keyDataMsg) target() screenID { return scrKey }

// keyChosenMsg is the key screen's answer: scan the collection by this key.
type keyChosenMsg struct {
	ns     model.Namespace
	col    model.Collection
	key    model.Key
	fields []model.FieldInfo // the sampled fields, for the rule menu's field completion
	// target, from a pasted E11000, is the key value of the group to open on once the scan ends.
	target []model.Value
}

func newKeyScreen(ctx *Context) *keyScreen {
	s := &keyScreen{ctx: ctx, ask: newPrompt(4096), call: newActivity(), counts: newKeyCounts()}
	s.setKeys()
	return s
}

func (s *keyScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Open.SetHelp("enter", "scan")
	k.Back.SetHelp("esc", "collections")
	k.Reload.SetHelp("R", "sample again")
	k.Reload.SetEnabled(!s.call.on && (s.sampleErr != nil || s.err.on()))
	k.Count.SetHelp("C", "count duplicates again")
	k.Count.SetEnabled(!s.call.on && !s.counts.on && s.canCount() && s.countsLeft())
	if s.countsCounting() {
		k.Back.SetHelp("esc", "stop counting")
	}
	if s.call.on {
		k.Back.SetHelp("esc", "cancel")
	}
	if s.ask.open() {
		k.Open.SetHelp("enter", "apply")
		k.Back.SetHelp("esc", "cancel")
	}
}

// open loads the key screen's data for a collection; with a start key it scans at once.
func (s *keyScreen) open(msg openKeyMsg) tea.Cmd {
	s.call.abort()
	s.stopCounts()
	budget := msg.budget
	if budget == (model.Budget{}) {
		budget = defaultCountBudget()
	}
	opts := s.ctx.Cfg.Key
	*s = keyScreen{ctx: s.ctx, ask: s.ask, call: s.call, ns: msg.ns, start: msg.start, known: msg.col, given: msg.indexes,
		counts: keyCounts{gen: s.counts.gen, spin: s.counts.spin}, budget: budget,
		w: s.w, h: s.h, cursor: listCursor{h: s.cursor.h},
		ignoreCase: opts.IgnoreCase, trim: opts.Trim, filter: opts.Filter, collation: opts.Collation}
	s.ask.close()
	return s.load()
}

// load reads the collection's description, indexes and sampled fields.
func (s *keyScreen) load() tea.Cmd {
	s.err.set(nil)
	s.sampleErr = nil
	ctx, tick := s.call.start(s.ctx.base)
	s.setKeys()
	return tea.Batch(tick, keyDataCmd(ctx, s.ctx.Store, s.ns, s.known, s.given))
}

func (s *keyScreen) Update(msg tea.Msg) tea.Cmd {
	if cmd, ok := s.countsUpdate(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case openKeyMsg:
		return s.open(msg)
	case spinner.TickMsg:
		return s.call.tick(msg)
	case ErrorMsg:
		if s.call.on {
			s.call.stop()
			s.err.set(msg)
			s.setKeys()
		}
	case keyDataMsg:
		if !s.call.on {
			return nil // cancelled: esc went back
		}
		s.call.stop()
		s.col, s.all, s.sampleErr = msg.col, msg.indexes, msg.sampleErr
		known := msg.col
		s.known, s.given = &known, msg.indexes
		s.setKeys()
		// _id is unique by construction: never a candidate key.
		s.fields = s.fields[:0]
		for _, f := range msg.fields {
			if f.Path != "_id" {
				s.fields = append(s.fields, f)
			}
		}
		s.indexes = nil
		for _, ix := range msg.indexes {
			if ix.Unique && !(len(ix.Fields) == 1 && ix.Fields[0] == "_id") {
				s.indexes = append(s.indexes, ix)
			}
		}
		s.nUnique = len(s.indexes)
		// The non-unique ones are candidates too (model.RankCandidates says which: not a text
		// index): their key, with the index's semantics, is what a unique index built in their
		// place would enforce.
		for _, c := range model.RankCandidates(s.ns, 0, msg.indexes, nil, nil) {
			for _, ix := range msg.indexes {
				if ix.Name == c.Key.Index {
					s.indexes = append(s.indexes, ix)
				}
			}
		}
		s.cursor.setLen(len(s.fields) + len(s.indexes))
		if st := s.start; st != nil {
			s.start = nil
			if st.Index != "" {
				return s.scanIndex(st.Index)
			}
			// Without a sample the key cannot be checked against the fields: scan it as given
			// (the warning stays on this screen, one esc away).
			if s.sampleErr != nil {
				return s.scan(*st)
			}
			fields := append(append([]string(nil), st.Fields...), st.Ignore...)
			if err := model.CheckKeyFields(fields, msg.fields); err != nil && !s.ctx.Cfg.AllowMissingField {
				s.note = err.Error() + ": not scanned. Pick the field below (or start dupes with --allow-missing-field)."
				return nil
			}
			return s.scan(*st)
		}
		return s.startCounts()
	case tea.MouseMsg:
		if !s.ask.open() {
			s.cursor.navigate(msg, s.keys)
		}
	case tea.KeyMsg:
		if s.call.on {
			if key.Matches(msg, s.keys.Back) {
				s.call.abort()
				return s.ctx.intent(backMsg{})
			}
			return nil
		}
		if s.ask.open() {
			cmd := s.ask.update(msg, s.keys)
			s.setKeys()
			return cmd
		}
		if scroll, down := isScroll(msg, s.keys); scroll && s.err.scrolls(s.w, s.errRoom()) {
			s.err.scroll(down, s.w, s.errRoom())
			return nil
		}
		if s.cursor.navigate(msg, s.keys) {
			return nil
		}
		switch {
		case key.Matches(msg, s.keys.Back) && s.countsCounting():
			s.stopCounts()
		case key.Matches(msg, s.keys.Back):
			s.stopCounts()
			return s.ctx.intent(backMsg{})
		case key.Matches(msg, s.keys.Count):
			return s.startCounts()
		case key.Matches(msg, s.keys.Reload):
			return s.load()
		case key.Matches(msg, s.keys.Select):
			if f, ok := s.fieldAt(s.cursor.pos); ok {
				s.toggle(f.Path)
			}
		case key.Matches(msg, s.keys.Case):
			s.ignoreCase = !s.ignoreCase
		case key.Matches(msg, s.keys.Trim):
			s.trim = !s.trim
		case key.Matches(msg, s.keys.AnyOrder):
			s.anyOrder = !s.anyOrder
		case key.Matches(msg, s.keys.WholeDoc):
			// No placeholder: a grey example in the field looked like an answer given, and enter
			// then left nothing out. The example is in the label.
			cmd := s.ask.ask("Whole document: documents equal in every field but _id are duplicates. "+
				"Type the top-level fields to leave out of the comparison, comma-separated (e.g. importedAt, updatedAt), "+
				"or press enter to compare every field.", "ignore › ", "", s.ignore, func(v string) error { return s.wholeKey(v).Validate() },
				func(v string) tea.Cmd { s.ignore = v; return s.scan(s.wholeKey(v)) })
			s.setKeys()
			return cmd
		case key.Matches(msg, s.keys.Query):
			cmd := s.ask.ask("Only documents matching this query are grouped (mongosh syntax or JSON).", "filter › ",
				`{status: 'active'}`, s.filter, func(v string) error { _, err := model.ParseFilter(v); return err },
				func(v string) tea.Cmd { s.filter, _ = model.ParseFilter(v); return nil })
			s.setKeys()
			return cmd
		case key.Matches(msg, s.keys.Paste):
			cmd := s.ask.ask("Paste a duplicate key error: its index (or fields) becomes the key.", "E11000 › ",
				"paste the error message", "", nil, s.fromE11000)
			s.setKeys()
			return cmd
		case key.Matches(msg, s.keys.Open):
			if i := s.cursor.pos - len(s.fields); i >= 0 && i < len(s.indexes) {
				return s.scan(s.indexes[i].Key())
			}
			fields := s.selected
			if len(fields) == 0 {
				f, ok := s.fieldAt(s.cursor.pos)
				if !ok {
					return nil
				}
				fields = []string{f.Path}
			}
			return s.scan(model.Key{Fields: append([]string(nil), fields...), IgnoreCase: s.ignoreCase, Trim: s.trim,
				Filter: s.filter, Collation: s.collation})
		}
	}
	return nil
}

// wholeKey is the whole-document key W scans: the fields to ignore as typed (split as the
// command line's --ignore is), A's field order, the filter. Ignore case and trim are passed on
// so that Validate refuses them, saying why, rather than dropping them silently.
func (s *keyScreen) wholeKey(ignore string) model.Key {
	var fields []string
	for _, f := range strings.Split(ignore, ",") {
		if f = strings.TrimSpace(f); f != "" {
			fields = append(fields, f)
		}
	}
	return model.Key{WholeDocument: true, Ignore: fields, AnyFieldOrder: s.anyOrder,
		IgnoreCase: s.ignoreCase, Trim: s.trim, Filter: s.filter}
}

// scanIndex scans the key of the index --index names, with its exact options and the
// command line's ignore-case, trim and filter.
func (s *keyScreen) scanIndex(name string) tea.Cmd {
	var names []string
	for _, ix := range s.all {
		if ix.Name == name {
			k := ix.Key()
			k.IgnoreCase, k.Trim, k.Filter = s.ignoreCase, s.trim, s.filter
			return s.scan(k)
		}
		names = append(names, ix.Name)
	}
	s.note = fmt.Sprintf("%s has no index named %q (its indexes: %s): pick the key below.", s.ns, name, strings.Join(names, ", "))
	return nil
}

// fromE11000 scans the group a duplicate key error names, with its index's semantics.
func (s *keyScreen) fromE11000(text string) tea.Cmd {
	dk, err := model.ParseE11000(text)
	if err != nil {
		s.note = "Could not read that message: " + err.Error()
		return nil
	}
	if dk.NS.DB != "" && dk.NS != s.ns {
		s.note = fmt.Sprintf("That error is about %s, not %s: open that collection first.", dk.NS, s.ns)
		return nil
	}
	for _, ix := range s.all {
		if dk.Index != "" && ix.Name == dk.Index {
			s.note = "From E11000: index " + ix.Name + valuesNote(dk)
			return s.scanTo(ix.Key(), dk.Values)
		}
	}
	if len(dk.Fields) == 0 {
		s.note = fmt.Sprintf("The message names index %q, which %s does not have (any more), and no fields.", dk.Index, s.ns)
		return nil
	}
	s.note = "From E11000: fields " + strings.Join(dk.Fields, ", ") + valuesNote(dk)
	return s.scanTo(model.Key{Fields: dk.Fields, Index: dk.Index}, dk.Values)
}

// valuesNote says what a message without key values (FerretDB's, which names only the index)
// cannot give: the group to open on.
func valuesNote(dk model.DupKeyError) string {
	if len(dk.Values) == 0 {
		return " (the message names no key values, so every group is listed; find yours with /)"
	}
	return ""
}

func (s *keyScreen) scan(k model.Key) tea.Cmd { return s.scanTo(k, nil) }

// scanTo scans k and, once the scan ends, opens the list on the group whose key is target.
func (s *keyScreen) scanTo(k model.Key, target []model.Value) tea.Cmd {
	if err := k.Validate(); err != nil {
		s.note = err.Error()
		return nil
	}
	// As the batch commands do: the collection's default collation, which the server and a
	// unique index built here compare under, unless the key brings its own.
	k, _, err := k.WithDefaultCollation(s.col)
	if err != nil {
		s.note = err.Error()
		return nil
	}
	s.stopCounts() // the scan reads the collection: the counts would compete with it
	return s.ctx.intent(keyChosenMsg{ns: s.ns, col: s.col, key: k, fields: s.fields, target: target})
}

func (s *keyScreen) toggle(path string) {
	for i, p := range s.selected {
		if p == path {
			s.selected = append(s.selected[:i], s.selected[i+1:]...)
			return
		}
	}
	s.selected = append(s.selected, path)
}

func (s *keyScreen) fieldAt(i int) (model.FieldInfo, bool) {
	if i >= 0 && i < len(s.fields) {
		return s.fields[i], true
	}
	return model.FieldInfo{}, false
}

func (s *keyScreen) View() string {
	st := s.ctx.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Key of "+s.ns.String()) + st.Muted.Render("  — which fields should be unique?") + "\n")
	if s.call.on {
		return b.String() + "\n" + s.call.view() + " Sampling fields…" + st.Muted.Render("  esc cancels")
	}
	if s.err.on() {
		return b.String() + "\n" + st.Error.Render(s.err.view(s.w, s.errRoom())) + "\n\n" + st.Muted.Render("R tries again; esc goes to the collection list.")
	}
	opt := func(on bool, name string) string {
		if on {
			return st.OK.Render("[x] " + name)
		}
		return st.Muted.Render("[ ] " + name)
	}
	filter := "none"
	if s.filter != "" {
		filter = s.filter
	}
	b.WriteString(opt(s.ignoreCase, "ignore case (i)") + "  " + opt(s.trim, "trim (t)") + "  " + st.Muted.Render("filter (F): ") + fit(filter, max(s.w-50, 8)) + "\n")
	b.WriteString(fit(st.Muted.Render("whole document (W): every field but _id  ")+opt(s.anyOrder, "any field order (A)"), s.w) + "\n")
	sel := "none — enter scans the field under the cursor"
	if len(s.selected) > 0 {
		sel = model.Key{Fields: s.selected}.String()
	}
	b.WriteString(st.Muted.Render("key: ") + st.Bold.Render(sel) + "\n")
	if line := s.countsLine(); line != "" {
		b.WriteString(st.Muted.Render(fit(line, s.w)))
	}
	b.WriteString("\n")

	switch {
	case s.sampleErr != nil:
		b.WriteString(st.Warn.Render(para("⚠ Could not sample the fields (R samples again; a key given with --key is scanned without the sample): "+
			model.SafeLines(s.sampleErr.Error()), s.w)) + "\n")
	case s.col.Type == model.TypeView && len(s.fields) == 0:
		b.WriteString(st.Warn.Render(para(viewText(s.col)+": it shows no documents. Duplicates live in the source collection.", s.w)) + "\n")
	case s.col.Type == model.TypeView:
		b.WriteString(st.Warn.Render(para(viewText(s.col)+": it can be scanned, but dupes deletes only from a collection.", s.w)) + "\n")
	case len(s.fields) == 0 && len(s.indexes) == 0:
		b.WriteString(st.Muted.Render("The collection is empty: nothing to sample.") + "\n")
	}
	from, to := s.cursor.window()
	if from < len(s.fields) {
		b.WriteString(st.List.Header.Render(fit(fmt.Sprintf("      %-28s %5s %7s %8s  %s", "FIELD", "FILL", "GROUPS", "SURPLUS", "TYPES"), s.w)) + "\n")
	}
	for i := from; i < to; i++ {
		switch i - len(s.fields) {
		case 0:
			if s.nUnique > 0 {
				b.WriteString("\n" + st.List.Header.Render(fit("  START FROM A UNIQUE INDEX (index-exact semantics)", s.w)) + "\n")
				break
			}
			fallthrough
		case s.nUnique:
			b.WriteString("\n" + st.List.Header.Render(fit("  OR A NON-UNIQUE INDEX'S KEY (index-exact semantics)", s.w)) + "\n")
		}
		if f, ok := s.fieldAt(i); ok {
			mark := "[ ]"
			for n, p := range s.selected {
				if p == f.Path {
					mark = fmt.Sprintf("[%d]", n+1)
				}
			}
			line := mark + " " + fitMiddle(model.DisplayPath(f.Path), 28) + fmt.Sprintf(" %4.0f%%", f.FillRate()*100) + " " +
				s.countColumn(keyFieldRow(f.Path)) + "  " + strings.Join(f.Types, ",")
			b.WriteString(s.ctx.row(line, i == s.cursor.pos, s.w) + "\n")
			continue
		}
		j := i - len(s.fields)
		ix := s.indexes[j]
		cells := s.countColumn(keyIndexRow(ix.Name))
		if j < s.nUnique {
			cells = rjust("unique", 16)
		}
		// The header says index-exact, and the name is in its column.
		sem := strings.TrimPrefix(ix.Key().Semantics(), "index-exact ("+ix.Name+"); ")
		line := "    " + fitMiddle(ix.Name, 28) + "      " + cells + "  " + st.Muted.Render(sem)
		b.WriteString(s.ctx.row(line, i == s.cursor.pos, s.w) + "\n")
	}
	failure := ""
	if f, ok := s.fieldAt(s.cursor.pos); ok {
		failure = s.countFailure(keyFieldRow(f.Path))
	} else if j := s.cursor.pos - len(s.fields); j >= 0 && j < len(s.indexes) {
		failure = s.countFailure(keyIndexRow(s.indexes[j].Name))
	}
	if s.ask.open() {
		b.WriteString("\n" + s.ask.view(st, s.w))
	} else if failure != "" {
		b.WriteString("\n" + st.Warn.Render(fit(model.SafeText(failure), s.w)))
	} else if s.note != "" {
		b.WriteString("\n" + st.Warn.Render(fit(model.SafeText(s.note), s.w)))
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *keyScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	s.cursor.setHeight(h - 11)
	s.ask.setWidth(w)
}
func (s *keyScreen) Typing() bool { return s.ask.open() }
func (s *keyScreen) Busy() bool   { return s.call.on }

// errRoom is the rows a failed open's error may take: all but the title and the hint below.
func (s *keyScreen) errRoom() int { return s.h - 4 }

// viewText names a view and its source: "shop.active is a view on shop.users".
func viewText(c model.Collection) string {
	if c.ViewOn == "" {
		return c.NS.String() + " is a view"
	}
	return c.NS.String() + " is a view on " + c.NS.DB + "." + c.ViewOn
}
func (s *keyScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.ask.open() {
		return []key.Binding{k.Open, k.Back}
	}
	bs := []key.Binding{k.Reload, k.Select, k.Open, k.Case, k.Trim, k.Query, k.Paste, k.WholeDoc, k.AnyOrder, k.Count, k.Back, k.Help}
	if s.err.scrolls(s.w, s.errRoom()) {
		bs = append([]key.Binding{scrollHelp(k)}, bs...)
	}
	return bs
}
func (s *keyScreen) FullHelp() [][]key.Binding {
	k := s.keys
	if s.ask.open() {
		return [][]key.Binding{s.ShortHelp()}
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Select, k.Open, k.Back}, {k.Case, k.Trim, k.Query, k.Paste, k.WholeDoc, k.AnyOrder, k.Count}, {k.Reload, k.Help, k.Quit}}
}

func (s *keyScreen) showsError() bool { return s.call.on }
