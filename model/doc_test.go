package model

import "testing"

func TestDiff(t *testing.T) {
	docs := []Doc{
		{ID: `"1"`, Fields: []Field{{"_id", `"1"`}, {"email", `"a@x.com"`}, {"name", `"Ann"`}}},
		{ID: `"2"`, Fields: []Field{{"_id", `"2"`}, {"email", `"a@x.com"`}, {"phone", `"555"`}, {"name", `"Anne"`}}},
	}
	rows := Diff(docs)
	want := []struct {
		path string
		same bool
	}{{"_id", false}, {"email", true}, {"name", false}, {"phone", false}}
	if len(rows) != len(want) {
		t.Fatalf("rows: %+v", rows)
	}
	for i, w := range want {
		if rows[i].Path != w.path || rows[i].Same != w.same {
			t.Errorf("row %d = %s same=%v, want %s same=%v", i, rows[i].Path, rows[i].Same, w.path, w.same)
		}
	}
	if rows[3].Values[0] != Missing || rows[3].Values[1] != `"555"` {
		t.Errorf("phone row: %+v", rows[3])
	}
	if docs[1].Get("phone") != `"555"` || docs[0].Get("phone") != Missing || docs[1].Present() != 4 {
		t.Error("Get/Present")
	}
}

func TestSummary(t *testing.T) {
	s := Summarize([]Group{{IDs: make([]Value, 3)}, {IDs: make([]Value, 2)}})
	if s != (Summary{Groups: 2, Documents: 5, Surplus: 3}) {
		t.Fatalf("summary %+v", s)
	}
	// An estimate of 0 documents, or fewer than the surplus (stale after a partly run plan),
	// gives no share: never 1296 %.
	if s.Share(30) != 0.1 || s.Share(0) != -1 || s.Share(2) != -1 || s.Share(3) != 1 {
		t.Fatalf("share %v %v %v %v", s.Share(30), s.Share(0), s.Share(2), s.Share(3))
	}
}

func TestProgressRate(t *testing.T) {
	if r := (Progress{DocsDeleted: 50, Elapsed: 2e9}).Rate(); r != 25 {
		t.Fatalf("rate %v", r)
	}
	if r := (Progress{DocsDeleted: 50}).Rate(); r != 0 {
		t.Fatalf("rate at zero elapsed %v", r)
	}
}
