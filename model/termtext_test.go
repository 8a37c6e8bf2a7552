package model

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// osc52 writes "hello" to the clipboard; osc0 retitles the window. Both end in BEL.
const (
	osc52 = "\x1b]52;c;aGVsbG8=\x07"
	osc0  = "\x1b]0;pwned\x07"
)

func TestSafeText(t *testing.T) {
	for _, c := range []struct{ in, want, lines string }{
		{"email", "email", "email"},
		{"é 名前 😀", "é 名前 😀", "é 名前 😀"},
		{osc52, `\x1b]52;c;aGVsbG8=\x07`, `\x1b]52;c;aGVsbG8=\x07`},
		{osc0 + "x", `\x1b]0;pwned\x07x`, `\x1b]0;pwned\x07x`},
		{"a\nb\tc\rd", `a\x0ab\x09c\x0dd`, "a\nb\tc\\x0dd"},
		{"del\x7f", `del\u007f`, `del\u007f`},
		{"csi\u009b31m", `csi\u009b31m`, `csi\u009b31m`},
		{"\u202egnp.exe", `\u202egnp.exe`, `\u202egnp.exe`},
		{"\u2066x\u2069", `\u2066x\u2069`, `\u2066x\u2069`},
		{"bad\xffbyte\x9b", `bad\xffbyte\x9b`, `bad\xffbyte\x9b`},
		{"keep \ufffd", "keep \ufffd", "keep \ufffd"},
	} {
		if got := SafeText(c.in); got != c.want {
			t.Errorf("SafeText(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := SafeLines(c.in); got != c.lines {
			t.Errorf("SafeLines(%q) = %q, want %q", c.in, got, c.lines)
		}
	}
}

func FuzzSafeText(f *testing.F) {
	for _, s := range []string{osc52, osc0, "a\u202eb", "\xc2\x9b", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{SafeText(s), SafeLines(s), DisplayPath(s), Value(quoteJSON(s)).Display()} {
			if !utf8.ValidString(out) {
				t.Fatalf("%q: output %q is not valid UTF-8", s, out)
			}
			for _, r := range out {
				if NeedsEscape(r) && r != '\n' && r != '\t' {
					t.Fatalf("%q: output %q holds %U", s, out, r)
				}
			}
		}
		if strings.ContainsAny(SafeText(s), "\n\t") {
			t.Fatalf("SafeText(%q) keeps a line break or tab", s)
		}
	})
}

// quoteJSON is s as a JSON string, as the driver writes it (control characters as \u00XX).
func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func TestDisplayEscapes(t *testing.T) {
	for _, c := range []struct {
		v    Value
		want string
	}{
		{Value(quoteJSON("a" + osc52)), `"a\x1b]52;c;aGVsbG8=\x07"`},
		{Value(quoteJSON("say \"hi\"\n\t<b>&")), `"say \"hi\"\n\t<b>&"`},
		{Value(`"\u202eevil"`), `"\u202eevil"`},
		{Value(`{` + quoteJSON(osc0) + `:{"$numberInt":"1"}}`), `{ \x1b]0;pwned\x07: 1 }`},
		{Value(`{"$regularExpression":{"pattern":"a\u001b","options":"i"}}`), `/a\x1b/i`},
		{Value(`{"$code":"x\u0007"}`), `Code("x\x07")`},
		{Value(`{"$oid":"\u001b]0;x\u0007"}`), `{"$oid":"\u001b]0;x\u0007"}`}, // no ObjectId: shown as text
		{Value("not json \x1b"), `not json \x1b`},
	} {
		if got := c.v.Display(); got != c.want {
			t.Errorf("%s: Display = %s, want %s", c.v, got, c.want)
		}
	}
}

func TestDisplayTyped(t *testing.T) {
	i32, i64, dbl := Value(`{"$numberInt":"5"}`), Value(`{"$numberLong":"5"}`), Value(`{"$numberDouble":"5.0"}`)
	if !SameDisplay(i32, i64) || SameDisplay(i32, i32) || SameDisplay(i32, dbl) {
		t.Fatalf("SameDisplay: int/long %v, int/int %v, int/double %v", SameDisplay(i32, i64), SameDisplay(i32, i32), SameDisplay(i32, dbl))
	}
	for _, c := range []struct {
		v    Value
		want string
	}{
		{i32, "5 (int)"},
		{i64, "5 (long)"},
		{dbl, "5.0 (double)"},
		{Value(`"5"`), `"5" (string)`},
		{Value(`{"$oid":"65a1b2c3d4e5f60718293a4b"}`), "ObjectId('65a1b2c3d4e5f60718293a4b') (objectId)"},
		{Value(`{"n":{"$numberLong":"5"},"m":[{"$numberInt":"1"},{"$numberDouble":"2.5"}]}`), "{ n: Long(5), m: [Int32(1), Double(2.5)] }"},
		{Missing, "(missing)"},
	} {
		if got := c.v.DisplayTyped(); got != c.want {
			t.Errorf("%s: DisplayTyped = %s, want %s", c.v, got, c.want)
		}
	}
	if a, b := Value(`{"n":{"$numberInt":"5"}}`), Value(`{"n":{"$numberLong":"5"}}`); !SameDisplay(a, b) || a.DisplayTyped() == b.DisplayTyped() {
		t.Fatalf("nested int/long: %s vs %s", a.DisplayTyped(), b.DisplayTyped())
	}
	if !RowNeedsTypes([]Value{i32, Missing, dbl, i64}) || RowNeedsTypes([]Value{i32, i32, dbl, Missing}) {
		t.Fatal("RowNeedsTypes: want true only when two values differ and display alike")
	}
	if got := Value(`{"$code":"f()","$scope":{}}`).TypeName(); got != "javascriptWithScope" {
		t.Fatalf("code with scope: %s", got)
	}
}

func TestJSONSafe(t *testing.T) {
	in := `{"$project": {"k": "$e` + "\u202e" + `liam", "d": "x` + "\x7f" + `y", "c": "a` + "\u0085" + `b", "ok": "é"}}`
	want := `{"$project": {"k": "$e\u202eliam", "d": "x\u007fy", "c": "a\u0085b", "ok": "é"}}`
	if got := JSONSafe(in); got != want {
		t.Fatalf("JSONSafe\n got %s\nwant %s", got, want)
	}
	var a, b any
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("the escaped text is not the same JSON: %v", err)
	}
	if s := "plain \"text\"\n"; JSONSafe(s) != s {
		t.Fatal("JSONSafe changed a clean text")
	}
}
