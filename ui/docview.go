package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// openDocMsg opens the document view on one member.
type openDocMsg struct {
	doc   model.Doc
	title string
}

func (openDocMsg) opens() screenID { return scrDoc }

// docScreen shows a whole document as laid-out canonical Extended JSON (what mongoexport
// writes, so every type is exact); it scrolls, and c copies the text.
type docScreen struct {
	ctx    *Context
	keys   keymap.KeyMap
	title  string
	doc    model.Doc
	text   string   // the document laid out for the screen's width
	lines  []string // text cut to the screen's width once, in Update
	scroll int
	w, h   int
}

func newDocScreen(ctx *Context) *docScreen {
	s := &docScreen{ctx: ctx}
	s.setKeys()
	return s
}

func (s *docScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	k.Up.SetHelp("↑/k", "scroll")
	k.Down.SetHelp("↓/j", "scroll")
	k.Copy.SetHelp("c", "copy the document")
	k.Copy.SetEnabled(s.ctx.Cfg.Copy != nil)
	k.Back.SetHelp("esc", "back to the group")
}

func (s *docScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openDocMsg:
		s.title, s.doc, s.scroll = msg.title, msg.doc, 0
		s.wrap()
	case tea.MouseMsg:
		s.scrollBy(3 * wheel(msg))
	case tea.KeyMsg:
		k := s.keys
		switch {
		case key.Matches(msg, k.Back):
			return s.ctx.intent(backMsg{})
		case scrollKey(msg, k, s.room(), s.scrollBy):
		case key.Matches(msg, k.Copy):
			copyFn, text := s.ctx.Cfg.Copy, s.text
			return func() tea.Msg {
				if err := copyFn(text); err != nil {
					return ErrorMsg{Where: "copy the document", Err: err}
				}
				return statusMsg("Document copied to the clipboard (OSC 52: the terminal puts it there).")
			}
		}
	}
	return nil
}

func (s *docScreen) room() int { return max(s.h-2, 1) }

func (s *docScreen) scrollBy(d int) {
	s.scroll = min(max(s.scroll+d, 0), max(len(s.lines)-s.room(), 0))
}

// wrap lays the document out for the width and cuts what is still wider: a long value folds
// onto the next lines, so nothing is hidden. The JSON's own line breaks are kept (SafeLines);
// a string's are escapes inside its quotes.
func (s *docScreen) wrap() {
	s.lines = s.lines[:0]
	w := max(s.w, 10)
	s.text = docJSON(s.doc, w)
	for _, l := range strings.Split(model.SafeLines(s.text), "\n") {
		s.lines = append(s.lines, strings.Split(ansi.Hardwrap(l, w, true), "\n")...)
	}
	s.scrollBy(0)
}

func (s *docScreen) View() string {
	st := s.ctx.Styles
	var b strings.Builder
	pos := ""
	if len(s.lines) > s.room() {
		pos = st.Muted.Render("  lines " + itoa(int64(s.scroll+1)) + "–" + itoa(int64(min(s.scroll+s.room(), len(s.lines)))) + " of " + itoa(int64(len(s.lines))))
	}
	b.WriteString(st.Title.Render(fit(s.title, max(s.w-30, 10))) + pos + "\n")
	b.WriteString(st.Muted.Render("canonical Extended JSON") + "\n")
	end := min(s.scroll+s.room(), len(s.lines))
	for _, l := range s.lines[s.scroll:end] {
		b.WriteString(st.Code.Render(l) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// docJSON is the document as canonical Extended JSON, fields in its order, laid out as
// mongosh shows one ({ "$oid": "…" } on the line of its field) in width columns.
func docJSON(d model.Doc, width int) string {
	compact := model.DocJSON(d)
	out, err := model.LayoutJSON(compact, width, true)
	if err != nil {
		return string(compact)
	}
	return out
}

func (s *docScreen) SetSize(w, h int) { s.w, s.h = w, h; s.wrap() }
func (s *docScreen) Typing() bool     { return false }
func (s *docScreen) Busy() bool       { return false }
func (s *docScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Down, k.Up, k.PageDown, k.PageUp, k.Copy, k.Back, k.Help}
}
func (s *docScreen) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Copy, k.Back, k.Help, k.Quit}}
}
