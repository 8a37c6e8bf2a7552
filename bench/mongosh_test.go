package main

import "testing"

// TestDBURI keeps the script's database in the URI's path whatever else the URI holds.
func TestDBURI(t *testing.T) {
	for in, want := range map[string]string{
		"mongodb://127.0.0.1:30500/":                             "mongodb://127.0.0.1:30500/dupes_bench",
		"mongodb://127.0.0.1:30500":                              "mongodb://127.0.0.1:30500/dupes_bench",
		"mongodb://127.0.0.1:4000/?directConnection=true":        "mongodb://127.0.0.1:4000/dupes_bench?directConnection=true",
		"mongodb://u:p@a:1,b:2/admin?replicaSet=rs&authSource=x": "mongodb://u:p@a:1,b:2/dupes_bench?replicaSet=rs&authSource=x",
	} {
		got, err := dbURI(in, "dupes_bench")
		if err != nil || got != want {
			t.Errorf("dbURI(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := dbURI("http://example.com/", "dupes_bench"); err == nil {
		t.Error("dbURI accepted an http URI")
	}
	if got := redact("mongodb://u:secret@a:1/"); got != "mongodb://u:xxxxx@a:1/" {
		t.Errorf("redact = %q", got)
	}
}
