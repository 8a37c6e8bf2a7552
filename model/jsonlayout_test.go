package model

import (
	"encoding/json"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestLayoutJSON: short values stay on their line, long ones open, open opens the outermost
// one anyway, and removing the layout gives back the driver's text, here the input.
func TestLayoutJSON(t *testing.T) {
	src := `{"_id":{"$oid":"65e594985f1c2a0000000001"},"note":"<a & b>","n":1.5,"tags":[],"o":{},` +
		`"long":["aaaaaaaaaaaaaaaaaaaa","bbbbbbbbbbbbbbbbbbbb","cccccccccccccccccccc","dddddddddddddddddddd"]}`
	got, err := LayoutJSON([]byte(src), 40, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "_id": { "$oid": "65e594985f1c2a0000000001" },
  "note": "<a & b>",
  "n": 1.5,
  "tags": [],
  "o": {},
  "long": [
    "aaaaaaaaaaaaaaaaaaaa",
    "bbbbbbbbbbbbbbbbbbbb",
    "cccccccccccccccccccc",
    "dddddddddddddddddddd"
  ]
}`
	if got != want {
		t.Errorf("layout\n%s\nwant\n%s", got, want)
	}
	if compact := withoutLayout(t, got); compact != src {
		t.Errorf("without its layout it is not the input:\n%s", compact)
	}
	if one, _ := LayoutJSON([]byte(`{"allowDiskUse":true}`), 76, false); one != `{ "allowDiskUse": true }` {
		t.Errorf("a short value not asked to open: %s", one)
	}
	for _, bad := range []string{`{"a":`, `{"a":1} {"b":2}`, `"a"`, `{"a":{"$oid":"zz"}}`} {
		if out, err := LayoutJSON([]byte(bad), 76, true); err == nil {
			t.Errorf("%s laid out as %s", bad, out)
		}
	}
}

// TestLayoutJSONForms: canonical Extended JSON stays canonical, a wrapper too long for its
// line opens as a document does, relaxed text (a pipeline) stays relaxed, and a form the
// driver would not write comes out canonical.
func TestLayoutJSONForms(t *testing.T) {
	canonical := `{"n":{"$numberInt":"1"},"at":{"$date":{"$numberLong":"1709944200000"}},"d":{"$numberDouble":"1E+06"}}`
	got, err := LayoutJSON([]byte(canonical), 30, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "n": { "$numberInt": "1" },
  "at": {
    "$date": { "$numberLong": "1709944200000" }
  },
  "d": { "$numberDouble": "1E+06" }
}`
	if got != want {
		t.Errorf("canonical\n%s\nwant\n%s", got, want)
	}
	pipeline := `[{"$match":{"a":{"$gte":1,"$lt":{"$date":"2024-01-01T00:00:00Z"}}}},{"$group":{"_id":"$a","n":{"$sum":1}}}]`
	got, err = LayoutJSON([]byte(pipeline), 76, true)
	if err != nil {
		t.Fatal(err)
	}
	if compact := withoutLayout(t, got); compact != pipeline {
		t.Errorf("relaxed pipeline rewritten:\n%s", compact)
	}
	got, err = LayoutJSON([]byte(`{ "n" : 1.50, "x": {"$numberDecimal": "1E3"} }`), 76, false)
	if want := `{ "n": { "$numberDouble": "1.5" }, "x": { "$numberDecimal": "1E+3" } }`; err != nil || got != want {
		t.Errorf("not the driver's form: %s, %v; want %s", got, err, want)
	}
}

// TestJSONHostileNames: field names and strings holding control characters, quotes, DEL, C1
// and bidi controls come out of DocJSON and LayoutJSON as valid JSON that reads back to the
// same document, and QuoteJSON writes a JSON string.
func TestJSONHostileNames(t *testing.T) {
	var hostile []string
	for c := rune(0); c < 0x20; c++ {
		hostile = append(hostile, "a"+string(c)+"b")
	}
	hostile = append(hostile, `q"uote`, `back\slash`, "del\x7f", "c1\u009b", "bidi\u202e", "ls\u2028", "<&>", "a.b", "$x", "")
	var fields []Field
	want := bson.D{{Key: "_id", Value: int32(1)}}
	for i, name := range hostile {
		if strings.IndexByte(name, 0) >= 0 {
			continue // BSON field names cannot hold NUL
		}
		v := MustValueOf(layoutRaw(t, name+"!"))
		fields = append(fields, Field{Path: PathName(name), Value: v})
		want = append(want, bson.E{Key: name, Value: name + "!"})
		if q := QuoteJSON(hostile[i]); !json.Valid([]byte(q)) {
			t.Errorf("QuoteJSON(%q) = %s, not JSON", hostile[i], q)
		}
	}
	doc := DocJSON(Doc{ID: `{"$numberInt":"1"}`, Fields: fields})
	if !json.Valid(doc) {
		t.Fatalf("DocJSON is not JSON: %s", doc)
	}
	wantRaw, _ := bson.Marshal(want)
	if got, err := ReadDoc(doc); err != nil || !bytesEqual(got, wantRaw) {
		t.Errorf("DocJSON reads back as %v (%v), want %v", got, err, bson.Raw(wantRaw))
	}
	for _, width := range []int{10, 40, 200} {
		out, err := LayoutJSON(doc, width, true)
		if err != nil || !json.Valid([]byte(out)) {
			t.Fatalf("LayoutJSON at %d: %v, not JSON:\n%s", width, err, out)
		}
		if compact := withoutLayout(t, out); compact != string(doc) {
			t.Errorf("LayoutJSON at %d changed the document:\n%s\n%s", width, compact, doc)
		}
	}
}

func withoutLayout(t *testing.T, laidOut string) string {
	t.Helper()
	var b strings.Builder
	// Drop the spaces and line breaks the layout added: none are inside strings, which the
	// driver writes with \n escaped, so only a space inside a string must stay.
	in := false
	for i := 0; i < len(laidOut); i++ {
		c := laidOut[i]
		switch {
		case in && c == '\\':
			b.WriteByte(c)
			i++
			c = laidOut[i]
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\n'):
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func layoutRaw(t *testing.T, x any) bson.RawValue {
	t.Helper()
	typ, data, err := bson.MarshalValue(x)
	if err != nil {
		t.Fatal(err)
	}
	return bson.RawValue{Type: typ, Value: data}
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }
