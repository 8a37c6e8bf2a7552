package model

import "testing"

func TestCompareOrder(t *testing.T) {
	// Ascending in MongoDB's sort order.
	ordered := []Value{
		`{"$minKey":1}`,
		`null`,
		`{"$numberDouble":"NaN"}`,
		`{"$numberInt":"-3"}`,
		`{"$numberDouble":"1.5"}`,
		`{"$numberLong":"2"}`,
		`{"$numberDecimal":"2.5"}`,
		`"A"`,
		`"a"`,
		`"b"`,
		`{"a":{"$numberInt":"1"}}`,
		`[{"$numberInt":"1"}]`,
		`{"$binary":{"base64":"AQI=","subType":"00"}}`,
		`{"$oid":"000000000000000000000001"}`,
		`{"$oid":"5f1d7a3e9c8b4a0012345678"}`,
		`false`,
		`true`,
		`{"$date":{"$numberLong":"-1"}}`,
		`{"$date":{"$numberLong":"1700000000000"}}`,
		`{"$timestamp":{"t":1,"i":1}}`,
		`{"$regularExpression":{"pattern":"a","options":""}}`,
		`{"$maxKey":1}`,
	}
	for i := range ordered {
		for j := range ordered {
			want := cmpInt(int64(i), int64(j))
			if got := Compare(ordered[i], ordered[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestCompareNumbersAcrossTypes(t *testing.T) {
	if Compare(`{"$numberInt":"2"}`, `{"$numberDouble":"2.0"}`) != 0 {
		t.Error("int 2 and double 2.0 should compare equal")
	}
	// Exact for large longs that a float64 cannot tell apart.
	if Compare(`{"$numberLong":"9007199254740993"}`, `{"$numberLong":"9007199254740992"}`) != 1 {
		t.Error("large longs compared inexactly")
	}
}

func FuzzCompareAntisymmetric(f *testing.F) {
	f.Add(`{"$numberInt":"1"}`, `"a"`)
	f.Add(`[1,2]`, `[1]`)
	f.Add(`{"$date":{"$numberLong":"5"}}`, `{"$oid":"5f1d7a3e9c8b4a0012345678"}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		if Compare(Value(a), Value(b)) != -Compare(Value(b), Value(a)) {
			t.Fatalf("Compare not antisymmetric for %q, %q", a, b)
		}
	})
}
