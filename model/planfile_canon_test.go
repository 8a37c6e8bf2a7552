package model

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPlanFileIsReadCanonically: a plan file edited by hand may spell an _id or a key in
// another valid form (an ObjectId's hex in capitals, a relaxed 0, a relaxed date). Each is read
// by the driver and written back canonically, so apply finds the document the plan means
// instead of reporting it gone; and text after the plan's object is an error, not ignored.
func TestPlanFileIsReadCanonically(t *testing.T) {
	p := testPlan()
	b, err := EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]any
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ spelled, canonical string }{
		{`{"$oid":"65601F2A9C1B2D3E4F506172"}`, `{"$oid":"65601f2a9c1b2d3e4f506172"}`},
		{`0`, `{"$numberInt":"0"}`},
		{`{"$date":"2024-06-01T12:00:00Z"}`, `{"$date":{"$numberLong":"1717243200000"}}`},
		{`"AT\u0026T"`, `"AT&T"`},
	} {
		file["groups"].([]any)[0].(map[string]any)["keep"] = json.RawMessage(tc.spelled)
		edited, err := json.Marshal(file)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodePlan([]byte(edited))
		if err != nil {
			t.Fatalf("%s: %v", tc.spelled, err)
		}
		if got := string(back.Groups[0].Keep); got != tc.canonical {
			t.Errorf("keeper spelled %s reads as %s, want %s", tc.spelled, got, tc.canonical)
		}
	}
	for _, tail := range []string{"garbage", "{}", `{"version":2}`, "\x00"} {
		if _, err := DecodePlan(append(append([]byte(nil), b...), tail...)); err == nil || !strings.Contains(err.Error(), "text after") {
			t.Errorf("a plan followed by %q: %v, want a refusal", tail, err)
		}
	}
	if _, err := DecodePlan(append(append([]byte(nil), b...), " \n\t\n"...)); err != nil {
		t.Errorf("trailing white space refused: %v", err)
	}
}
