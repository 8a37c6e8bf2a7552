package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/dupes-tui/dupes/model"
)

// layout gives every screen the space between the header and the footer.
func (m *Model) layout() {
	w := max(m.width-2, 1)
	m.ctx.Width = w
	m.footerH = m.footerHeight()
	h := max(m.height-2-m.footerH, 1)
	m.ctx.Width, m.ctx.Height = w, h
	for _, s := range m.stack {
		s.SetSize(w, h)
	}
	m.help.Width = w
}

func (m *Model) footerHeight() int {
	n := lipgloss.Height(m.footerText())
	if m.showHelp {
		return n + lipgloss.Height(m.help.FullHelpView(m.top().FullHelp()))
	}
	return n + 1
}

// footerText is the footer above the help: a y/n question (wrapped: it says what it
// confirms), an error, or the status line.
func (m *Model) footerText() string {
	st := m.ctx.Styles
	switch {
	case m.quit != nil:
		lines := strings.Split(para(m.quit.question, m.ctx.Width), "\n")
		if room := m.errRoom(); len(lines) > room {
			lines = append(lines[:room-1], fit(lines[room-1]+" …", m.ctx.Width))
		}
		return st.Warn.Render(strings.Join(lines, "\n"))
	case m.err.on():
		return st.Error.Render(m.errorText())
	case m.status != "":
		return st.Status.Render(fit(m.status, m.ctx.Width))
	}
	return ""
}

// errorText is the footer's error, wrapped in full (the operator's name at its end is what
// a DBA needs). Up to half the screen shows; a longer one scrolls with [ and ], and its last
// line says which lines show, so no line is left out unseen.
func (m *Model) errorText() string { return m.err.view(m.ctx.Width, m.errRoom()) }

// errRoom is the footer lines an error may take: half the screen, at least two.
func (m *Model) errRoom() int { return max(m.height/2-2, 2) }

// errScrolls reports whether the footer's error is too long to show whole, and scrolls.
func (m *Model) errScrolls() bool {
	return !m.top().Typing() && m.err.scrolls(m.ctx.Width, m.errRoom())
}

// scrollErr moves a long error a footer's height down (or up).
func (m *Model) scrollErr(down bool) {
	m.err.scroll(down, m.ctx.Width, m.errRoom())
}

// setErr shows an error in the footer, from its first line.
func (m *Model) setErr(err error) { m.err.set(err) }

// shortHelp is the footer's help line: as many of the screen's keys as fit, in the screen's
// order, and always "? more" at the end, so the rest can be found.
func (m *Model) shortHelp(bs []key.Binding, typing bool) string {
	h := m.help
	h.Width = 0 // cut here, by whole items, not by help's ellipsis
	var rest []key.Binding
	for _, b := range bs {
		if b.Enabled() && !isHelp(b) {
			rest = append(rest, b)
		}
	}
	more := m.ctx.Keys.Help
	more.SetHelp("?", "more")
	for n := len(rest); n >= 0; n-- {
		items := rest[:n:n]
		if !typing {
			items = append(items, more)
		}
		if v := h.ShortHelpView(items); lipgloss.Width(v) <= m.ctx.Width {
			return v
		}
	}
	return ansi.Truncate(h.ShortHelpView([]key.Binding{more}), m.ctx.Width, "…")
}

func isHelp(b key.Binding) bool { ks := b.Keys(); return len(ks) > 0 && ks[0] == "?" }

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
	cur := m.top()
	body := frame(cur.View(), m.ctx.Width, m.ctx.Height)
	footer := m.footerText()
	short, full := cur.ShortHelp(), cur.FullHelp()
	if cur.Typing() {
		// q and ? are letters while a field has the keys: do not advertise them.
		short = withoutTyped(short)
		for i := range full {
			full[i] = withoutTyped(full[i])
		}
	}
	if m.errScrolls() {
		// Said first, so a cut help line never hides how to read the rest of the error.
		short = append([]key.Binding{scrollHelp(m.ctx.Keys)}, short...)
		full = append(full, []key.Binding{m.ctx.Keys.ErrUp, m.ctx.Keys.ErrDown})
	}
	helpView := m.shortHelp(short, cur.Typing())
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
	return termSafe(strings.TrimSuffix(b.String(), "\n"))
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
		parts = append(parts, st.Crumb.Render(model.SafeText(m.sess.ns.String()+" › "+m.sess.key.String())))
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
