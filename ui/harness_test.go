package ui

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/dupes-tui/dupes/keymap"
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
	keyboard
	t     *testing.T
	m     *Model
	store *memstore.Store
	quit  bool
	ticks []spinner.TickMsg // the spinner ticks the commands scheduled (not run: they are timers)
	// hold, when set, keeps the messages it accepts instead of delivering them: release hands
	// them over later, so a test can act while an answer is on its way.
	hold func(tea.Msg) bool
	held []tea.Msg
	// seen is every message the commands delivered to the model: the answers of the Store.
	seen []tea.Msg
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
	h.keyboard = keyboard{t: t, press: h.send}
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
	settle(h.t, cmd, func(msg tea.Msg) tea.Cmd {
		switch msg := msg.(type) {
		case spinner.TickMsg:
			h.ticks = append(h.ticks, msg)
		case tea.QuitMsg:
			h.quit = true
		default:
			if h.hold != nil && h.hold(msg) {
				h.held = append(h.held, msg)
				return nil
			}
			h.seen = append(h.seen, msg)
			_, next := h.m.Update(msg)
			return next
		}
		return nil
	})
}

// settle runs cmd and the commands that follow from it, handing each message to deliver,
// which returns the command the message leads to.
func settle(t *testing.T, cmd tea.Cmd, deliver func(tea.Msg) tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100000 {
			t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			queue = append(queue, deliver(msg))
		}
	}
}

// release delivers the messages held so far, and what follows from them (hold still applies).
func (h *harness) release() {
	h.t.Helper()
	held := h.held
	h.held = nil
	for _, msg := range held {
		h.send(msg)
	}
}

// keyboard presses keys, handing each to press: the root's harness or one screen's.
type keyboard struct {
	t     *testing.T
	press func(tea.Msg)
}

// keys presses keys: names like "enter", "esc", "space", "down", or runes typed one by one.
func (kb keyboard) keys(ks ...string) {
	kb.t.Helper()
	for _, k := range ks {
		kb.press(keyMsg(k))
	}
}

// typ types text, a key a rune.
func (kb keyboard) typ(s string) {
	kb.t.Helper()
	for _, r := range s {
		kb.press(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
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
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
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

// showSession puts a root model that never connected on the groups list of a session.
func showSession(m *Model, s *session) {
	m.sess = s
	m.stack = m.stack[:0]
	m.open(openGroupsMsg{sess: s})
}

// cursorLine is the line of a frame that holds the list cursor (› at its start), "" when
// none does.
func cursorLine(view string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(l, " › ") {
			return l
		}
	}
	return ""
}

// fieldRows are the field paths the key screen lists, in order.
func fieldRows(view string) []string {
	var out []string
	for _, m := range fieldRow.FindAllStringSubmatch(view, -1) {
		out = append(out, m[1])
	}
	return out
}

var fieldRow = regexp.MustCompile(`(?m)^ [ ›] \[(?: |\d+)\] (\S+)`)

// cursorTo moves a list's cursor to the first row holding text: to the top, then down.
func (h *harness) cursorTo(text string) {
	h.t.Helper()
	h.keys("g")
	for try := 0; try < 200; try++ {
		if strings.Contains(cursorLine(h.m.View()), text) {
			return
		}
		h.keys("down")
	}
	h.t.Fatalf("no row holds %q:\n%s", text, h.m.View())
}

// rowOfCursor is the cursor's row among the list rows that follow the line holding header.
func rowOfCursor(t *testing.T, view, header string) int {
	t.Helper()
	_, list, ok := strings.Cut(view, header)
	if !ok {
		t.Fatalf("no %q in the frame:\n%s", header, view)
	}
	lines := strings.Split(list, "\n")[1:]
	for i, l := range lines {
		if strings.HasPrefix(l, " › ") {
			return i
		}
	}
	t.Fatalf("no cursor under %q:\n%s", header, view)
	return -1
}

// number reads the integer the frame shows right before label ("8 groups"), thousands
// separators allowed; it fails the test when there is none.
func number(t *testing.T, view, label string) int {
	t.Helper()
	m := regexp.MustCompile(`([0-9][0-9,]*) ` + regexp.QuoteMeta(label)).FindStringSubmatch(view)
	if m == nil {
		t.Fatalf("the frame shows no number of %q:\n%s", label, view)
	}
	n, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// helpLine is the footer's help line: the last line of the frame.
func helpLine(view string) string {
	lines := strings.Split(view, "\n")
	return lines[len(lines)-1]
}

// screenHarness drives one screen alone, as the root would: it runs the screen's commands and
// hands it the results meant for it (targeted at its kind, errors); whatever else it emits
// (navigation, answers, statuses) is recorded in emitted for the test to read.
type screenHarness struct {
	keyboard
	t       *testing.T
	id      screenID
	ctx     *Context
	s       screen
	emitted []tea.Msg
}

// newScreen builds a screen of the registry on a 100×30 area, not yet opened.
func newScreen(t *testing.T, cfg Config, st Store, id screenID) *screenHarness {
	ctx := &Context{Styles: NewStyles(), Keys: keymap.DefaultKeyMap(), Cfg: cfg, Store: st, base: context.Background(),
		Width: 100, Height: 30}
	sh := &screenHarness{t: t, id: id, ctx: ctx, s: registry[id](ctx)}
	sh.keyboard = keyboard{t: t, press: sh.send}
	sh.s.SetSize(ctx.Width, ctx.Height)
	return sh
}

// openScreen builds the screen msg opens and opens it with msg.
func openScreen(t *testing.T, cfg Config, st Store, msg opener) *screenHarness {
	t.Helper()
	sh := newScreen(t, cfg, st, msg.opens())
	sh.send(msg)
	return sh
}

// send hands the screen a message and runs what follows from it.
func (sh *screenHarness) send(msg tea.Msg) {
	sh.t.Helper()
	sh.run(sh.update(msg))
}

// update hands the screen a message and returns its command, not run.
func (sh *screenHarness) update(msg tea.Msg) tea.Cmd {
	cmd := sh.s.Update(msg)
	intents := sh.ctx.intents
	sh.ctx.intents = nil
	var own []tea.Cmd
	for _, in := range intents {
		if sh.mine(in) {
			own = append(own, sh.update(in))
			continue
		}
		sh.emitted = append(sh.emitted, in)
	}
	return tea.Batch(append(own, cmd)...)
}

func (sh *screenHarness) mine(msg tea.Msg) bool {
	tg, ok := msg.(targeted)
	return ok && tg.target() == sh.id
}

func (sh *screenHarness) run(cmd tea.Cmd) {
	sh.t.Helper()
	settle(sh.t, cmd, func(msg tea.Msg) tea.Cmd {
		switch msg.(type) {
		case spinner.TickMsg:
			return nil
		case ErrorMsg:
			sh.emitted = append(sh.emitted, msg)
			return sh.update(msg)
		}
		if sh.mine(msg) {
			return sh.update(msg)
		}
		sh.emitted = append(sh.emitted, msg)
		return nil
	})
}

// cursorTo moves the screen's list cursor to the first row holding text.
func (sh *screenHarness) cursorTo(text string) {
	sh.t.Helper()
	sh.keys("g")
	for try := 0; try < 200; try++ {
		if strings.Contains(cursorLine(" "+strings.ReplaceAll(sh.s.View(), "\n", "\n ")), text) {
			return
		}
		sh.keys("down")
	}
	sh.t.Fatalf("no row holds %q:\n%s", text, sh.s.View())
}

// wantView fails unless the screen's view holds every part.
func (sh *screenHarness) wantView(parts ...string) {
	sh.t.Helper()
	v := sh.s.View()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			sh.t.Fatalf("view lacks %q:\n%s", p, v)
		}
	}
}

// last is the last message of type T the screen emitted.
func last[T tea.Msg](sh *screenHarness) (T, bool) {
	for i := len(sh.emitted) - 1; i >= 0; i-- {
		if m, ok := sh.emitted[i].(T); ok {
			return m, true
		}
	}
	var none T
	return none, false
}

// offers reports whether the screen's help lists a binding, enabled, for the key.
func (sh *screenHarness) offers(k string) bool {
	for _, col := range sh.s.FullHelp() {
		for _, b := range col {
			if b.Enabled() && slices.Contains(b.Keys(), k) {
				return true
			}
		}
	}
	return false
}

// listRows are the rows of the list under the line holding header, up to the first blank line.
func listRows(view, header string) []string {
	_, list, ok := strings.Cut(view, header)
	if !ok {
		return nil
	}
	var rows []string
	for _, l := range strings.Split(list, "\n")[1:] {
		if strings.TrimSpace(l) == "" {
			break
		}
		rows = append(rows, l)
	}
	return rows
}

// backupPath is the backup the done screen names.
func backupPath(t *testing.T, view string) string {
	t.Helper()
	m := regexp.MustCompile(`backup +(\S+)`).FindStringSubmatch(view)
	if m == nil {
		t.Fatalf("the frame names no backup:\n%s", view)
	}
	return m[1]
}

// reviewedPlan is the plan the review of h's session confirms: a review screen of its own is
// opened on the session, the namespace typed, and the run it answers with read.
func reviewedPlan(h *harness) model.Plan {
	h.t.Helper()
	cfg := h.m.ctx.Cfg
	cfg.ReadOnly = false
	sh := openScreen(h.t, cfg, h.m.ctx.Store, openReviewMsg{sess: h.m.sess})
	sh.keys("enter")
	sh.typ(h.m.sess.ns.String())
	sh.keys("enter")
	run, ok := last[executeMsg](sh)
	if !ok {
		h.t.Fatalf("the review confirms no run:\n%s", sh.s.View())
	}
	return run.plan
}

// runReport is the report of the last run, as the store answered it (the done screen shows
// its counts; the test reads the skips per document).
func runReport(h *harness) model.Report {
	h.t.Helper()
	for i := len(h.seen) - 1; i >= 0; i-- {
		if ev, ok := h.seen[i].(execEvent); ok {
			if rep, ok := ev.msg.(reportMsg); ok {
				return rep.report
			}
		}
	}
	h.t.Fatal("no run reported")
	return model.Report{}
}
