package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"

	"github.com/dupes-tui/dupes/keymap"
)

// docKeyNames maps how docs/tui.md writes a key to the name Bubble Tea gives it.
var docKeyNames = map[string]string{"space": " ", "pgdn": "pgdown", "←": "left", "→": "right", "↑": "up", "↓": "down"}

// TestKeysTableMatchesKeymap keeps docs/tui.md's keys table true: every key of every binding
// is in it, and every key it names is bound.
func TestKeysTableMatchesKeymap(t *testing.T) {
	doc, err := os.ReadFile("docs/tui.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "\n## Keys\n")
	if !ok {
		t.Fatal("docs/tui.md has no ## Keys section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	documented := map[string]bool{}
	tick := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[1]), "-") {
			continue
		}
		for _, m := range tick.FindAllStringSubmatch(cells[1], -1) {
			for _, k := range strings.Fields(m[1]) { // `i` `t` `F` `e` or `ctrl+c`
				parts := strings.Split(k, "/") // `↑`/`k` or `g/home`
				if k == "/" || strings.HasPrefix(k, "--") {
					parts = []string{k} // the filter key itself; a flag is not a key
				}
				for _, part := range parts {
					if name, ok := docKeyNames[part]; ok {
						part = name
					}
					if part != "" && !strings.HasPrefix(part, "--") {
						documented[part] = true
					}
				}
			}
		}
	}
	bound := map[string]bool{}
	km := reflect.ValueOf(keymap.DefaultKeyMap())
	for i := range km.NumField() {
		b, ok := km.Field(i).Interface().(key.Binding)
		if !ok {
			continue
		}
		for _, k := range b.Keys() {
			bound[k] = true
			if !documented[k] {
				t.Errorf("keymap.%s's key %q is not in docs/tui.md's keys table", km.Type().Field(i).Name, k)
			}
		}
	}
	if len(bound) < 20 {
		t.Fatalf("only %d keys bound: the keymap was not read", len(bound))
	}
	for k := range documented {
		if !bound[k] {
			t.Errorf("docs/tui.md's keys table names %q, which no binding has", k)
		}
	}
}
