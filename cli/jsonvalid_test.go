package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// Every JSON output must stay JSON whatever the data holds: values, field names and _ids are
// written into scan results, plan files, manifests, --format json objects and `dupes keys`
// lines. The characters below are those a JSON writer must escape (C0 controls, quote,
// backslash) and those it may pass through but a guard on the way might rewrite (DEL, C1,
// U+2028/2029, bidi controls).

// hostileText holds every C0 control (NUL included), DEL, C1, quote, backslash, U+2028/2029,
// the bidi controls and characters outside the BMP.
func hostileText() string {
	var b strings.Builder
	for c := 0; c < 0x20; c++ {
		b.WriteByte(byte(c))
	}
	b.WriteString("\x7f\u0080\u009b\u009f\"\\/<>&'\u2028\u2029")
	for r := rune(0x202a); r <= 0x202e; r++ {
		b.WriteRune(r)
	}
	for r := rune(0x2066); r <= 0x2069; r++ {
		b.WriteRune(r)
	}
	b.WriteString("\u200e\u200f\u061c\ufeff\ufffd é☆😀")
	return b.String()
}

// hostileNames are field names, one per hostile character (BSON names cannot hold NUL; '.'
// and a leading '$' are paths and operators, not names a key can use).
func hostileNames() []string {
	var names []string
	for c := 1; c < 0x20; c++ {
		names = append(names, fmt.Sprintf("f%c", c))
	}
	for _, s := range []string{"\x7f", "\u009b", `"`, `\`, "\u2028", "\u2029", "\u202e", "\u2066", "\ufeff", "😀"} {
		names = append(names, "f"+s)
	}
	return names
}

// hostileDoc is a document whose every string and field name is hostile; the key field k
// holds the group's value.
func hostileDoc(id int, k any) bson.D {
	text := hostileText()
	sub := bson.D{}
	for _, n := range hostileNames() {
		sub = append(sub, bson.E{Key: n, Value: text})
	}
	return bson.D{
		{Key: "_id", Value: fmt.Sprintf("%s%d", text, id)},
		{Key: "k", Value: k},
		{Key: strings.Join(hostileNames(), ""), Value: "same"},
		{Key: "d", Value: sub},
		{Key: "a", Value: bson.A{text, bson.D{{Key: "f\x1b[31m", Value: text}}}},
		{Key: "n", Value: id},
	}
}

// hostileKeys are the key values of the three groups: a string, a document of hostile names,
// and a one-element array.
func hostileKeys() []any {
	text := hostileText()
	sub := bson.D{}
	for _, n := range hostileNames() {
		sub = append(sub, bson.E{Key: n, Value: text})
	}
	return []any{text, sub, bson.A{text + "!"}}
}

// mustBeJSON fails the test unless b is one valid JSON text in UTF-8.
func mustBeJSON(t *testing.T, what string, b []byte) {
	t.Helper()
	if len(bytes.TrimSpace(b)) == 0 || !json.Valid(b) || !utf8.Valid(b) {
		t.Errorf("%s is not valid JSON:\n%q", what, b)
	}
}

// TestJSONOutputsStayJSONOnHostileData inserts documents whose _ids, values and field names
// hold every hostile character, then requires every JSON output to be valid JSON: scan
// --format json, the plan file, apply's and resolve's --format json and the manifests they
// write, restore --format json, and dupes keys (per line and --groups).
func TestJSONOutputsStayJSONOnHostileData(t *testing.T) {
	f := newFixture(t)
	coll := mongotest.Client(t).Database(f.db).Collection("hostile")
	var raw []any
	for i := range 9 {
		raw = append(raw, hostileDoc(i, hostileKeys()[i%3]))
	}
	mongotest.InsertMany(t, coll, raw)
	ns := f.ns("hostile")

	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--key", "k", "--format", "json")
	if status != 0 {
		t.Fatalf("scan: %d %s", status, errOut)
	}
	mustBeJSON(t, "scan --format json", []byte(out))
	var scan struct {
		Groups []struct {
			Key []json.RawMessage `json:"key"`
			IDs []json.RawMessage `json:"ids"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &scan); err != nil || len(scan.Groups) != 3 {
		t.Fatalf("scan: %v, %d groups, want 3:\n%s", err, len(scan.Groups), out)
	}
	for _, g := range scan.Groups {
		if len(g.IDs) != 3 {
			t.Errorf("group %s: ids %s", g.Key, g.IDs)
		}
	}

	// A key on a field whose name holds the hostile characters, and the whole document.
	name := strings.Join(hostileNames(), "")
	for _, args := range [][]string{{"--key", name}, {"--whole-document", "--ignore", "n,k"}} {
		out, errOut, status = dupes(t, append([]string{"scan", "--uri", f.uri, "--ns", ns, "--format", "json"}, args...)...)
		if status != 0 {
			t.Errorf("scan %q: %d %s", args, status, errOut)
			continue
		}
		mustBeJSON(t, fmt.Sprintf("scan --format json %q", args), []byte(out))
	}

	dupesKeysOnHostileData(t, f)

	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.json")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", ns, "--key", "k", "--keep", "first", "--out", plan); status != 0 {
		t.Fatalf("plan: %d %s", status, errOut)
	}
	b, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	mustBeJSON(t, "the plan file", b)

	backup := filepath.Join(dir, "apply")
	out, errOut, status = dupes(t, "apply", "--uri", f.uri, "--plan", plan, "--backup", backup, "--yes", "--format", "json")
	if status != 0 {
		t.Fatalf("apply: %d %s%s", status, out, errOut)
	}
	mustBeJSON(t, "apply --format json", []byte(out))
	mustBeJSONFiles(t, backup, 1)
	if n := f.count("hostile"); n != 3 {
		t.Fatalf("apply left %d documents, want 3:\n%s", n, out)
	}

	out, errOut, status = dupes(t, "restore", "--uri", f.uri, "--ns", ns, "--backup", backup, "--yes", "--format", "json")
	if status != 0 {
		t.Fatalf("restore: %d %s%s", status, out, errOut)
	}
	mustBeJSON(t, "restore --format json", []byte(out))
	if n := f.count("hostile"); n != 9 {
		t.Fatalf("restore left %d documents, want 9", n)
	}

	// An error object carries hostile text too: a keep rule on a hostile field no document has.
	out, _, status = dupes(t, "resolve", "--uri", f.uri, "--ns", ns, "--key", "k", "--keep", "max:"+name+"x",
		"--backup", backup, "--yes", "--format", "json")
	if status == 0 {
		t.Errorf("resolve --keep max on a missing field: status 0")
	}
	mustBeJSON(t, "resolve --format json with an error", []byte(out))

	backup = filepath.Join(dir, "resolve")
	out, errOut, status = dupes(t, "resolve", "--uri", f.uri, "--ns", ns, "--key", "k", "--keep", "last",
		"--backup", backup, "--yes", "--format", "json")
	if status != 0 {
		t.Fatalf("resolve: %d %s%s", status, out, errOut)
	}
	mustBeJSON(t, "resolve --format json", []byte(out))
	mustBeJSONFiles(t, backup, 1)
	if n := f.count("hostile"); n != 3 {
		t.Fatalf("resolve left %d documents, want 3:\n%s", n, out)
	}
}

// TestJSONOutputsStayJSONOnAHostileCollectionName: the namespace is in every JSON output too.
func TestJSONOutputsStayJSONOnAHostileCollectionName(t *testing.T) {
	f := newFixture(t)
	name := "c\x01\x1b[31m\x7f\"\\\u2028\u202e<&>'"
	coll := mongotest.Client(t).Database(f.db).Collection(name)
	if _, err := coll.InsertMany(context.Background(), []any{bson.D{{Key: "k", Value: 1}}, bson.D{{Key: "k", Value: 1}}}); err != nil {
		mongotest.Skipf(t, "the engine refuses a collection named %q: %v", name, err)
	}
	ns := f.ns(name)
	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--key", "k", "--format", "json")
	if status != 0 {
		t.Fatalf("scan: %d %s", status, errOut)
	}
	mustBeJSON(t, "scan --format json", []byte(out))
	var scan struct {
		NS string `json:"ns"`
	}
	if err := json.Unmarshal([]byte(out), &scan); err != nil || scan.NS != ns {
		t.Errorf("ns %q, want %q (%v)", scan.NS, ns, err)
	}
	dir := t.TempDir()
	out, errOut, status = dupes(t, "resolve", "--uri", f.uri, "--ns", ns, "--key", "k", "--keep", "first",
		"--backup", dir, "--yes", "--format", "json")
	if status != 0 {
		t.Fatalf("resolve: %d %s%s", status, out, errOut)
	}
	mustBeJSON(t, "resolve --format json", []byte(out))
	mustBeJSONFiles(t, dir, 1)
}

// mustBeJSONFiles requires every .json file under dir (the manifests) to be valid JSON, and
// at least want of them.
func mustBeJSONFiles(t *testing.T, dir string, want int) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) < want {
		t.Fatalf("%s: %d manifests, want %d", dir, len(files), want)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		mustBeJSON(t, "manifest "+filepath.Base(p), b)
	}
}

// dupesKeysOnHostileData reads the documents back as canonical Extended JSON, as mongoexport
// writes them, and runs `dupes keys` on them, per line and --groups.
func dupesKeysOnHostileData(t *testing.T, f fixture) {
	t.Helper()
	cur, err := mongotest.Client(t).Database(f.db).Collection("hostile").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for cur.Next(context.Background()) {
		b, err := bson.MarshalExtJSON(cur.Current, true, false)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	if err := cur.Err(); err != nil || len(lines) != 9 {
		t.Fatalf("read back: %v, %d documents", err, len(lines))
	}
	for _, args := range [][]string{{"--key", "k,d"}, {"--key", "d", "--groups"}, {"--key", strings.Join(hostileNames(), "")}} {
		cmd := exec.Command(binary, append([]string{"keys"}, args...)...)
		cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("keys %q: %v", args, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if args[len(args)-1] != "--groups" && len(got) != len(lines) {
			t.Errorf("keys %q: %d lines for %d", args, len(got), len(lines))
		}
		for i, l := range got {
			mustBeJSON(t, fmt.Sprintf("keys %q line %d", args, i+1), []byte(l))
			if strings.HasPrefix(l, `{"error"`) {
				t.Errorf("keys %q line %d: %s", args, i+1, l)
			}
		}
	}
}

// FuzzJSONOutputs puts a string into the _id, a key value, a field name and a sub-document's
// field names, and requires `dupes keys` (per line and --groups), the scan's JSON writer and
// the plan file to be valid JSON. Its seeds run in plain go test; `go test ./cli -run '^$'
// -fuzz FuzzJSONOutputs` searches further. No server: the writers are fed what the key
// generator makes of the document, as the scan is.
func FuzzJSONOutputs(f *testing.F) {
	f.Add(hostileText())
	for _, n := range hostileNames() {
		f.Add(n)
	}
	for _, s := range []string{"", "\x00", "\xff\xfe", "a\x80b", "\"}", `\u0000`, "$date", "\x1b]52;c;aGk=\x07", "é\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// A field name --key can name: no NUL, not an operator, no path dot or list comma.
		name := "f" + strings.NewReplacer("\x00", "", ".", "_", ",", "_").Replace(s)
		doc := bson.D{
			{Key: "_id", Value: s},
			{Key: "k", Value: s},
			{Key: "d", Value: bson.D{{Key: name, Value: s}, {Key: "f\x1b", Value: bson.A{s, bson.Symbol(s)}}}},
			{Key: name, Value: bson.Regex{Pattern: strings.ReplaceAll(s, "\x00", ""), Options: "i"}},
		}
		line, err := bson.MarshalExtJSON(doc, true, false)
		if err != nil {
			t.Skipf("the driver cannot write the document: %v", err)
		}
		in := string(line) + "\n\n" + string(line) + "\n"
		for _, args := range [][]string{{"--key", "k"}, {"--key", "d," + name}, {"--key", "k,d", "--groups"}} {
			var out, errOut bytes.Buffer
			err := runKeys(args, strings.NewReader(in), &out, &errOut)
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if args[len(args)-1] != "--groups" && len(lines) != 3 {
				t.Fatalf("keys %q: %d lines for 3: %q (%v)", args, len(lines), out.String(), err)
			}
			for i, l := range lines {
				if l == "" && i == 1 && args[len(args)-1] != "--groups" {
					continue // the blank line answers the blank line
				}
				mustBeJSON(t, fmt.Sprintf("keys %q line %d", args, i+1), []byte(l))
			}
			if err != nil && utf8.ValidString(s) {
				t.Errorf("keys %q: the driver's own Extended JSON was refused: %v\n%s", args, err, out.String())
			}
		}

		// The scan's and the plan's writers, fed a group keyed on k and d.
		spec := model.KeySpec{Fields: []string{"k", "d"}}
		keys, err := model.IndexKeys(line, spec)
		if err != nil || len(keys) == 0 {
			if utf8.ValidString(s) {
				t.Fatalf("IndexKeys: %v", err)
			}
			return
		}
		id := model.MustValueOf(bson.RawValue{Type: bson.TypeString, Value: bsonString(s)})
		id2 := model.MustValueOf(bson.RawValue{Type: bson.TypeString, Value: bsonString(s + "2")})
		g := model.Group{Key: keys[0], IDs: []model.Value{id, id2}}
		key := model.Key{Fields: []string{"k", "d", name}}
		var out bytes.Buffer
		if err := writeScanJSON(&out, model.Namespace{DB: "db", Coll: "c" + name}, key, scanResult{groups: []model.Group{g}}); err != nil {
			t.Fatalf("scan JSON: %v", err)
		}
		mustBeJSON(t, "scan --format json", out.Bytes())
		p := model.Plan{NS: model.Namespace{DB: "db", Coll: "c"}, Key: model.Key{Fields: []string{"k", "d"}},
			Groups: []model.PlanGroup{{Key: keys[0], Keep: id, Delete: []model.Value{id2}}}}
		b, err := model.EncodePlan(p)
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		mustBeJSON(t, "plan file", b)
	})
}

// bsonString is a BSON string's body.
func bsonString(s string) []byte {
	_, b, err := bson.MarshalValue(s)
	if err != nil {
		panic(err)
	}
	return b
}
