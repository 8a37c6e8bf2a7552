package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/memstore"
)

// TestFailedLoginAsksThePasswordWithoutEcho: after the server refuses the login, e asks for
// the password again, masked, instead of showing the URI to edit; what is typed never
// reaches the screen, and the next attempt uses it.
func TestFailedLoginAsksThePasswordWithoutEcho(t *testing.T) {
	st := memstore.Demo()
	var tried []string
	var given string
	h := newHarness(t, func(c *Config) {
		c.Demo = false
		c.URI = "mongodb://ann@db1/"
		c.WithPassword = func(uri, p string) string { given = p; return "mongodb://ann:" + p + "@db1/" }
		c.Connect = func(_ context.Context, uri string) (Store, error) {
			tried = append(tried, uri)
			if len(tried) == 1 {
				return nil, errors.New("connect to mongodb://ann@db1/: authentication failed; check the user name, password and authSource in the URI")
			}
			return st, nil
		}
	})
	h.wantView("authentication failed", "e enter the password")
	h.keys("e")
	h.wantView("type the password again", "password ›")
	h.typ("hunter2")
	if v := h.m.View(); strings.Contains(v, "hunter2") || !strings.Contains(v, "•••••••") {
		t.Fatalf("the password is on screen, or not masked:\n%s", v)
	}
	h.keys("enter")
	if given != "hunter2" || len(tried) != 2 || tried[1] != "mongodb://ann:hunter2@db1/" {
		t.Fatalf("the next attempt did not use the password: given %q, tried %q", given, tried)
	}
	if v := h.m.View(); strings.Contains(v, "hunter2") {
		t.Fatalf("the password reached the screen:\n%s", v)
	}
}
