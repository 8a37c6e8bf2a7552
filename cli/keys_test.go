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
