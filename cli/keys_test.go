package cli

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

func TestKeysPrintsEachDocumentsIndexKeys(t *testing.T) {
	in := strings.Join([]string{
		`{"_id":1,"email":"A@x.com","tags":["a",1,{"$numberLong":"1"},1.0]}`,
		`{"_id":{"$oid":"5f0c6e1b2a3b4c5d6e7f8091"},"tags":[],"email":null}`,
		``,
		`{"_id":3}`,
		`{"email":["x"],"tags":["y"]}`,
	}, "\n")
	var out, errOut bytes.Buffer
	if err := runKeys([]string{"--key", "email,tags"}, strings.NewReader(in), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	want := `{"keys":[["A@x.com","a"],["A@x.com",{"$numberInt":"1"}]]}
{"keys":[[null,{"$undefined":true}]]}

{"keys":[[null,null]]}
{"error":"cannot index parallel arrays [tags] [email]"}
`
	if out.String() != want {
		t.Fatalf("got\n%swant\n%s", out.String(), want)
	}

	out.Reset()
	err := runKeys([]string{"--key", "email", "--sparse", "--collation", `{"locale":"en","strength":2}`, "--trim"},
		strings.NewReader("{\"email\":\" Bob \"}\n{}\n"), &out, &errOut)
	if err != nil || out.String() != "{\"keys\":[[\"Bob\"]]}\n{\"keys\":[]}\n" {
		t.Fatalf("sparse, collation, trim: %v %q", err, out.String())
	}
}

func TestKeysRefusesWhatItCannotDecide(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--key", "a..b"},
		{"--key", "a", "--collation", `{"locale":"en","numericOrdering":true}`},
		{"--key", "a", "--collation", `{"locale":"en","strenght":2}`},
		{"--key", "a", "doc.json"},
	} {
		if _, errOut, status := dupes(t, append([]string{"keys"}, args...)...); status != 2 {
			t.Errorf("%v: status %d (%s), want a usage error", args, status, errOut)
		}
	}
	if out, _, status := dupes(t, "keys", "--help"); status != 0 || !strings.Contains(out, "why are these two documents duplicates?") {
		t.Errorf("keys --help: %d %q", status, out)
	}

	// A line that is not a document: an error line in place, and status 1 at the end.
	cmd := exec.Command(binary, "keys", "--key", "a")
	cmd.Stdin = strings.NewReader("{\"a\":1}\nnot json\n{\"a\":2}\n")
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("status: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], `{"error":"line 2: `) || lines[2] != `{"keys":[[{"$numberInt":"2"}]]}` {
		t.Fatalf("output %q", out)
	}
}

// TestKeysReadsAsTheDriverDoes: trailing text, $uuid, degenerate decimals and the corpus's
// parse errors are read as the driver reads them, one answer per line.
func TestKeysReadsAsTheDriverDoes(t *testing.T) {
	in := strings.Join([]string{
		`{"a":1} garbage`,
		`{"a":{"$uuid":"73ffd264-44b3-4c69-90e8-e7d1dfc035d4"}}`,
		`{"a":{"$numberDecimal":"1E3"}}`,
		`{"a":{"$numberDecimal":"-100E-10"}}`,
		`{"a":{"$numberDecimal":"nan"}}`,
		`{"a":{"$numberDecimal":"inf"}}`,
		`{"a\u0000b":1}`,
		`{"a":{"b\u0000":1}}`,
		`{"a":{"$numberDecimal":"--32.4"}}`,
		`{"a":{"$uuid":"73ffd264-44b3-90e8-e7d1dfc035d4"}}`,
		``,
		`{"a":1e6}`,
		`{"a":{"$numberDouble":"5e-5"}}`,
	}, "\n")
	var out, errOut bytes.Buffer
	err := runKeys([]string{"--key", "a"}, strings.NewReader(in), &out, &errOut)
	if exitCode(err) != 1 {
		t.Fatalf("status %d (%v), want 1", exitCode(err), err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		`{"error":"line 1: `,
		`{"keys":[[{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"04"}}]]}`,
		`{"keys":[[{"$numberDecimal":"1E+3"}]]}`,
		`{"keys":[[{"$numberDecimal":"-1.00E-8"}]]}`,
		`{"keys":[[{"$numberDecimal":"NaN"}]]}`,
		`{"keys":[[{"$numberDecimal":"Infinity"}]]}`,
		`{"error":"line 7: `,
		`{"error":"line 8: `,
		`{"error":"line 9: `,
		`{"error":"line 10: `,
		``,
		`{"keys":[[{"$numberDouble":"1E+06"}]]}`,
		`{"keys":[[{"$numberDouble":"5E-05"}]]}`,
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines for %d:\n%s", len(got), len(want), out.String())
	}
	for i := range want {
		if got[i] != want[i] && !(strings.HasPrefix(want[i], `{"error"`) && strings.HasPrefix(got[i], want[i])) {
			t.Errorf("line %d: %s, want %s", i+1, got[i], want[i])
		}
	}
}

func TestKeysGroupsNamesTheLinesThatCollide(t *testing.T) {
	in := strings.Join([]string{
		`{"_id":1,"t":["x","y"]}`,
		`{"_id":2,"t":{"$numberLong":"7"}}`,
		``,
		`{"_id":3,"t":["y",7.0]}`,
		`{"_id":4,"t":"Y"}`,
		`{"_id":5,"t":"x","u":[1],"v":[2]}`,
		`{"_id":6,"t":{"$numberDecimal":"7.00"}}`,
		`{"_id":7,"t":"x"}`,
	}, "\n")
	var out, errOut bytes.Buffer
	if err := runKeys([]string{"--key", "t", "--groups"}, strings.NewReader(in), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	want := `{"key":["x"],"lines":[1,6,8]}
{"key":["y"],"lines":[1,4]}
{"key":[{"$numberLong":"7"}],"lines":[2,4,7]}
`
	if out.String() != want {
		t.Fatalf("got\n%swant\n%s", out.String(), want)
	}

	// The collation decides string equality; an unindexable line and an unreadable one are
	// named first, and the unreadable one makes the status 1.
	out.Reset()
	in = "{\"t\":\"a\",\"u\":[1],\"v\":[2]}\n{\"t\":\"A\"}\nnope\n{\"t\":\"a\"}\n"
	err := runKeys([]string{"--key", "t,u,v", "--groups", "--collation", `{"locale":"en","strength":2}`}, strings.NewReader(in), &out, &errOut)
	if exitCode(err) != 1 {
		t.Fatalf("status %d (%v)", exitCode(err), err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != 3 || got[0] != `{"error":"line 1: cannot index parallel arrays [v] [u]"}` ||
		!strings.HasPrefix(got[1], `{"error":"line 3: `) || got[2] != `{"key":["A",null,null],"lines":[2,4]}` {
		t.Fatalf("output:\n%s", out.String())
	}

	// Nothing collides: nothing is printed.
	out.Reset()
	if err := runKeys([]string{"--key", "t", "--groups", "--sparse"}, strings.NewReader("{}\n{}\n{\"t\":1}\n"), &out, &errOut); err != nil || out.Len() != 0 {
		t.Fatalf("sparse: %v %q", err, out.String())
	}
}
