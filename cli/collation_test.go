package cli

import "testing"

// --collation is checked before anything connects: an option dupes cannot decide exactly, an
// unknown option, or a collation beside --index (which brings its own) is a usage error.
func TestCollationFlagIsChecked(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--collation", `{"locale": "en", "numericOrdering": true}`}, "numericOrdering"},
		{[]string{"--collation", `{"locale": "en", "strenght": 2}`}, "unknown field"},
		{[]string{"--collation", `{"locale": "en"}`, "--index", "email_1"}, "--collation goes with --key"},
	} {
		args := append([]string{"scan", "--uri", "mongodb://127.0.0.1:1/", "--ns", "shop.users"}, c.args...)
		if c.args[len(c.args)-2] != "--index" {
			args = append(args, "--key", "email")
		}
		_, errOut, status := dupes(t, args...)
		if status != 2 {
			t.Fatalf("%v: status %d (%s), want 2", c.args, status, errOut)
		}
		mustContain(t, "stderr", errOut, c.want)
	}
}
