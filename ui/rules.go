package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// rulesScreen is the rule menu: first, last, max of a field, min of a field, most fields, in
// that order, first highlighted. enter applies the rule to every group not decided by hand;
// max and min first ask for the field, offering the sampled paths.
type rulesScreen struct {
	ctx    *Context
	keys   keymap.KeyMap
	cursor listCursor
	fields []string
	input  textinput.Model
	asking model.RuleKind
	note   string
	w, h   int
}

var ruleLabels = map[model.RuleKind][2]string{
	model.KeepFirst:      {"first", "keep the smallest _id (the oldest ObjectId)"},
	model.KeepLast:       {"last", "keep the largest _id (the newest ObjectId)"},
	model.KeepMax:        {"max of a field", "keep the largest value, e.g. the newest updatedAt"},
	model.KeepMin:        {"min of a field", "keep the smallest value, e.g. the earliest createdAt"},
	model.KeepMostFields: {"most fields", "keep the most complete document"},
}

func newRulesScreen(ctx *Context) *rulesScreen {
	in := newInput()
	in.Prompt = "field › "
	in.ShowSuggestions = true
	in.CharLimit = 512
	s := &rulesScreen{ctx: ctx, input: in}
	s.setKeys()
	return s
}

// open shows the menu with first highlighted.
func (s *rulesScreen) open(fields []model.FieldInfo) {
	s.fields = s.fields[:0]
	for _, f := range fields {
		if f.Path != "_id" {
			s.fields = append(s.fields, f.Path)
		}
	}
	s.input.SetSuggestions(s.fields)
	s.input.Blur()
	s.note = ""
	s.cursor = listCursor{h: len(model.RuleKinds)}
	s.cursor.setLen(len(model.RuleKinds))
	s.setKeys()
}

func (s *rulesScreen) setKeys() {
	s.keys = s.ctx.Keys
	k := &s.keys
	keymap.Disable(&k.Left, &k.Right, &k.PageUp, &k.PageDown, &k.Filter, &k.Keep, &k.Select, &k.Next,
		&k.Prev, &k.Rules, &k.Review, &k.Save, &k.Copy, &k.Retry, &k.Reload, &k.Browse, &k.Case,
		&k.Trim, &k.Query, &k.Paste, &k.Index)
	k.Open.SetHelp("enter", "apply")
	k.Back.SetHelp("esc", "cancel")
	if s.input.Focused() {
		keymap.Disable(&k.Up, &k.Down, &k.Top, &k.Bottom)
	}
}

func (s *rulesScreen) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		if mm, ok := msg.(tea.MouseMsg); ok && !s.input.Focused() {
			s.cursor.navigate(mm, s.keys)
		}
		return nil
	}
	if s.input.Focused() {
		switch {
		case key.Matches(km, s.keys.Back):
			s.input.Blur()
			s.setKeys()
			return nil
		case key.Matches(km, s.keys.Open):
			field := strings.TrimSpace(s.input.Value())
			if err := model.CheckPath(field); err != nil {
				s.note = err.Error()
				return nil
			}
			s.input.Blur()
			s.setKeys()
			r := model.KeepRule{Kind: s.asking, Field: field}
			return s.ctx.intent(ruleChosenMsg{rule: r})
		}
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(km)
		return cmd
	}
	if s.cursor.navigate(km, s.keys) {
		return nil
	}
	switch {
	case key.Matches(km, s.keys.Back):
		return s.ctx.intent(backMsg{})
	case key.Matches(km, s.keys.Open):
		r := model.KeepRule{Kind: model.RuleKinds[s.cursor.pos]}
		if r.NeedsField() {
			s.asking, s.note = r.Kind, ""
			s.input.SetValue("")
			s.setKeys()
			cmd := s.input.Focus()
			s.setKeys()
			return cmd
		}
		return s.ctx.intent(ruleChosenMsg{rule: r})
	}
	return nil
}

func (s *rulesScreen) View() string {
	st := s.ctx.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Keep rule") + st.Muted.Render("  — applies to every group not decided by hand") + "\n\n")
	for i, kind := range model.RuleKinds {
		l := ruleLabels[kind]
		b.WriteString(s.ctx.row(fit(l[0], 16)+st.Muted.Render(l[1]), i == s.cursor.pos, s.w) + "\n")
	}
	if s.input.Focused() {
		s.input.Width = max(s.w-12, 10)
		b.WriteString("\n" + st.Muted.Render(ruleLabels[s.asking][0]+": which field? (tab completes a sampled path)") + "\n" + s.input.View())
		if len(s.fields) > 0 {
			b.WriteString("\n" + st.Faint.Render(fit("fields: "+strings.Join(s.fields, ", "), s.w)))
		}
	}
	if s.note != "" {
		b.WriteString("\n" + st.Error.Render(s.note))
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *rulesScreen) SetSize(w, h int) { s.w, s.h = w, h }
func (s *rulesScreen) Typing() bool     { return s.input.Focused() }
func (s *rulesScreen) Busy() bool       { return false }
func (s *rulesScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Up, k.Down, k.Open, k.Back, k.Help}
}
func (s *rulesScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{s.ShortHelp(), {s.keys.Quit}}
}
