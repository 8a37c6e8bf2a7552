package ui

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/keymap"
	"github.com/dupes-tui/dupes/model"
)

// rootKeys are the keys the root answers on every screen: quit, help, scrolling the footer's
// error.
var rootKeys = []string{"q", "ctrl+c", "?", "[", "]"}

// TestKeysOutsideTheHelpDoNothing: on every screen, every key of the keymap that the screen's
// help does not list (and the root does not answer) changes nothing: not the frame, not the
// screen. The help is the screen's declaration of the keys it matches.
func TestKeysOutsideTheHelpDoNothing(t *testing.T) {
	users := func(t *testing.T) *harness { return openGroups(t, "shop.users", "email", nil) }
	for _, c := range []struct {
		name string
		open func(t *testing.T) *harness
	}{
		{"connect", func(t *testing.T) *harness {
			return newHarness(t, func(c *Config) {
				c.Demo = false
				c.Connect = func(context.Context, string) (Store, error) { return nil, errors.New("connection refused") }
			})
		}},
		{"databases", func(t *testing.T) *harness { return newHarness(t, nil) }},
		{"collections", func(t *testing.T) *harness { h := newHarness(t, nil); h.keys("down", "enter"); return h }},
		{"key", func(t *testing.T) *harness { return newHarness(t, func(c *Config) { c.NS = "shop.users" }) }},
		{"census", func(t *testing.T) *harness { h := newHarness(t, nil); h.keys("down", "enter", "c"); return h }},
		{"scan", func(t *testing.T) *harness {
			h := newHarness(t, func(c *Config) { c.NS = "shop.users" })
			h.hold = func(msg tea.Msg) bool { _, ok := msg.(scanOpenedMsg); return ok }
			h.keys("enter")
			return h
		}},
		{"groups", users},
		{"groups with a rule", func(t *testing.T) *harness { h := users(t); ruleFirst(h); return h }},
		{"group", func(t *testing.T) *harness { h := users(t); h.keys("enter"); return h }},
		{"document", func(t *testing.T) *harness { h := users(t); h.keys("down", "enter", "v"); return h }},
		{"rules", func(t *testing.T) *harness { h := users(t); h.keys("r"); return h }},
		{"review", func(t *testing.T) *harness { h := users(t); ruleFirst(h); h.keys("D"); return h }},
		{"done", func(t *testing.T) *harness {
			h := users(t)
			ruleFirst(h)
			h.send(executeMsg{plan: h.m.sess.plan()})
			return h
		}},
		{"execute", func(t *testing.T) *harness {
			h, _ := startRun(t, model.Progress{GroupsTotal: 8, DocsTotal: 8})
			t.Cleanup(func() { h.keys("esc") })
			return h
		}},
	} {
		t.Run(c.name, func(t *testing.T) { onlyHelpKeysAct(t, c.open(t)) })
	}
}

// onlyHelpKeysAct presses, on the active screen, every key of the keymap that its help does not
// list, and fails if one changes the frame or the screen.
func onlyHelpKeysAct(t *testing.T, h *harness) {
	t.Helper()
	if h.m.top().Typing() {
		t.Fatal("a text field has the keys: nothing to test")
	}
	h.keys("Z") // bound to nothing: clears the status line
	offered := map[string]bool{}
	for _, k := range rootKeys {
		offered[k] = true
	}
	for _, col := range h.m.top().FullHelp() {
		for _, b := range col {
			if b.Enabled() {
				for _, k := range b.Keys() {
					offered[k] = true
				}
			}
		}
	}
	before, on := h.m.View(), h.m.active()
	pressed := 0
	for _, k := range boundKeys() {
		if offered[k] {
			continue
		}
		h.send(keyNamed(k))
		pressed++
		if v := h.m.View(); v != before || h.m.active() != on || h.quit {
			t.Fatalf("%q is not in the help of screen %d, yet it acts:\nbefore\n%s\nafter\n%s", k, on, before, v)
		}
	}
	if pressed < 5 {
		t.Fatalf("only %d keys pressed: the help lists every key?", pressed)
	}
}

// boundKeys is every key of every binding of the default keymap.
func boundKeys() []string {
	var out []string
	v := reflect.ValueOf(keymap.DefaultKeyMap())
	for i := range v.NumField() {
		for _, k := range v.Field(i).Interface().(key.Binding).Keys() {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// keyNamed is the key message Bubble Tea makes of a key the keymap names.
func keyNamed(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd, "tab": tea.KeyTab,
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, " ": tea.KeySpace, "ctrl+c": tea.KeyCtrlC}
	if t, ok := named[k]; ok {
		m := tea.KeyMsg{Type: t}
		if t == tea.KeySpace {
			m.Runes = []rune{' '}
		}
		if m.String() != k {
			panic("key " + k + " reads as " + m.String())
		}
		return m
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}
