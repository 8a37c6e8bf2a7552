package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/dupes-tui/dupes/keymap"
)

// prompt is the UI's one way of asking for text: a bubbles textinput behind a label, a
// check of the answer, and the action the answer confirms. The action runs only with an
// answer the check accepts, so a typed confirmation cannot be skipped; esc closes the prompt
// and changes nothing. A screen embeds one and, while it is open, hands it every key.
type prompt struct {
	input textinput.Model
	label string // what is asked, shown above the field ("" for none)
	// check refuses an answer with the reason shown under the field; nil accepts anything.
	check func(string) error
	// submit is the action the answer confirms (trimmed of spaces).
	submit func(string) tea.Cmd
	// change, if set, runs after every edit (a live filter).
	change func(string) tea.Cmd
	// cancel, if set, runs on esc.
	cancel  func() tea.Cmd
	refused string
	w       int
}

// newPrompt is a closed prompt whose field takes up to limit characters, with a steady
// cursor: no blink timer to wake the program twice a second.
func newPrompt(limit int) prompt {
	in := newInput()
	in.CharLimit = limit
	return prompt{input: in}
}

// ask opens the prompt: marker before the field, value to start from, what to do with the
// answer.
func (p *prompt) ask(label, marker, placeholder, value string, check func(string) error, submit func(string) tea.Cmd) tea.Cmd {
	p.label, p.check, p.submit, p.change, p.cancel, p.refused = label, check, submit, nil, nil, ""
	p.input.Prompt, p.input.Placeholder = marker, placeholder
	p.input.EchoMode = textinput.EchoNormal
	p.input.SetValue(value)
	p.input.CursorEnd()
	p.setWidth(p.w)
	return p.input.Focus()
}

// askSecret opens the prompt for a secret: what is typed shows as dots, never as text.
func (p *prompt) askSecret(label, marker string, submit func(string) tea.Cmd) tea.Cmd {
	cmd := p.ask(label, marker, "", "", nil, submit)
	p.input.EchoMode, p.input.EchoCharacter = textinput.EchoPassword, '•'
	return cmd
}

// open reports whether the prompt has the keys.
func (p *prompt) open() bool { return p.input.Focused() }

// close leaves the prompt; its value stays (a live filter keeps showing it).
func (p *prompt) close() { p.input.Blur(); p.refused = "" }

// value is the answer as typed, trimmed.
func (p *prompt) value() string { return strings.TrimSpace(p.input.Value()) }

// update takes a key while the prompt is open: enter submits (if the check accepts), esc
// cancels, anything else edits.
func (p *prompt) update(msg tea.KeyMsg, k keymap.KeyMap) tea.Cmd {
	switch {
	case key.Matches(msg, k.Back):
		p.close()
		if p.cancel != nil {
			return p.cancel()
		}
		return nil
	case key.Matches(msg, k.Open):
		v := p.value()
		if p.check != nil {
			if err := p.check(v); err != nil {
				p.refused = err.Error()
				return nil
			}
		}
		p.close()
		if p.submit == nil {
			return nil
		}
		return p.submit(v)
	}
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.change != nil && p.input.Value() != before {
		return tea.Batch(cmd, p.change(p.input.Value()))
	}
	return cmd
}

// setWidth fits the field to the screen (from SetSize: View changes nothing).
func (p *prompt) setWidth(w int) {
	p.w = w
	p.input.Width = max(w-ansi.StringWidth(p.input.Prompt)-2, 10)
}

// view is the label, the field and why the last answer was refused.
func (p *prompt) view(st Styles, w int) string {
	var b strings.Builder
	if p.label != "" {
		b.WriteString(st.Muted.Render(para(p.label, w)) + "\n")
	}
	b.WriteString(p.input.View())
	if p.refused != "" {
		b.WriteString("\n" + st.Error.Render(para(p.refused, w)))
	}
	return b.String()
}

// newInput is a text field with a steady cursor: no blink timer to wake the program (or a
// test) twice a second.
func newInput() textinput.Model {
	in := textinput.New()
	in.Cursor.SetMode(cursor.CursorStatic)
	return in
}
