package keymap

import (
	"reflect"
	"testing"

	"github.com/charmbracelet/bubbles/key"
)

func TestEveryBindingHasKeysAndHelpAndIsInFullHelp(t *testing.T) {
	k := DefaultKeyMap()
	inHelp := map[string]bool{}
	for _, col := range k.FullHelp() {
		for _, b := range col {
			inHelp[b.Help().Key+b.Help().Desc] = true
		}
	}
	v := reflect.ValueOf(k)
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		b := v.Field(i).Interface().(key.Binding)
		if len(b.Keys()) == 0 || b.Help().Key == "" || b.Help().Desc == "" {
			t.Errorf("%s has no keys or help", name)
		}
		if name != "ForceQuit" && !inHelp[b.Help().Key+b.Help().Desc] {
			t.Errorf("%s is missing from FullHelp", name)
		}
	}
}

func TestDesignDefaults(t *testing.T) {
	k := DefaultKeyMap()
	for _, c := range []struct {
		b    key.Binding
		want []string
	}{
		{k.Up, []string{"up", "k"}}, {k.Down, []string{"down", "j"}}, {k.Open, []string{"enter"}},
		{k.Back, []string{"esc"}}, {k.Filter, []string{"/"}}, {k.Keep, []string{" "}},
		{k.Next, []string{"n"}}, {k.Prev, []string{"p"}}, {k.Rules, []string{"r"}},
		{k.Review, []string{"D"}}, {k.Help, []string{"?"}}, {k.Quit, []string{"q", "ctrl+c"}},
	} {
		if !reflect.DeepEqual(c.b.Keys(), c.want) {
			t.Errorf("%s: keys %v, want %v", c.b.Help().Desc, c.b.Keys(), c.want)
		}
	}
	k.Up.SetEnabled(false)
	if k.Up.Enabled() || !DefaultKeyMap().Up.Enabled() {
		t.Error("a screen's copy of the keymap must change only that copy")
	}
}
