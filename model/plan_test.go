package model

import (
	"strings"
	"testing"
	"time"
)

func testPlan() Plan {
	g1 := Group{Key: []Value{`"a@x.com"`}, IDs: []Value{`{"$numberInt":"1"}`, `{"$numberInt":"2"}`, `{"$numberInt":"3"}`}}
	g2 := Group{Key: []Value{`null`}, IDs: []Value{`{"$numberInt":"4"}`, `{"$numberInt":"5"}`}}
	return Plan{
		Version: PlanVersion,
		NS:      Namespace{DB: "shop", Coll: "users"},
		Key:     Key{Fields: []string{"email"}},
		Rule:    "first",
		// The null group is deleted from: only a plan that says so may do that.
		DeleteMissing: true,
		CreatedAt:     time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		Groups:        []PlanGroup{Decide(g1, 1, ByHand), Decide(g2, 0, ByRule)},
	}
}

func TestDecide(t *testing.T) {
	p := testPlan()
	g := p.Groups[0]
	if g.Keep != `{"$numberInt":"2"}` || len(g.Delete) != 2 || g.Delete[0] != `{"$numberInt":"1"}` || g.Delete[1] != `{"$numberInt":"3"}` {
		t.Fatalf("Decide: %+v", g)
	}
	if p.Deletes() != 3 {
		t.Fatalf("Deletes = %d", p.Deletes())
	}
}

func TestPlanValidate(t *testing.T) {
	if err := testPlan().Validate(); err != nil {
		t.Fatalf("valid plan refused: %v", err)
	}
	bad := map[string]func(*Plan){
		"version":          func(p *Plan) { p.Version = 99 },
		"namespace":        func(p *Plan) { p.NS = Namespace{} },
		"no keeper":        func(p *Plan) { p.Groups[0].Keep = Missing },
		"deletes keeper":   func(p *Plan) { p.Groups[0].Delete = append(p.Groups[0].Delete, p.Groups[0].Keep) },
		"deletes nothing":  func(p *Plan) { p.Groups[1].Delete = nil },
		"key arity":        func(p *Plan) { p.Groups[1].Key = nil },
		"deleted twice":    func(p *Plan) { p.Groups[1].Delete = append(p.Groups[1].Delete, p.Groups[0].Delete[0]) },
		"kept and deleted": func(p *Plan) { p.Groups[1].Delete = append(p.Groups[1].Delete, p.Groups[0].Keep) },
		"no key":           func(p *Plan) { p.Key.Fields = nil },
	}
	for name, spoil := range bad {
		p := testPlan()
		spoil(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPlanFileRoundTrip(t *testing.T) {
	p := testPlan()
	b, err := EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"version": 1`, `"ns": "shop.users"`, `"semantics": "exact; missing = null"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("plan file lacks %s:\n%s", want, b)
		}
	}
	back, err := DecodePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Digest() != p.Digest() || back.NS != p.NS || !back.CreatedAt.Equal(p.CreatedAt) || !back.DeleteMissing {
		t.Fatalf("round trip changed the plan: %+v", back)
	}
	if _, err := DecodePlan([]byte(`{"version":1,"surprise":true}`)); err == nil {
		t.Error("unknown field accepted")
	}
	if _, err := DecodePlan([]byte(`not json`)); err == nil || !strings.Contains(err.Error(), "not a dupes plan file") {
		t.Errorf("bad JSON: %v", err)
	}
}

// A plan that deletes documents lacking the key without saying deleteMissing is refused on
// the way out (EncodePlan) and on the way in (DecodePlan, which apply reads plans with).
func TestPlanFileRefusesUndeclaredLackingDeletes(t *testing.T) {
	p := testPlan()
	p.DeleteMissing = false
	if _, err := EncodePlan(p); err == nil || !strings.Contains(err.Error(), "deleteMissing") {
		t.Fatalf("EncodePlan: %v", err)
	}
	p.DeleteMissing = true
	b, err := EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `"deleteMissing": true,`, "", 1)
	if edited == string(b) {
		t.Fatalf("plan file lacks deleteMissing:\n%s", b)
	}
	if _, err := DecodePlan([]byte(edited)); err == nil || !strings.Contains(err.Error(), "lacking the key") {
		t.Fatalf("DecodePlan of a plan deleting the null group without deleteMissing: %v", err)
	}
	// Without the null group, the flag is not needed.
	p.DeleteMissing, p.Groups = false, p.Groups[:1]
	if _, err := EncodePlan(p); err != nil {
		t.Fatal(err)
	}
}

func TestDigestTracksDeletes(t *testing.T) {
	a, b := testPlan(), testPlan()
	if a.Digest() != b.Digest() {
		t.Fatal("equal plans, different digests")
	}
	b.Groups[0] = Decide(Group{Key: b.Groups[0].Key, IDs: []Value{`{"$numberInt":"1"}`, `{"$numberInt":"2"}`, `{"$numberInt":"3"}`}}, 0, ByRule)
	if a.Digest() == b.Digest() {
		t.Fatal("a different keeper left the digest unchanged")
	}
}

func FuzzDecodePlan(f *testing.F) {
	good, _ := EncodePlan(testPlan())
	f.Add(good)
	f.Add([]byte(`{"version":1,"ns":"a.b","key":{"fields":["x"]},"groups":[{"key":[1],"keep":1,"delete":[1]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePlan(b)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("decoded plan is invalid: %v", err)
		}
	})
}
