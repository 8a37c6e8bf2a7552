//go:build unix

package cli

import (
	"io"
	"os"
	"testing"
	"time"
)

func TestParseBackground(t *testing.T) {
	for _, tc := range []struct {
		answer      string
		dark, found bool
	}{
		{"\x1b]11;rgb:0000/0000/0000\x1b\\\x1b[?62;22c", true, true},
		{"\x1b]11;rgb:ffff/ffff/ffff\x07\x1b[?1;2c", false, true},
		{"\x1b]11;rgb:1e/1e/2e\x07", true, true},    // two digits a channel
		{"\x1b]11;rgb:fd/f6/e3\x1b\\", false, true}, // a light theme
		{"\x1b[?1;2c", false, false},                // DA1 only: no colour
		{"\x1b]11;rgb:zz/00/00\x07", false, false},
		{"\x1b]11;rgb:00/00\x07", false, false},
		{"", false, false},
	} {
		dark, found := parseBackground([]byte(tc.answer))
		if dark != tc.dark || found != tc.found {
			t.Errorf("%q: dark %v found %v, want %v %v", tc.answer, dark, found, tc.dark, tc.found)
		}
	}
}

// TestQueryBackground asks through pipes standing for the terminal: the question is written,
// an answer is read up to DA1's, and silence ends in "not said" rather than a hang.
func TestQueryBackground(t *testing.T) {
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inR.Close()
	defer inW.Close()
	defer outR.Close()
	if _, err := inW.WriteString("\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[?62c"); err != nil {
		t.Fatal(err)
	}
	dark, ok := queryBackground(inR, outW, time.Minute) // DA1's answer ends the wait
	if !ok || dark {
		t.Fatalf("white background: dark %v ok %v", dark, ok)
	}
	outW.Close()
	asked, _ := io.ReadAll(outR)
	if string(asked) != bgQuery {
		t.Fatalf("asked %q, want %q", asked, bgQuery)
	}

	_, silentOut, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer silentOut.Close()
	if _, ok := queryBackground(inR, silentOut, 10*time.Millisecond); ok {
		t.Fatal("a silent terminal said a colour")
	}
}
