package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
	"github.com/muesli/termenv"
)

func init() {
	// Golden files and View assertions read plain text: no colour, no terminal queries.
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
}

// The store must satisfy the UI's interface without importing ui.
var _ Store = (*memstore.Store)(nil)

// harness drives the root model synchronously: it runs every Cmd a message returns and feeds
// the results back, dropping spinner ticks (the only timers besides the filter's debounce).
type harness struct {
	t     *testing.T
	m     *Model
	store *memstore.Store
	quit  bool
}

var fixedNow = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, edit func(*Config)) *harness {
	t.Helper()
	st := memstore.Demo()
	st.Now = func() time.Time { return fixedNow }
	cfg := Config{
		URI:       "demo",
		Demo:      true,
		BackupDir: t.TempDir(),
		Connect:   func(context.Context, string) (Store, error) { return st, nil },
	}
	if edit != nil {
		edit(&cfg)
	}
	h := &harness{t: t, m: New(cfg), store: st}
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.run(h.m.Init())
	return h
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100000 {
			h.t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil, spinner.TickMsg:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			h.quit = true
		default:
			_, next := h.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// keys presses keys: names like "enter", "esc", "space", "down", or runes typed one by one.
func (h *harness) keys(ks ...string) {
	h.t.Helper()
	for _, k := range ks {
		h.send(keyMsg(k))
	}
}

func (h *harness) typ(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func (h *harness) active() screenID { return h.m.active() }

func (h *harness) wantScreen(id screenID) {
	h.t.Helper()
	if got := h.active(); got != id {
		h.t.Fatalf("active screen = %d, want %d\n%s", got, id, h.m.View())
	}
}

func (h *harness) wantView(parts ...string) {
	h.t.Helper()
	v := h.m.View()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			h.t.Fatalf("view lacks %q:\n%s", p, v)
		}
	}
}

// openGroups opens the demo on a namespace and key, landing on the groups screen.
func openGroups(t *testing.T, ns, key string, edit func(*Config)) *harness {
	t.Helper()
	h := newHarness(t, func(c *Config) {
		c.NS = ns
		c.Key.Fields = strings.Split(key, ",")
		if edit != nil {
			edit(c)
		}
	})
	h.wantScreen(scrGroups)
	return h
}

func ns(s string) model.Namespace {
	n, _ := model.ParseNamespace(s)
	return n
}
