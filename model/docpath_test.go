package model

import (
	"reflect"
	"testing"
)

// TestPathNames: a name no query path can name is bracketed in a Field's Path, and SplitPath
// reads every name back whole, dots, quotes and brackets included.
func TestPathNames(t *testing.T) {
	names := []string{"a", "a.b", "$x", "", "[0]", `q"uo]te.`, "中文", "a[1]"}
	var path string
	for i, n := range names {
		if i > 0 {
			path += "."
		}
		path += PathName(n)
	}
	if want := `a.["a.b"].["$x"].[""].["[0]"].["q\"uo]te."].中文.a[1]`; path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	if got := SplitPath(path); !reflect.DeepEqual(got, names) {
		t.Errorf("SplitPath(%s) = %q, want %q", path, got, names)
	}
	if got := SplitPath("address.city"); !reflect.DeepEqual(got, []string{"address", "city"}) {
		t.Errorf("plain path split as %q", got)
	}
}

// TestDocJSONKeepsDottedNames: a top-level field named "a.b" is rebuilt as that field, not as
// the sub-document {a: {b: …}} that a real a.b path is.
func TestDocJSONKeepsDottedNames(t *testing.T) {
	d := Doc{ID: `{"$numberInt":"1"}`, Fields: []Field{
		{Path: PathName("a.b"), Value: `{"$numberInt":"1"}`},
		{Path: "a.b", Value: `{"$numberInt":"2"}`},
		{Path: "a.c", Value: `"x"`},
	}}
	want := `{"_id":{"$numberInt":"1"},"a.b":{"$numberInt":"1"},"a":{"b":{"$numberInt":"2"},"c":"x"}}`
	if got := string(DocJSON(d)); got != want {
		t.Errorf("DocJSON\n got %s\nwant %s", got, want)
	}
	if d.Get("a.b") != `{"$numberInt":"2"}` {
		t.Errorf("the path a.b reached the field named a.b: %s", d.Get("a.b"))
	}
}
