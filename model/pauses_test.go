package model

import (
	"encoding/json"
	"testing"
	"time"
)

// Pauses read as a DBA reads them: seconds in JSON, a few words in text; the zero value says
// nothing.
func TestPausesJSONAndText(t *testing.T) {
	p := Pauses{Count: 2, Total: 31500 * time.Millisecond, LagCount: 1, LagTotal: 14 * time.Second}
	b, err := json.Marshal(p)
	if err != nil || string(b) != `{"count":2,"seconds":31.5,"lagCount":1,"lagSeconds":14}` {
		t.Fatalf("JSON %s, %v", b, err)
	}
	var back Pauses
	if err := json.Unmarshal(b, &back); err != nil || back != p {
		t.Fatalf("read back %+v, %v", back, err)
	}
	if s := p.String(); s != "2 pauses, 32s (1 for replication lag, 14s)" {
		t.Errorf("text %q", s)
	}
	if s := (Pauses{}).String(); s != "" {
		t.Errorf("no pauses say %q", s)
	}
	rep, _ := json.Marshal(Report{})
	if containsKey(rep, "pauses") {
		t.Errorf("a report without pauses writes them: %s", rep)
	}
}

func containsKey(js []byte, key string) bool {
	var m map[string]any
	_ = json.Unmarshal(js, &m)
	_, ok := m[key]
	return ok
}

// The ETA is the time left at the pace so far, pauses included: groups done, or documents in
// a restore; none before anything is done or once all is.
func TestProgressETA(t *testing.T) {
	for _, tc := range []struct {
		p    Progress
		want time.Duration
	}{
		{Progress{GroupsDone: 25, GroupsTotal: 100, Elapsed: 10 * time.Second}, 30 * time.Second},
		{Progress{DocsDeleted: 500, DocsTotal: 2000, Elapsed: 5 * time.Second}, 15 * time.Second},
		{Progress{GroupsTotal: 100, Elapsed: 10 * time.Second}, 0},
		{Progress{GroupsDone: 100, GroupsTotal: 100, Elapsed: 10 * time.Second}, 0},
	} {
		if got := tc.p.ETA(); got != tc.want {
			t.Errorf("%+v: ETA %v, want %v", tc.p, got, tc.want)
		}
	}
}
