package model

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestLayoutJSON: short values stay on their line, long ones open, open opens the outermost
// one anyway, and removing the layout gives back the input byte for byte.
func TestLayoutJSON(t *testing.T) {
	src := `{"_id":{"$oid":"65e594985f1c2a0000000001"},"note":"<a & b>","n":1.50,"tags":[],"o":{},` +
		`"long":["aaaaaaaaaaaaaaaaaaaa","bbbbbbbbbbbbbbbbbbbb","cccccccccccccccccccc","dddddddddddddddddddd"]}`
	got, err := LayoutJSON([]byte(src), 40, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "_id": { "$oid": "65e594985f1c2a0000000001" },
  "note": "<a & b>",
  "n": 1.50,
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
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(got)); err != nil || compact.String() != src {
		t.Errorf("without its layout it is not the input: %v\n%s", err, compact.String())
	}
	if one, _ := LayoutJSON([]byte(`{"allowDiskUse":true}`), 76, false); one != `{ "allowDiskUse": true }` {
		t.Errorf("a short value not asked to open: %s", one)
	}
	if _, err := LayoutJSON([]byte(`{"a":`), 76, true); err == nil {
		t.Error("broken JSON laid out")
	}
}
