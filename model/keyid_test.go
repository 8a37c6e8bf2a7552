package model

import (
	"errors"
	"testing"
)

func keysOf(t *testing.T, doc string, spec KeySpec) []IndexKey {
	t.Helper()
	ks, err := IndexKeys([]byte(doc), spec)
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	return ks
}

func TestKeyIDNumbersNullsArrays(t *testing.T) {
	s := KeySpec{Fields: []string{"a"}}
	same := [][2]Value{
		{`{"$numberInt":"1"}`, `{"$numberDouble":"1.0"}`},
		{`{"$numberInt":"1"}`, `{"$numberLong":"1"}`},
		{`{"$numberLong":"1"}`, `{"$numberDecimal":"1.00"}`},
		{`{"$numberDouble":"0.5"}`, `{"$numberDecimal":"5E-1"}`},
		{`{"$numberDouble":"-0.0"}`, `{"$numberInt":"0"}`},
		{`{"$numberDouble":"NaN"}`, `{"$numberDecimal":"NaN"}`},
		{`{"x":{"$numberInt":"1"}}`, `{"x":{"$numberDouble":"1.0"}}`},
		{`[1,2]`, `[{"$numberLong":"1"},2.0]`},
	}
	for _, p := range same {
		if s.KeyID(IndexKey{p[0]}) != s.KeyID(IndexKey{p[1]}) {
			t.Errorf("%s and %s are one index key", p[0], p[1])
		}
	}
	apart := [][2]Value{
		{`null`, `{"$undefined":true}`},
		{`[]`, `[[]]`},
		{`[]`, `null`},
		{`[[]]`, `null`},
		{`{"$numberDouble":"0.1"}`, `{"$numberDecimal":"0.1"}`},
		{`"1"`, `{"$numberInt":"1"}`},
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`},
		{`"a"`, `"A"`},
		{`{"$minKey":1}`, `{"$maxKey":1}`},
		{`{"$numberLong":"9007199254740993"}`, `{"$numberDouble":"9007199254740992"}`},
	}
	for _, p := range apart {
		if s.KeyID(IndexKey{p[0]}) == s.KeyID(IndexKey{p[1]}) {
			t.Errorf("%s and %s are different index keys", p[0], p[1])
		}
	}
}

func TestCollide(t *testing.T) {
	s := KeySpec{Fields: []string{"tags"}}
	a := keysOf(t, `{"tags":["x",1]}`, s)
	b := keysOf(t, `{"tags":[{"$numberLong":"1"},"y"]}`, s)
	c := keysOf(t, `{"tags":["z"]}`, s)
	if !s.Collide(a, b) || s.Collide(a, c) {
		t.Fatalf("multikey: %v %v %v", a, b, c)
	}
	// Missing, null and [] : the first two are one key (null), the empty array is undefined.
	missing, null, empty := keysOf(t, `{}`, s), keysOf(t, `{"tags":null}`, s), keysOf(t, `{"tags":[]}`, s)
	if !s.Collide(missing, null) || s.Collide(null, empty) || s.Collide(empty, keysOf(t, `{"tags":[[]]}`, s)) {
		t.Fatalf("missing %v null %v [] %v", missing, null, empty)
	}
	sparse := KeySpec{Fields: []string{"tags"}, Sparse: true}
	if ks := keysOf(t, `{}`, sparse); len(ks) != 0 {
		t.Fatalf("sparse, missing: %v", ks)
	}
}

func TestLooseModes(t *testing.T) {
	s := KeySpec{Fields: []string{"e"}, IgnoreCase: true, Trim: true}
	ks := keysOf(t, "{\"e\":[\"\\u00a0A\\u2003\",\"\\u0000a\",\"\\u00c9\",{\"x\":\" B \"},[\" C\"]]}", s)
	want := []Value{`"a"`, `"\u00c9"`, `{"x":" B "}`, `[" C"]`}
	if len(ks) != len(want) {
		t.Fatalf("got %v", ks)
	}
	for i, w := range want {
		if s.KeyID(ks[i]) != s.KeyID(IndexKey{w}) {
			t.Errorf("key %d: got %v, want %s", i, ks[i], w)
		}
	}
	if ks[1][0] != "\"\u00c9\"" {
		t.Errorf("$toLower leaves non-ASCII letters: %s", ks[1][0])
	}
}

func TestUnindexableMessages(t *testing.T) {
	_, err := IndexKeys([]byte(`{"a":[1],"b":[2]}`), KeySpec{Fields: []string{"a", "b"}})
	var ue *UnindexableError
	if !errors.Is(err, ErrUnindexable) || !errors.As(err, &ue) || ue.Code != 171 || err.Error() != "cannot index parallel arrays [b] [a]" {
		t.Fatalf("parallel arrays: %v", err)
	}
	_, err = IndexKeys([]byte(`{"a":[{"0":1}]}`), KeySpec{Fields: []string{"a.0"}})
	if !errors.As(err, &ue) || ue.Code != 16746 {
		t.Fatalf("ambiguous position: %v", err)
	}
	if _, err := IndexKeys([]byte(`[1]`), KeySpec{Fields: []string{"a"}}); err == nil || errors.Is(err, ErrUnindexable) {
		t.Fatalf("an array is not a document: %v", err)
	}
}

func TestExtendedJSONForms(t *testing.T) {
	s := KeySpec{Fields: []string{"d", "o", "n"}}
	relaxed := keysOf(t, `{"d":{"$date":"2009-02-13T23:31:30Z"},"o":{"$oid":"5F0C6E1B2A3B4C5D6E7F8091"},"n":3000000000}`, s)
	canon := keysOf(t, `{"d":{"$date":{"$numberLong":"1234567890000"}},"o":{"$oid":"5f0c6e1b2a3b4c5d6e7f8091"},"n":{"$numberLong":"3000000000"}}`, s)
	if len(relaxed) != 1 || canon[0][0] != relaxed[0][0] || canon[0][1] != relaxed[0][1] || canon[0][2] != relaxed[0][2] {
		t.Fatalf("relaxed %v canonical %v", relaxed, canon)
	}
}

// FuzzIndexKeys: any text, any key, never a panic; keys always have one value per field.
func FuzzIndexKeys(f *testing.F) {
	f.Add(`{"a":[{"b":[1,2]},{"b":{"0":3}}],"c":[]}`, "a,a.b,a.0.b,c", false)
	f.Add(`{"a":[[1,2],[]],"b":{"$numberDecimal":"1E+6144"}}`, "a.0.1,b", true)
	f.Add(`{"":[{"a":[1,2,3]}]}`, ".a", false)
	f.Fuzz(func(t *testing.T, doc, fields string, sparse bool) {
		spec := KeySpec{Fields: splitFields(fields), Sparse: sparse, IgnoreCase: sparse, Trim: !sparse}
		ks, err := IndexKeys([]byte(doc), spec)
		if err != nil {
			return
		}
		for _, k := range ks {
			if len(k) != len(spec.Fields) {
				t.Fatalf("key %v for %d fields", k, len(spec.Fields))
			}
			spec.KeyID(k)
		}
	})
}

func splitFields(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
		if len(out) == 8 {
			break
		}
	}
	return out
}
