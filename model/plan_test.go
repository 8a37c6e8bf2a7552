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
	for _, want := range []string{`"version": 2`, `"ns": "shop.users"`, `"semantics": "exact; missing = null"`} {
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

// stampedPlan is testPlan with every member's fingerprint: one of each kind (a version read,
// a member found absent).
func stampedPlan() Plan {
	p := testPlan()
	fp := Fingerprints{}
	for i, id := range []Value{`{"$numberInt":"1"}`, `{"$numberInt":"2"}`, `{"$numberInt":"3"}`, `{"$numberInt":"4"}`} {
		fp[id] = FingerprintOf([]byte{byte(i)})
	}
	fp.Stamp(p.Groups) // 5 is not in the map: read as absent
	return p
}

func TestFingerprintOf(t *testing.T) {
	a := FingerprintOf([]byte("\x05\x00\x00\x00\x00"))
	if len(a) != 32 || !a.valid() {
		t.Fatalf("fingerprint %q", a)
	}
	if FingerprintOf([]byte("\x05\x00\x00\x00\x00")) != a || FingerprintOf([]byte("\x05\x00\x00\x00\x01")) == a {
		t.Fatal("a fingerprint is not a function of the bytes")
	}
}

func TestFingerprintsStamp(t *testing.T) {
	p := stampedPlan()
	g := p.Groups[0] // keeps 2, deletes 1 and 3
	if g.KeepFingerprint != FingerprintOf([]byte{1}) || len(g.DeleteFingerprints) != 2 ||
		g.DeleteFingerprints[0] != FingerprintOf([]byte{0}) || g.DeleteFingerprints[1] != FingerprintOf([]byte{2}) {
		t.Fatalf("group 1 stamped %+v", g)
	}
	if got := p.Groups[1].DeleteFingerprints; len(got) != 1 || got[0] != FingerprintAbsent {
		t.Fatalf("a member not read is stamped %v, not absent", got)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Unprinted() != 0 || testPlan().Unprinted() != 2 {
		t.Fatalf("Unprinted: %d stamped, %d not", p.Unprinted(), testPlan().Unprinted())
	}
}

func TestPlanFingerprintsValidate(t *testing.T) {
	bad := map[string]func(*Plan){
		"keeper only":  func(p *Plan) { p.Groups[0].DeleteFingerprints = nil },
		"members only": func(p *Plan) { p.Groups[0].KeepFingerprint = "" },
		"one short":    func(p *Plan) { p.Groups[0].DeleteFingerprints = p.Groups[0].DeleteFingerprints[:1] },
		"malformed":    func(p *Plan) { p.Groups[0].DeleteFingerprints[0] = "ABC" },
		"upper case": func(p *Plan) {
			p.Groups[0].KeepFingerprint = Fingerprint(strings.ToUpper(string(p.Groups[0].KeepFingerprint)))
		},
		"in a version 1":    func(p *Plan) { p.Version = 1 },
		"empty in the list": func(p *Plan) { p.Groups[1].DeleteFingerprints[0] = "" },
	}
	for name, spoil := range bad {
		p := stampedPlan()
		spoil(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A version 1 plan (before fingerprints) is still read; it records none.
	p := testPlan()
	p.Version = 1
	if err := p.Validate(); err != nil {
		t.Fatalf("version 1 plan refused: %v", err)
	}
}

// The fingerprints go through the plan file as written, and are part of the plan's digest:
// the same deletes of other versions are another plan.
func TestPlanFileFingerprints(t *testing.T) {
	p := stampedPlan()
	b, err := EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"keepFingerprint": "` + string(FingerprintOf([]byte{1})) + `"`, `"deleteFingerprints": [`, `"absent"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("plan file lacks %s:\n%s", want, b)
		}
	}
	back, err := DecodePlan(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Digest() != p.Digest() || back.Groups[0].DeleteFingerprints[1] != p.Groups[0].DeleteFingerprints[1] {
		t.Fatalf("round trip changed the fingerprints: %+v", back.Groups)
	}
	if p.Digest() == testPlan().Digest() {
		t.Fatal("fingerprints left the digest unchanged")
	}
	q := stampedPlan()
	q.Groups[0].DeleteFingerprints[0] = FingerprintOf([]byte{9})
	if q.Digest() == p.Digest() {
		t.Fatal("another version of a member left the digest unchanged")
	}
	if testPlan().Digest() != func() Plan { p := testPlan(); p.Version = 1; return p }().Digest() {
		t.Fatal("an unprinted plan's digest depends on its version")
	}
}

// BenchmarkFingerprintOf: what a run adds per document it re-reads, and a plan per member it
// reads (beside the read itself). The document is the size of the benchmark's seeded ones.
func BenchmarkFingerprintOf(b *testing.B) {
	doc := make([]byte, 160)
	for i := range doc {
		doc[i] = byte(i)
	}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		_ = FingerprintOf(doc)
	}
}

// TestKeepersCountsDistinctDocuments: under an array key one document keeps two groups' values
// (it heads both entries), so the review's "N kept" is not the number of entries.
func TestKeepersCountsDistinctDocuments(t *testing.T) {
	one, two, three := Value(`{"$numberInt":"1"}`), Value(`{"$numberInt":"2"}`), Value(`{"$numberInt":"3"}`)
	p := Plan{Groups: []PlanGroup{{Keep: one, Delete: []Value{two}}, {Keep: one, Delete: []Value{three}}}}
	if n := p.Keepers(); n != 1 {
		t.Fatalf("Keepers() = %d for one document heading two entries, want 1", n)
	}
	if n := (Plan{}).Keepers(); n != 0 {
		t.Fatalf("an empty plan keeps %d", n)
	}
}
