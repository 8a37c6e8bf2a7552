package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// layout gives every screen the space between the header and the footer.
func (m *Model) layout() {
	w := max(m.width-2, 1)
	h := max(m.height-2-m.footerHeight(), 1)
	m.ctx.Width, m.ctx.Height = w, h
	for _, s := range m.screens {
		s.SetSize(w, h)
	}
	m.help.Width = w
}

func (m *Model) footerHeight() int {
	if m.showHelp {
		return 1 + lipgloss.Height(m.help.FullHelpView(m.screens[m.active()].FullHelp()))
	}
	return 2
}

// View draws header, active screen and footer.
func (m *Model) View() string {
	if m.width == 0 {
		return ""
	}
	st := m.ctx.Styles
	if m.width < MinWidth || m.height < MinHeight {
		msg := fmt.Sprintf("The terminal is %d×%d; dupes needs at least %d×%d.\nEnlarge the window (or press q to quit).",
			m.width, m.height, MinWidth, MinHeight)
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, st.Warn.Render(msg))
	}
	cur := m.screens[m.active()]
	body := frame(cur.View(), m.ctx.Width, m.ctx.Height)
	var footer string
	switch {
	case m.quit != nil:
		footer = st.Warn.Render(fmt.Sprintf("A plan for %s is not executed. Quit and lose it? y/n", plural(m.sess.decided(), "group", "groups")))
	case m.err != nil:
		footer = st.Error.Render(fit(m.err.Error(), m.ctx.Width))
	case m.status != "":
		footer = st.Status.Render(fit(m.status, m.ctx.Width))
	}
	short, full := cur.ShortHelp(), cur.FullHelp()
	if cur.Typing() {
		// q and ? are letters while a field has the keys: do not advertise them.
		short = withoutTyped(short)
		for i := range full {
			full[i] = withoutTyped(full[i])
		}
	}
	// help.ShortHelpView can overflow by one item when its ellipsis does not fit: cut it.
	helpView := ansi.Truncate(m.help.ShortHelpView(short), m.ctx.Width, "…")
	if m.showHelp {
		helpView = m.help.FullHelpView(full)
	}
	// Assembled by hand rather than with lipgloss.JoinVertical: this runs on every key press
	// and the frame is already cut to size.
	var b strings.Builder
	for _, part := range []string{m.header(), body, footer, helpView} {
		for _, l := range strings.Split(part, "\n") {
			b.WriteString(" " + l + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// frame cuts a screen's view to w×h cells and pads it to exactly h lines.
func frame(view string, w, h int) string {
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m *Model) header() string {
	st := m.ctx.Styles
	parts := []string{st.Title.Render("dupes")}
	if m.ctx.Cfg.Demo {
		parts = append(parts, st.Badge.Render("DEMO DATA")+st.Muted.Render(" (in memory, no server)"))
	} else if m.ctx.Cfg.Redact != nil {
		parts = append(parts, st.Crumb.Render(m.ctx.Cfg.Redact(m.ctx.Cfg.URI)))
	}
	if m.ctx.Cfg.ReadOnly {
		parts = append(parts, st.Badge.Render("READ-ONLY"))
	}
	if m.sess != nil && m.active() >= scrScan {
		parts = append(parts, st.Crumb.Render(m.sess.ns.String()+" › "+m.sess.key.String()))
	}
	return fit(strings.Join(parts, st.Faint.Render("  │  ")), m.ctx.Width) + "\n"
}

// withoutTyped drops the bindings a text field swallows (q, ?).
func withoutTyped(bs []key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bs))
	for _, b := range bs {
		if ks := b.Keys(); len(ks) > 0 && (ks[0] == "q" || ks[0] == "?") {
			continue
		}
		out = append(out, b)
	}
	return out
}
