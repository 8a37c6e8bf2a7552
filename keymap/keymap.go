// Package keymap holds every key binding of dupes' terminal UI, so that help, tests and screens
// agree on one set. Each screen takes a copy of DefaultKeyMap(), lists in its ShortHelp and
// FullHelp exactly the bindings it matches, and turns off (SetEnabled) only a key it offers
// some of the time, so the help never lists a key that does nothing.
package keymap

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every binding of the UI. Bindings are values: a screen owns its copy.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Left     key.Binding
	Right    key.Binding

	Open   key.Binding // enter: open, choose, start
	Back   key.Binding // esc: back, cancel
	Filter key.Binding // /: filter the list

	Keep      key.Binding // space: keep this document (group screen)
	Select    key.Binding // space: select a field for the key (key screen)
	Next      key.Binding // n: next group
	Prev      key.Binding // p: previous group
	Rules     key.Binding // r: rule menu
	Review    key.Binding // D: review the deletes
	Save      key.Binding // w: save the plan file
	Copy      key.Binding // c: copy the pipeline
	Retry     key.Binding // e: edit the URI and retry
	Reload    key.Binding // R: reload
	Browse    key.Binding // enter on the scan screen: browse what arrived so far
	Case      key.Binding // i: ignore case
	Trim      key.Binding // t: trim whitespace
	Query     key.Binding // F: filter documents before grouping
	Paste     key.Binding // e: paste an E11000 message
	Index     key.Binding // x: create the unique index
	Missing   key.Binding // m: include (or leave alone) the documents lacking the key
	Skip      key.Binding // s: leave a group alone (never in the plan), or take that back
	Undo      key.Binding // u: undo a group's hand choice
	Sort      key.Binding // o: cycle the groups list's order
	DiffOnly  key.Binding // d: only the fields that differ, or all of them
	ViewDoc   key.Binding // v: the whole document under the cursor
	WholeDoc  key.Binding // W: whole-document key (fields to ignore asked for)
	AnyOrder  key.Binding // A: whole-document key: top-level field order does not count
	Merge     key.Binding // M: merge the deleted members into the keeper (off, merge, with arrays)
	Shape     key.Binding // tab: the groups list's shape panel, whose lines filter the list
	Report    key.Binding // H: write the HTML report of the review
	Count     key.Binding // C: key screen: count each candidate's duplicates (again)
	Pause     key.Binding // p: pause a run between batches, or resume it (execute screen)
	Census    key.Binding // c: collection list: where the database's duplicates are
	Yes       key.Binding // y: answer a y/n question
	ErrUp     key.Binding // [: scroll an error too long for the footer up
	ErrDown   key.Binding // ]: and down
	Help      key.Binding // ?: full help
	Quit      key.Binding // q, ctrl+c
	ForceQuit key.Binding // ctrl+c inside text inputs
}

// DefaultKeyMap is the default bindings (docs/tui.md, "Keys").
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "f"), key.WithHelp("pgdn/f", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous member")),
		Right:    key.NewBinding(key.WithKeys("right", "l", "tab"), key.WithHelp("→/l", "next member")),

		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Filter: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),

		Keep:      key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "keep this one")),
		Select:    key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "select field")),
		Next:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next group")),
		Prev:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous group")),
		Rules:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rule menu")),
		Review:    key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "review deletes")),
		Save:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "save plan file")),
		Copy:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy pipeline")),
		Retry:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit URI")),
		Reload:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload")),
		Browse:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "browse groups so far")),
		Case:      key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "ignore case")),
		Trim:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "trim spaces")),
		Query:     key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "document filter")),
		Paste:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "paste E11000")),
		Index:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "create unique index")),
		Missing:   key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "include documents lacking the key")),
		Skip:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "skip group / take back")),
		Undo:      key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo hand choice")),
		Sort:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort: key/size/undecided")),
		DiffOnly:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "differing fields only / all")),
		ViewDoc:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "view whole document")),
		WholeDoc:  key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "whole-document key")),
		AnyOrder:  key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "any field order")),
		Merge:     key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "merge into keeper: off/on/arrays")),
		Pause:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause / resume the run")),
		Count:     key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "count duplicates per key")),
		Census:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "census")),
		Shape:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "shape: filter by field, size")),
		Report:    key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "write the HTML report")),
		Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes (any other key: no)")),
		ErrUp:     key.NewBinding(key.WithKeys("["), key.WithHelp("[", "scroll the error up")),
		ErrDown:   key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "scroll the error down")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// ShortHelp is the footer's one line: the keys that matter on every screen.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Back, k.Help, k.Quit}
}

// FullHelp is every binding, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Left, k.Right},
		{k.Open, k.Browse, k.Back, k.Filter, k.Select, k.Case, k.Trim, k.Query, k.Paste},
		{k.Keep, k.Skip, k.Undo, k.Next, k.Prev, k.Rules, k.Missing, k.Review, k.Save, k.Copy, k.Index},
		{k.Sort, k.DiffOnly, k.ViewDoc, k.WholeDoc, k.AnyOrder, k.Merge, k.Pause, k.Shape, k.Report},
		{k.Retry, k.Reload, k.Count, k.Census, k.Yes, k.ErrUp, k.ErrDown, k.Help, k.Quit},
	}
}
