package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
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
	// suggest is the rule the groups' shape suggests (model.Suggestion), nil for none: the
	// menu opens on it, its field typed in.
	suggest *model.KeepRule
	ask     prompt
	w, h    int
}

// openRulesMsg opens the rule menu; fields are the sampled ones, which max and min complete;
// suggest, when set, is the rule the menu opens on. It answers ruleChosenMsg.
type openRulesMsg struct {
	fields  []model.FieldInfo
	suggest *model.KeepRule
}

func (openRulesMsg) opens() screenID { return scrRules }

func newRulesScreen(ctx *Context) *rulesScreen {
	s := &rulesScreen{ctx: ctx, ask: newPrompt(512)}
	s.ask.input.ShowSuggestions = true
	s.keys = ctx.Keys
	s.keys.Open.SetHelp("enter", "apply")
	s.keys.Back.SetHelp("esc", "cancel")
	return s
}

// open shows the menu with first highlighted, or the suggested rule.
func (s *rulesScreen) open(fields []model.FieldInfo, suggest *model.KeepRule) {
	s.fields = s.fields[:0]
	for _, f := range fields {
		if f.Path != "_id" {
			s.fields = append(s.fields, f.Path)
		}
	}
	s.ask.input.SetSuggestions(s.fields)
	s.ask.close()
	s.cursor = listCursor{h: len(model.Rules) + 1}
	s.cursor.setLen(len(model.Rules) + 1) // the last row: none
	s.suggest = suggest
	if suggest != nil {
		s.cursor.moveTo(int(suggest.Kind))
	}
}

func (s *rulesScreen) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(openRulesMsg); ok {
		s.open(m.fields, m.suggest)
		return nil
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		if mm, ok := msg.(tea.MouseMsg); ok && !s.ask.open() {
			s.cursor.navigate(mm, s.keys)
		}
		return nil
	}
	if s.ask.open() {
		return s.ask.update(km, s.keys)
	}
	// A menu of six rows: no paging.
	switch k := s.keys; {
	case key.Matches(km, k.Up):
		s.cursor.move(-1)
	case key.Matches(km, k.Down):
		s.cursor.move(1)
	case key.Matches(km, k.Top):
		s.cursor.moveTo(0)
	case key.Matches(km, k.Bottom):
		s.cursor.moveTo(s.cursor.n - 1)
	case key.Matches(km, k.Back):
		return s.ctx.intent(backMsg{})
	case key.Matches(km, k.Open):
		if s.cursor.pos == len(model.Rules) {
			return s.choose(ruleChosenMsg{none: true})
		}
		r := model.KeepRule{Kind: model.RuleKind(s.cursor.pos)}
		if r.NeedsField() {
			kind := r.Kind
			field := ""
			if s.suggest != nil && s.suggest.Kind == kind {
				field = s.suggest.Field
			}
			return s.ask.ask(r.Def().Menu+": which field? (tab completes a sampled path)", "field › ", "", field,
				model.CheckPath, func(f string) tea.Cmd {
					return s.choose(ruleChosenMsg{rule: model.KeepRule{Kind: kind, Field: f}})
				})
		}
		return s.choose(ruleChosenMsg{rule: r})
	}
	return nil
}

// choose closes the menu and answers: the groups list applies the rule.
func (s *rulesScreen) choose(msg ruleChosenMsg) tea.Cmd {
	s.ctx.intent(backMsg{})
	return s.ctx.intent(msg)
}

func (s *rulesScreen) View() string {
	st := s.ctx.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Keep rule") + st.Muted.Render("  — applies to the groups the list shows (its / filter); hand choices and skips win") + "\n\n")
	for i, r := range model.Rules {
		b.WriteString(s.ctx.row(fit(r.Menu, 16)+st.Muted.Render(r.Help), i == s.cursor.pos, s.w) + "\n")
	}
	n := len(model.Rules)
	b.WriteString(s.ctx.row(fit("none", 16)+st.Muted.Render("clear the rule: its groups go back to undecided (hand choices stay)"), n == s.cursor.pos, s.w) + "\n")
	if s.ask.open() {
		b.WriteString("\n" + s.ask.view(st, s.w))
		if len(s.fields) > 0 {
			b.WriteString("\n" + st.Faint.Render(fit("fields: "+strings.Join(s.fields, ", "), s.w)))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *rulesScreen) SetSize(w, h int) { s.w, s.h = w, h; s.ask.setWidth(w) }
func (s *rulesScreen) Typing() bool     { return s.ask.open() }
func (s *rulesScreen) Busy() bool       { return false }
func (s *rulesScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.ask.open() {
		return []key.Binding{k.Open, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Back, k.Help}
}
func (s *rulesScreen) FullHelp() [][]key.Binding {
	k := s.keys
	if s.ask.open() {
		return [][]key.Binding{s.ShortHelp()}
	}
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.Back, k.Help, k.Quit}}
}
