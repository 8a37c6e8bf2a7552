package model

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The expectations restate MongoDB's comparison (canonicalizeBSONType, BSONElement::woCompare,
// compareElementValues and compare_numbers.h in the server's source).

func rawOf(t *testing.T, ext string) bson.RawValue {
	t.Helper()
	rv, err := Value(ext).Raw()
	if err != nil {
		t.Fatalf("read %s: %v", ext, err)
	}
	return rv
}

func TestCompareOrder(t *testing.T) {
	// Strictly ascending in MongoDB's sort order.
	ordered := []string{
		`{"$minKey":1}`,
		`{"$undefined":true}`,
		`null`,
		`{"$numberDouble":"NaN"}`,
		`{"$numberDouble":"-Infinity"}`,
		`{"$numberLong":"-9223372036854775808"}`,
		`{"$numberInt":"-3"}`,
		`{"$numberDecimal":"0.1"}`,
		`{"$numberDouble":"0.1"}`,
		`{"$numberDouble":"1.5"}`,
		`{"$numberLong":"2"}`,
		`{"$numberDecimal":"2.5"}`,
		`{"$numberDouble":"9007199254740992.0"}`,
		`{"$numberLong":"9007199254740993"}`,
		`{"$numberDecimal":"9007199254740993.5"}`,
		`{"$numberDouble":"1e300"}`,
		`{"$numberDecimal":"1E+6000"}`,
		`{"$numberDouble":"Infinity"}`,
		`""`,
		`"A"`,
		`{"$symbol":"B"}`,
		`"a"`,
		`"a\u0000"`,
		`"a\u0000b"`,
		`"b"`,
		`"é"`,
		`{}`,
		`{"a":{"$numberInt":"2"}}`,
		`{"a":{"$numberInt":"2"},"b":null}`,
		`{"b":{"$numberInt":"1"}}`,
		`{"a":"x"}`,
		`{"a":{}}`,
		`[]`,
		`[{"$minKey":1}]`,
		`[{"$numberInt":"1"}]`,
		`[{"$numberInt":"1"},{"$numberInt":"1"}]`,
		`[{"$numberInt":"2"}]`,
		`["a"]`,
		`{"$binary":{"base64":"","subType":"80"}}`,
		`{"$binary":{"base64":"Ag==","subType":"00"}}`,
		`{"$binary":{"base64":"AQ==","subType":"04"}}`,
		`{"$binary":{"base64":"AAA=","subType":"00"}}`,
		`{"$oid":"000000000000000000000001"}`,
		`{"$oid":"5f1d7a3e9c8b4a0012345678"}`,
		`{"$oid":"ff0000000000000000000000"}`,
		`false`,
		`true`,
		`{"$date":{"$numberLong":"-1"}}`,
		`{"$date":{"$numberLong":"0"}}`,
		`{"$date":{"$numberLong":"1700000000000"}}`,
		`{"$timestamp":{"t":1,"i":4294967295}}`,
		`{"$timestamp":{"t":2,"i":0}}`,
		`{"$timestamp":{"t":4294967295,"i":1}}`,
		`{"$regularExpression":{"pattern":"a","options":"i"}}`,
		`{"$regularExpression":{"pattern":"a","options":"m"}}`,
		`{"$regularExpression":{"pattern":"ab","options":""}}`,
		`{"$dbPointer":{"$ref":"a","$id":{"$oid":"000000000000000000000002"}}}`,
		`{"$dbPointer":{"$ref":"b","$id":{"$oid":"000000000000000000000001"}}}`,
		`{"$dbPointer":{"$ref":"aa","$id":{"$oid":"000000000000000000000000"}}}`,
		`{"$code":"a"}`,
		`{"$code":"b"}`,
		`{"$code":"a","$scope":{"x":{"$numberInt":"2"}}}`,
		`{"$code":"a","$scope":{"y":{"$numberInt":"1"}}}`,
		`{"$code":"b","$scope":{}}`,
		`{"$maxKey":1}`,
	}
	raws := make([]bson.RawValue, len(ordered))
	for i, s := range ordered {
		raws[i] = rawOf(t, s)
	}
	for i := range ordered {
		for j := range ordered {
			want := cmp.Compare(int64(i), int64(j))
			if got := CompareRaw(raws[i], raws[j]); got != want {
				t.Errorf("CompareRaw(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
			if got := Compare(Value(ordered[i]), Value(ordered[j])); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestCompareEqual(t *testing.T) {
	// Distinct BSON that MongoDB's comparison finds equal.
	for _, c := range [][2]string{
		{`{"$numberInt":"2"}`, `{"$numberDouble":"2.0"}`},
		{`{"$numberInt":"2"}`, `{"$numberLong":"2"}`},
		{`{"$numberInt":"2"}`, `{"$numberDecimal":"2.000"}`},
		{`{"$numberDecimal":"0.1"}`, `{"$numberDecimal":"0.10"}`},
		{`{"$numberDecimal":"1E3"}`, `{"$numberDouble":"1000.0"}`},
		{`{"$numberDouble":"-0.0"}`, `{"$numberInt":"0"}`},
		{`{"$numberDecimal":"-0"}`, `{"$numberDouble":"0.0"}`},
		{`{"$numberDecimal":"0E-6000"}`, `{"$numberLong":"0"}`},
		{`{"$numberDouble":"NaN"}`, `{"$numberDecimal":"NaN"}`},
		{`{"$numberDecimal":"-NaN"}`, `{"$numberDecimal":"NaN"}`},
		{`{"$numberDouble":"Infinity"}`, `{"$numberDecimal":"Infinity"}`},
		{`{"$numberDouble":"-Infinity"}`, `{"$numberDecimal":"-Infinity"}`},
		{`{"$numberLong":"-9223372036854775808"}`, `{"$numberDouble":"-9.223372036854775808E+18"}`},
		{`{"$numberDecimal":"9223372036854775808"}`, `{"$numberDouble":"9.223372036854775808E+18"}`},
		{`"a"`, `{"$symbol":"a"}`},
		{`{"a":{"$numberInt":"1"}}`, `{"a":{"$numberDouble":"1.0"}}`},
		{`[{"$numberInt":"1"},"x"]`, `[{"$numberLong":"1"},{"$symbol":"x"}]`},
		{`null`, `null`},
		{`{"$minKey":1}`, `{"$minKey":1}`},
	} {
		a, b := rawOf(t, c[0]), rawOf(t, c[1])
		if got := CompareRaw(a, b); got != 0 {
			t.Errorf("CompareRaw(%s, %s) = %d, want 0", c[0], c[1], got)
		}
		if got := CompareRaw(b, a); got != 0 {
			t.Errorf("CompareRaw(%s, %s) = %d, want 0", c[1], c[0], got)
		}
	}
}

func TestCompareIssueExamples(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		// Field names before values: the server sorts {a: 2} first.
		{`{"a":{"$numberInt":"2"}}`, `{"b":{"$numberInt":"1"}}`, -1},
		// 2^53+1 as a long is above 2^53 as a double.
		{`{"$numberLong":"9007199254740993"}`, `{"$numberDouble":"9007199254740992.0"}`, 1},
		// Binary values and timestamps are told apart (two _ids of these types are never merged).
		{`{"$binary":{"base64":"AAAAAAAAAAAAAAAAAAAAAQ==","subType":"04"}}`, `{"$binary":{"base64":"AAAAAAAAAAAAAAAAAAAAAg==","subType":"04"}}`, -1},
		{`{"$binary":{"base64":"AAAAAAAAAAAAAAAAAAAAAQ==","subType":"03"}}`, `{"$binary":{"base64":"AAAAAAAAAAAAAAAAAAAAAQ==","subType":"04"}}`, -1},
		{`{"$timestamp":{"t":5,"i":1}}`, `{"$timestamp":{"t":5,"i":2}}`, -1},
		// The canonical type comes before the field name inside a document.
		{`{"b":{"$numberInt":"1"}}`, `{"a":"x"}`, -1},
		// Decimal 0.1 is exactly 1/10; the double 0.1 is a little more.
		{`{"$numberDecimal":"0.1"}`, `{"$numberDouble":"0.1"}`, -1},
		{`{"$numberDecimal":"0.1000000000000000055511151231257828"}`, `{"$numberDouble":"0.1"}`, 1},
		{`{"$numberDecimal":"0.125"}`, `{"$numberDouble":"0.125"}`, 0},
		{`{"$numberDecimal":"0.1000000000000000055511151231257827"}`, `{"$numberDouble":"0.1"}`, -1},
		{`{"$numberDecimal":"-1E+6144"}`, `{"$numberDouble":"-Infinity"}`, 1},
		{`{"$numberDecimal":"1E-6176"}`, `{"$numberDouble":"0.0"}`, 1},
		{`{"$numberDecimal":"1E-6176"}`, `{"$numberDouble":"5e-324"}`, -1},
		// Dates are signed, timestamps unsigned.
		{`{"$date":{"$numberLong":"-5"}}`, `{"$date":{"$numberLong":"5"}}`, -1},
	} {
		a, b := rawOf(t, c.a), rawOf(t, c.b)
		if got := CompareRaw(a, b); got != c.want {
			t.Errorf("CompareRaw(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := CompareRaw(b, a); got != -c.want {
			t.Errorf("CompareRaw(%s, %s) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

func TestCompareText(t *testing.T) {
	// Text that is not a value sorts first, Missing before all.
	if Compare(Missing, `{"$minKey":1}`) != -1 || Compare(`{"$minKey":1}`, Missing) != 1 || Compare(Missing, Missing) != 0 {
		t.Error("Missing does not sort before every value")
	}
	if Compare(`{"$numberInt":"1"}`, `{"$numberDouble":"1.0"}`) != 0 {
		t.Error("Compare does not read values by their BSON meaning")
	}
}

func FuzzCompareAntisymmetric(f *testing.F) {
	f.Add(`{"$numberInt":"1"}`, `"a"`)
	f.Add(`[1,2]`, `[1]`)
	f.Add(`{"$date":{"$numberLong":"5"}}`, `{"$oid":"5f1d7a3e9c8b4a0012345678"}`)
	f.Add(`{"$numberDecimal":"1E3"}`, `{"$numberDouble":"1000.5"}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		if Compare(Value(a), Value(b)) != -Compare(Value(b), Value(a)) {
			t.Fatalf("Compare not antisymmetric for %q, %q", a, b)
		}
	})
}

// FuzzCompareRaw feeds arbitrary bytes as values of any type: CompareRaw must not panic on
// malformed BSON, and must stay antisymmetric.
func FuzzCompareRaw(f *testing.F) {
	f.Add(byte(bson.TypeEmbeddedDocument), []byte{5, 0, 0, 0, 0}, byte(bson.TypeArray), []byte{12, 0, 0, 0, 16, '0', 0, 1, 0, 0, 0, 0})
	f.Add(byte(bson.TypeDecimal128), make([]byte, 16), byte(bson.TypeDouble), make([]byte, 8))
	f.Add(byte(bson.TypeBinary), []byte{1, 0, 0, 0, 4, 9}, byte(bson.TypeCodeWithScope), []byte{1, 2})
	f.Fuzz(func(t *testing.T, ta byte, a []byte, tb byte, b []byte) {
		x, y := bson.RawValue{Type: bson.Type(ta), Value: a}, bson.RawValue{Type: bson.Type(tb), Value: b}
		if CompareRaw(x, y) != -CompareRaw(y, x) {
			t.Fatalf("CompareRaw not antisymmetric for %x/%x, %x/%x", ta, a, tb, b)
		}
	})
}

func BenchmarkCompareRaw(b *testing.B) {
	for _, c := range [][2]string{
		{`{"$oid":"5f1d7a3e9c8b4a0012345678"}`, `{"$oid":"5f1d7a3e9c8b4a0012345679"}`},
		{`{"$binary":{"base64":"AAAAAAAAAAAAAAAAAAAAAQ==","subType":"04"}}`, `{"$binary":{"base64":"AAAAAAAAAAAAAAAAAAAAAg==","subType":"04"}}`},
		{`{"$numberLong":"9007199254740993"}`, `{"$numberDouble":"9007199254740992.0"}`},
		{`{"$numberDecimal":"0.1"}`, `{"$numberDouble":"0.1"}`},
		{`{"$numberDecimal":"12.34"}`, `{"$numberDecimal":"12.35"}`},
		{`{"$numberDecimal":"12.34"}`, `{"$numberDouble":"0.5"}`},
		{`{"a":{"$numberInt":"1"},"b":"x"}`, `{"a":{"$numberInt":"1"},"b":"y"}`},
	} {
		x, _ := Value(c[0]).Raw()
		y, _ := Value(c[1]).Raw()
		b.Run(x.Type.String()+"/"+y.Type.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				CompareRaw(x, y)
			}
		})
	}
}

// TestCompareDecimalsSameExponent holds the shortcut for decimals of one exponent to the
// exact comparison, on random coefficients and signs.
func TestCompareDecimalsSameExponent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 19))
	coef := func() string {
		switch r.IntN(4) {
		case 0:
			return "0"
		case 1:
			return strconv.Itoa(r.IntN(100))
		case 2:
			return strconv.FormatUint(r.Uint64(), 10)
		}
		return strconv.FormatUint(r.Uint64(), 10) + strconv.FormatUint(r.Uint64()%1e14, 10) // up to 34 digits
	}
	for range 20000 {
		exp := []string{"E-2", "E+0", "E+6111", "E-6176", "E-20", "E+15", "E-300"}[r.IntN(7)]
		sa, sb := []string{"", "-"}[r.IntN(2)]+coef()+exp, []string{"", "-"}[r.IntN(2)]+coef()+exp
		da, errA := bson.ParseDecimal128(sa)
		db, errB := bson.ParseDecimal128(sb)
		if errA != nil || errB != nil {
			t.Fatalf("parse %s, %s: %v %v", sa, sb, errA, errB)
		}
		ha, la := da.GetBytes()
		hb, lb := db.GetBytes()
		a := bson.RawValue{Type: bson.TypeDecimal128, Value: binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, la), ha)}
		b := bson.RawValue{Type: bson.TypeDecimal128, Value: binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, lb), hb)}
		want := compareExact(exactNumOf(a), exactNumOf(b))
		if got := CompareRaw(a, b); got != want {
			t.Fatalf("CompareRaw(%s, %s) = %d, exact comparison %d", sa, sb, got, want)
		}
		// And against doubles near and far, which take the shortcut of approximations.
		f := math.Float64frombits(r.Uint64())
		if r.IntN(2) == 0 {
			f = r.NormFloat64() * math.Pow10(r.IntN(40)-20)
		}
		d := bson.RawValue{Type: bson.TypeDouble, Value: binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))}
		want = compareExact(exactNumOf(a), exactNumOf(d))
		if got := CompareRaw(a, d); got != want {
			t.Fatalf("CompareRaw(%s, %v) = %d, exact comparison %d", sa, f, got, want)
		}
	}
}
