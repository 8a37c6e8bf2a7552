package cli

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/dupes-tui/dupes/model"
)

// TestKeysBSONCorpus runs every case of MongoDB's BSON corpus (mongodb/specifications,
// source/bson-corpus/tests/*.json) through the dupes binary's `keys`: each valid case's
// canonical, relaxed, degenerate and converted Extended JSON must key as its canonical value,
// and each Extended JSON parse error must print {"error":...} and exit 1. The corpus is not in
// the repository (its licence, CC BY-NC-SA, is not ours): point DUPES_BSON_CORPUS at a copy
// of its tests folder, e.g.
//
//	DUPES_BSON_CORPUS=/tmp/bson-corpus go test ./cli -run TestKeysBSONCorpus -v
//
// TestKeysCorpusTable restates a representative set of its cases, and always runs.
func TestKeysBSONCorpus(t *testing.T) {
	dir := os.Getenv("DUPES_BSON_CORPUS")
	if dir == "" {
		t.Skip("DUPES_BSON_CORPUS is not set: the BSON corpus (mongodb/specifications, source/bson-corpus/tests, " +
			"CC BY-NC-SA) is not in the repository; TestKeysCorpusTable covers a representative set of it")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("DUPES_BSON_CORPUS=%s holds no corpus files (%v)", dir, err)
	}
	var summary []string
	for _, f := range files {
		var c corpusFile
		data, err := os.ReadFile(f)
		if err == nil {
			err = json.Unmarshal(data, &c)
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			summary = append(summary, fmt.Sprintf("%-28s %s", name, runCorpusFile(t, c)))
		})
	}
	sort.Strings(summary)
	t.Logf("cases passed / total per file (valid: every form of the case keys as its canonical value):\n%s",
		strings.Join(summary, "\n"))
}

type corpusFile struct {
	BSONType string  `json:"bson_type"`
	TestKey  *string `json:"test_key"`
	Valid    []struct {
		Description   string  `json:"description"`
		CanonicalBSON string  `json:"canonical_bson"`
		Canonical     string  `json:"canonical_extjson"`
		Relaxed       *string `json:"relaxed_extjson"`
		Degenerate    *string `json:"degenerate_extjson"`
		ConvertedBSON *string `json:"converted_bson"`
		Converted     *string `json:"converted_extjson"`
		Lossy         bool    `json:"lossy"`
	} `json:"valid"`
	ParseErrors []struct {
		Description string `json:"description"`
		String      string `json:"string"`
	} `json:"parseErrors"`
}

// corpusLine is one line fed to `dupes keys` and what its answer must be.
type corpusLine struct {
	caseNo, form string
	line         string
	key          string
	want         []string // the canonical keys' value texts, as the corpus spells them
	wantRaw      []bson.RawValue
	relaxed      bool // relaxed JSON numbers may read as another numeric type of equal value
}

// runCorpusFile checks one corpus file and returns its count of cases passed.
func runCorpusFile(t *testing.T, c corpusFile) string {
	var lines []corpusLine
	for i, v := range c.Valid {
		id := fmt.Sprintf("valid %d (%s)", i+1, v.Description)
		cb, err := hex.DecodeString(v.CanonicalBSON)
		if err != nil {
			t.Fatalf("%s: canonical_bson: %v", id, err)
		}
		key, rv, wrap := corpusKey(c.TestKey, bson.Raw(cb))
		canon := v.Canonical
		if canon == "" { // a case given only in degenerate form: the driver's writing of its BSON
			canon = `{"d":` + string(model.MustValueOf(rv)) + `}`
			key, wrap = "d", false
		}
		add := func(form, text string, bsonHex *string, relaxed bool) {
			want := rv
			if bsonHex != nil {
				b, err := hex.DecodeString(*bsonHex)
				if err != nil {
					t.Fatalf("%s: %s bson: %v", id, form, err)
				}
				_, want, _ = corpusKey(c.TestKey, bson.Raw(b))
			}
			cl := corpusLine{caseNo: id, form: form, key: key, line: lineOf(text, wrap), relaxed: relaxed}
			cl.want = keyTexts(t, id, fieldText(t, id, canonOrConverted(canon, form, text), key, wrap, c.TestKey))
			if !v.Lossy {
				cl.wantRaw = keyRaws(want)
			}
			lines = append(lines, cl)
		}
		if v.Canonical != "" {
			add("canonical", v.Canonical, nil, false)
		}
		if v.Relaxed != nil {
			add("relaxed", *v.Relaxed, nil, true)
		}
		if v.Degenerate != nil {
			add("degenerate", *v.Degenerate, nil, false)
		}
		if v.Converted != nil {
			add("converted", *v.Converted, v.ConvertedBSON, false)
		}
	}
	passed := map[string]bool{}
	for _, cl := range lines {
		passed[cl.caseNo] = true
	}
	failedForms := checkCorpusLines(t, lines)
	for _, cl := range failedForms {
		passed[cl.caseNo] = false
	}
	nValid := 0
	for _, ok := range passed {
		if ok {
			nValid++
		}
	}

	// Parse errors: a decimal128 file gives decimal strings, not documents.
	var bad, names []string
	for _, p := range c.ParseErrors {
		text := p.String
		if c.BSONType == "0x13" {
			q, _ := json.Marshal(text)
			text = `{"d":{"$numberDecimal":` + string(q) + `}}`
		}
		bad, names = append(bad, lineOf(text, false)), append(names, p.Description)
	}
	nParse := checkParseErrors(t, bad, names)
	return fmt.Sprintf("valid %d/%d (%d forms)  parse errors %d/%d", nValid, len(passed), len(lines), nParse, len(c.ParseErrors))
}

// checkParseErrors runs each line alone in-process (its own exit status), then all of them
// through the binary in one run, every line an error in place; it returns how many passed.
func checkParseErrors(t *testing.T, lines, names []string) int {
	t.Helper()
	passed := 0
	for i, line := range lines {
		var out, errOut bytes.Buffer
		err := runKeys([]string{"--key", "a"}, strings.NewReader(line+"\n"), &out, &errOut)
		if exitCode(err) != 1 || !strings.HasPrefix(out.String(), `{"error":"line 1: `) || !json.Valid(out.Bytes()) {
			t.Errorf("parse error %q: %s (status %d, %v), want an error line and status 1", names[i], out.String(), exitCode(err), err)
			continue
		}
		passed++
	}
	if len(lines) == 0 {
		return 0
	}
	out, status := keysBinary(t, "a", lines)
	if status != 1 || len(out) != len(lines) {
		t.Errorf("parse errors in one run: status %d, %d lines for %d", status, len(out), len(lines))
	}
	for i, o := range out {
		if !strings.HasPrefix(o, fmt.Sprintf(`{"error":"line %d: `, i+1)) {
			t.Errorf("parse error %q: line %d: %s", names[i], i+1, o)
		}
	}
	return passed
}

// corpusKey is the field a case keys on: the file's test key where the document has it, else
// the whole document, put under "d" (top-level cases such as {"$key": 42}).
func corpusKey(testKey *string, doc bson.Raw) (key string, rv bson.RawValue, wrap bool) {
	if testKey != nil {
		if v, err := doc.LookupErr(*testKey); err == nil {
			return *testKey, v, false
		}
	}
	return "d", bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}, true
}

func lineOf(text string, wrap bool) string {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\n", " ")
	if wrap {
		return `{"d":` + text + `}`
	}
	return text
}

// canonOrConverted: a converted form keys as its own converted value, the others as canonical.
func canonOrConverted(canon, form, text string) string {
	if form == "converted" {
		return text
	}
	return canon
}

// fieldText is the Extended JSON text of the key field of a case's document.
func fieldText(t *testing.T, id, doc, key string, wrap bool, testKey *string) string {
	if wrap {
		return doc
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &fields); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	v, ok := fields[key]
	if !ok {
		t.Fatalf("%s: no %q in %s", id, key, doc)
	}
	return string(v)
}

// keyTexts: a value keys as itself; an array as one key per element, an empty one as undefined.
func keyTexts(t *testing.T, id, v string) []string {
	if !strings.HasPrefix(v, "[") {
		return []string{v}
	}
	var elems []json.RawMessage
	if err := json.Unmarshal([]byte(v), &elems); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	if len(elems) == 0 {
		return []string{`{"$undefined":true}`}
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = string(e)
	}
	return out
}

func keyRaws(rv bson.RawValue) []bson.RawValue {
	if rv.Type != bson.TypeArray {
		return []bson.RawValue{rv}
	}
	vals, _ := bson.Raw(rv.Value).Values()
	if len(vals) == 0 {
		return []bson.RawValue{{Type: bson.TypeUndefined}}
	}
	return vals
}

// checkCorpusLines runs the lines through the binary in one run and returns those whose
// answer is wrong. Keys equal under the key generator are printed once, so the expected list
// is thinned the same way before comparing.
func checkCorpusLines(t *testing.T, lines []corpusLine) []corpusLine {
	t.Helper()
	var failed []corpusLine
	byKey := map[string][]int{}
	for i, cl := range lines {
		byKey[cl.key] = append(byKey[cl.key], i)
	}
	for key, idx := range byKey {
		in := make([]string, len(idx))
		for j, i := range idx {
			in[j] = lines[i].line
		}
		out, status := keysBinary(t, key, in)
		if status != 0 || len(out) != len(in) {
			t.Errorf("--key %s: status %d, %d lines for %d", key, status, len(out), len(in))
		}
		for j, i := range idx {
			cl := lines[i]
			got := ""
			if j < len(out) {
				got = out[j]
			}
			if msg := checkKeysLine(cl, got); msg != "" {
				t.Errorf("%s, %s form: %s\n  line: %s\n  got:  %s\n  want: %v", cl.caseNo, cl.form, msg, cl.line, got, cl.want)
				failed = append(failed, cl)
			}
		}
	}
	return failed
}

// checkKeysLine says what is wrong with one answer, or "".
func checkKeysLine(cl corpusLine, got string) string {
	var ans struct {
		Keys  [][]json.RawMessage `json:"keys"`
		Error string              `json:"error"`
	}
	if err := json.Unmarshal([]byte(got), &ans); err != nil || ans.Error != "" || !json.Valid([]byte(got)) {
		return "not a keys line"
	}
	spec := model.KeySpec{Fields: []string{cl.key}}
	want, raws := cl.want, cl.wantRaw
	// The key generator prints keys equal under KeyID once: thin the expected list alike.
	seen := map[string]bool{}
	var wantU []string
	var rawU []bson.RawValue
	for i, w := range want {
		id := spec.KeyID(model.IndexKey{canonicalText(w)})
		if seen[id] {
			continue
		}
		seen[id] = true
		wantU = append(wantU, w)
		if raws != nil {
			rawU = append(rawU, raws[i])
		}
	}
	if len(ans.Keys) != len(wantU) {
		return fmt.Sprintf("%d keys, want %d", len(ans.Keys), len(wantU))
	}
	for i, k := range ans.Keys {
		if len(k) != 1 {
			return "a key of more than one value"
		}
		if !sameExtJSON(k[0], []byte(wantU[i])) {
			if !cl.relaxed || spec.KeyID(model.IndexKey{model.Value(k[0])}) != spec.KeyID(model.IndexKey{canonicalText(wantU[i])}) {
				return fmt.Sprintf("key %d is not the canonical value", i+1)
			}
			continue // a relaxed number read as another numeric type of the same value
		}
		if rawU != nil {
			rv, err := model.Value(k[0]).Raw()
			if err != nil || rv.Type != rawU[i].Type || !bytes.Equal(rv.Value, rawU[i].Value) {
				return fmt.Sprintf("key %d is not the canonical BSON: %v %x, want %v %x", i+1, rv.Type, rv.Value, rawU[i].Type, rawU[i].Value)
			}
		}
	}
	return ""
}

// canonicalText compacts a corpus value for KeyID.
func canonicalText(s string) model.Value {
	v, err := model.ParseValue(s)
	if err != nil {
		return model.Value(s)
	}
	return v
}

// keysBinary feeds lines to the built binary's `keys --key key` and returns its output lines.
func keysBinary(t *testing.T, key string, lines []string) ([]string, int) {
	t.Helper()
	cmd := exec.Command(binary, "keys", "--key", key)
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	status := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run %s: %v", binary, err)
		}
		status = ee.ExitCode()
	}
	if out.Len() == 0 {
		return nil, status
	}
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"), status
}

// sameExtJSON: a and b are the same Extended JSON token by token (whitespace and escapes
// aside); a $numberDouble's text is compared as the double it spells, since the corpus and the
// driver spell some doubles differently (1.0E+6, 1E+06).
func sameExtJSON(a, b []byte) bool {
	ta, tb := jsonTokens(a), jsonTokens(b)
	if ta == nil || tb == nil || len(ta) != len(tb) {
		return false
	}
	for i := range ta {
		if ta[i] == tb[i] {
			continue
		}
		sa, okA := ta[i].(string)
		sb, okB := tb[i].(string)
		if !okA || !okB || i == 0 || ta[i-1] != "$numberDouble" || !sameDouble(sa, sb) {
			return false
		}
	}
	return true
}

func jsonTokens(b []byte) []json.Token {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []json.Token
	for {
		tok, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				return out
			}
			return nil
		}
		if d, ok := tok.(json.Delim); ok {
			tok = string(d) + "\x00delim"
		}
		out = append(out, tok)
	}
}

func sameDouble(a, b string) bool {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA != nil || errB != nil {
		return false
	}
	return math.Float64bits(fa) == math.Float64bits(fb) || (math.IsNaN(fa) && math.IsNaN(fb))
}
