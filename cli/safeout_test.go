package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Field names that are terminal commands: OSC 52 writes "hello" to the clipboard, OSC 0
// retitles the window.
const (
	osc52Field = "\x1b]52;c;aGVsbG8=\x07"
	osc0Field  = "\x1b]0;pwned\x07"
	osc0Value  = "v\x1b]0;pwned-by-value\x07"
)

// hostile is a collection whose field names and values hold OSC sequences: two duplicates
// under the key (osc52Field, osc0Field).
func hostile(t *testing.T) fixture {
	f := newFixture(t)
	f.insert("evil",
		map[string]any{"_id": 1, osc52Field: "same", osc0Field: osc0Value, "note\u202eevil": "\u009b31m"},
		map[string]any{"_id": 2, osc52Field: "same", osc0Field: osc0Value},
		map[string]any{"_id": 3, osc52Field: "other", osc0Field: osc0Value},
	)
	return f
}

// noControls fails when an output holds a byte a terminal would obey.
func noControls(t *testing.T, what, out string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\r"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s holds %q raw:\n%q", what, bad, out)
		}
	}
}

func TestCLIOutputsEscapeControlSequences(t *testing.T) {
	f := hostile(t)
	key := osc52Field + "," + osc0Field
	base := []string{"--uri", f.uri, "--ns", f.ns("evil"), "--key", key}
	dir := t.TempDir()
	planFile := filepath.Join(dir, "plan.json")
	for _, c := range []struct {
		args []string
		fail bool
	}{
		{args: append([]string{"scan"}, base...)},
		{args: append([]string{"scan", "--format", "json"}, base...)},
		{args: append([]string{"plan", "--keep", "first", "--out", planFile}, base...)},
		{args: append([]string{"plan", "--keep", "first", "--out", "-"}, base...)},
		{args: []string{"apply", "--uri", f.uri, "--plan", planFile}},
		{args: append([]string{"resolve", "--keep", "max:note\u202eevil", "--dry-run"}, base...)},
		// A --key field no document has: the refusal names the fields that exist.
		{args: []string{"scan", "--uri", f.uri, "--ns", f.ns("evil"), "--key", osc0Field + "x"}, fail: true},
		{args: []string{"explain-error", "--uri", f.uri, "E11000 duplicate key error collection: " + f.ns("evil") +
			" index: i dup key: { " + osc52Field + `: "same" }`}, fail: true}, // a field name it cannot parse back
	} {
		out, errOut, status := dupesBinary(t, c.args...)
		t.Logf("dupes %s: status %d\nstdout:\n%s\nstderr:\n%s", c.args[0], status, out, errOut)
		noControls(t, c.args[0]+" stdout", out)
		noControls(t, c.args[0]+" stderr", errOut)
		switch {
		case c.fail && status == 0:
			t.Errorf("dupes %q succeeded", c.args)
		case c.fail:
			mustContain(t, c.args[0]+" error", errOut, `\x1b]`)
		case status != 0:
			t.Errorf("dupes %q: status %d", c.args, status)
		}
	}
	// The table shows the names escaped, readable, and the JSON output is still the data.
	out, _, _ := dupes(t, append([]string{"scan"}, base...)...)
	mustContain(t, "scan table", out, `\x1b]52;C;AGVSBG8=\x07`, `"v\x1b]0;pwned-by-value\x07"`)
	out, _, _ = dupes(t, append([]string{"scan", "--format", "json"}, base...)...)
	var got scanJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("scan JSON no longer parses: %v\n%s", err, out)
	}
	if len(got.Key) != 2 || got.Key[0] != osc52Field || len(got.Groups) != 1 || got.Groups[0].Key[1] != `"v\u001b]0;pwned-by-value\u0007"` {
		t.Fatalf("scan JSON does not carry the names and values exactly: %+v", got)
	}
	plan, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	noControls(t, "plan file", string(plan))

	// keys reads standard input: the binary, fed a document in Extended JSON.
	cmd := exec.Command(binary, "keys", "--key", osc0Field)
	cmd.Stdin = strings.NewReader(`{"\u001b]0;pwned\u0007": "x\u0007\u009b"}` + "\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("keys: %v\n%s", err, stderr.String())
	}
	noControls(t, "keys stdout", stdout.String())
	var keys struct{ Keys [][]json.RawMessage }
	if err := json.Unmarshal(stdout.Bytes(), &keys); err != nil || len(keys.Keys) != 1 {
		t.Fatalf("keys output %q: %v", stdout.String(), err)
	}
	var s string
	if err := json.Unmarshal(keys.Keys[0][0], &s); err != nil || s != "x\a\u009b" {
		t.Fatalf("keys output decodes to %q (%v), want the value itself", s, err)
	}
}

func TestSafeWriterKeepsSequencesCutBetweenWrites(t *testing.T) {
	var b bytes.Buffer
	w := newSafeWriter(&b)
	in := "名前 \u009b \u202e 😀 ok\n"
	for i := 0; i < len(in); i++ {
		w.Write([]byte{in[i]}) // one byte at a time: every multi-byte character is cut
	}
	w.Write([]byte{0xe5}) // a cut sequence that never completes
	w.flush()
	if want := "名前 \\u009b \\u202e 😀 ok\n\\xe5"; b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}

// TestScanTableAlignsWideCharacters: emoji and CJK values take two cells each; the IDS column
// must start at the same cell on every row.
func TestScanTableAlignsWideCharacters(t *testing.T) {
	f := newFixture(t)
	f.insert("wide",
		map[string]any{"_id": 1, "name": "😀😀"}, map[string]any{"_id": 2, "name": "😀😀"},
		map[string]any{"_id": 3, "name": "名前"}, map[string]any{"_id": 4, "name": "名前"},
		map[string]any{"_id": 5, "name": "ab"}, map[string]any{"_id": 6, "name": "ab"},
	)
	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("wide"), "--key", "name")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	col := -1
	for _, line := range strings.Split(out, "\n") {
		var i int
		switch {
		case strings.HasPrefix(line, "COUNT"):
			i = strings.Index(line, "IDS")
		case strings.HasPrefix(line, "2 "):
			i = strings.LastIndex(line, "  ") + 2
		default:
			continue
		}
		w := ansi.StringWidth(line[:i])
		if col >= 0 && w != col {
			t.Fatalf("the IDS column starts at cell %d on %q, at %d above:\n%s", w, line, col, out)
		}
		col = w
	}
	if col < 0 {
		t.Fatalf("no table:\n%s", out)
	}
}

func TestErrorsAreEscapedAndScrubbed(t *testing.T) {
	err := scrubError(errors.New("bad \x1b]0;x\x07 from mongodb://u:pw-1@h/?proxyPassword=pp-2"), []string{"scan", "--uri", "mongodb://u:pw-1@h/?proxyPassword=pp-2"})
	if got := err.Error(); got != `bad \x1b]0;x\x07 from mongodb://u:****@h/?proxyPassword=****` {
		t.Fatalf("got %q", got)
	}
	var ue usageError
	if err := scrubError(usagef("scan: --key \x1b"), nil); !errors.As(err, &ue) || strings.Contains(err.Error(), "\x1b") {
		t.Fatalf("usage error: %v (still a usage error: %v)", err, errors.As(err, &ue))
	}
}

// TestGuardedPlanStillApplies: a plan written to standard output passes the terminal guard,
// which writes DEL, C1 and bidi characters in values as JSON \u escapes; the plan read back
// must still match the documents and delete.
func TestGuardedPlanStillApplies(t *testing.T) {
	f := newFixture(t)
	f.insert("c1", map[string]any{"_id": 1, "k": "a\u009b\u202e\x7f"}, map[string]any{"_id": 2, "k": "a\u009b\u202e\x7f"})
	out, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("c1"), "--key", "k", "--keep", "first", "--out", "-")
	if status != 0 {
		t.Fatal(errOut)
	}
	noControls(t, "plan on stdout", out)
	mustContain(t, "plan on stdout", out, `"a\u009b\u202e\u007f"`)
	p := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(p, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, status = dupes(t, "apply", "--uri", f.uri, "--plan", p, "--yes", "--backup", t.TempDir())
	if status != 0 || f.count("c1") != 1 {
		t.Fatalf("apply: status %d, %d documents left\n%s%s", status, f.count("c1"), out, errOut)
	}
}
