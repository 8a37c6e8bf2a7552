package ui

import "github.com/charmbracelet/lipgloss"

// palette is every colour of the UI, light and dark variants together. Screen code names
// styles, never colours.
type palette struct {
	accent, subtle, faint, text, warn, danger, ok, diff, keep lipgloss.AdaptiveColor
}

func defaultPalette() palette {
	return palette{
		accent: lipgloss.AdaptiveColor{Light: "#5A56E0", Dark: "#7D79F6"},
		subtle: lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#9B9B9B"},
		faint:  lipgloss.AdaptiveColor{Light: "#A8A8A8", Dark: "#5C5C5C"},
		text:   lipgloss.AdaptiveColor{Light: "#1A1A1A", Dark: "#E8E8E8"},
		warn:   lipgloss.AdaptiveColor{Light: "#B7791F", Dark: "#F6C453"},
		danger: lipgloss.AdaptiveColor{Light: "#C53030", Dark: "#FF6B6B"},
		ok:     lipgloss.AdaptiveColor{Light: "#2F855A", Dark: "#5FD38D"},
		diff:   lipgloss.AdaptiveColor{Light: "#B7791F", Dark: "#FFD479"},
		keep:   lipgloss.AdaptiveColor{Light: "#2F855A", Dark: "#5FD38D"},
	}
}

// Styles is every style of the UI, built once from the palette by NewStyles. Under NO_COLOR
// lipgloss drops the colours; bold, reverse and the text markers (›, ★) still carry meaning.
type Styles struct {
	Title  lipgloss.Style
	Badge  lipgloss.Style // DEMO, READ-ONLY
	Crumb  lipgloss.Style
	Footer lipgloss.Style
	Status lipgloss.Style
	Error  lipgloss.Style
	Warn   lipgloss.Style
	OK     lipgloss.Style
	Muted  lipgloss.Style
	Faint  lipgloss.Style
	Bold   lipgloss.Style
	Box    lipgloss.Style
	Code   lipgloss.Style

	List struct {
		Cursor   lipgloss.Style // the selected row
		Row      lipgloss.Style
		Disabled lipgloss.Style
		Header   lipgloss.Style
	}
	Group struct {
		Diff   lipgloss.Style // a field that differs between members
		Same   lipgloss.Style // a field equal in every member
		Path   lipgloss.Style
		Keep   lipgloss.Style // the keeper's header
		Member lipgloss.Style // another member's header
		Focus  lipgloss.Style // the member under the cursor
	}
	Decision struct {
		Undecided, Rule, Hand lipgloss.Style
	}
}

// NewStyles builds the styles from the default palette.
func NewStyles() Styles {
	p := defaultPalette()
	var s Styles
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(p.accent)
	s.Badge = lipgloss.NewStyle().Bold(true).Foreground(p.warn)
	s.Crumb = lipgloss.NewStyle().Foreground(p.subtle)
	s.Footer = lipgloss.NewStyle().Foreground(p.subtle)
	s.Status = lipgloss.NewStyle().Foreground(p.subtle)
	s.Error = lipgloss.NewStyle().Foreground(p.danger).Bold(true)
	s.Warn = lipgloss.NewStyle().Foreground(p.warn)
	s.OK = lipgloss.NewStyle().Foreground(p.ok)
	s.Muted = lipgloss.NewStyle().Foreground(p.subtle)
	s.Faint = lipgloss.NewStyle().Foreground(p.faint)
	s.Bold = lipgloss.NewStyle().Bold(true)
	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.faint).Padding(0, 1)
	s.Code = lipgloss.NewStyle().Foreground(p.text)

	s.List.Cursor = lipgloss.NewStyle().Bold(true).Foreground(p.accent)
	s.List.Row = lipgloss.NewStyle().Foreground(p.text)
	s.List.Disabled = lipgloss.NewStyle().Foreground(p.faint)
	s.List.Header = lipgloss.NewStyle().Foreground(p.subtle).Bold(true)

	s.Group.Diff = lipgloss.NewStyle().Foreground(p.diff).Bold(true)
	s.Group.Same = lipgloss.NewStyle().Foreground(p.faint)
	s.Group.Path = lipgloss.NewStyle().Foreground(p.subtle)
	s.Group.Keep = lipgloss.NewStyle().Foreground(p.keep).Bold(true)
	s.Group.Member = lipgloss.NewStyle().Foreground(p.danger)
	s.Group.Focus = lipgloss.NewStyle().Underline(true)

	s.Decision.Undecided = lipgloss.NewStyle().Foreground(p.faint)
	s.Decision.Rule = lipgloss.NewStyle().Foreground(p.accent)
	s.Decision.Hand = lipgloss.NewStyle().Foreground(p.ok)
	return s
}
