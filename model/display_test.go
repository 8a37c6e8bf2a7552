package model

import (
	"math"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestDisplayEveryType: every BSON type, built by the driver, displays by its type as mongosh
// writes it, and TypeName names it as $type does.
func TestDisplayEveryType(t *testing.T) {
	oid, _ := bson.ObjectIDFromHex("5f1d7a3e9c8b4a0012345678")
	uuid := []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	dec := func(s string) bson.Decimal128 {
		d, err := bson.ParseDecimal128(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	nested := bson.D{{Key: "n", Value: int64(5)}, {Key: "a", Value: bson.A{int32(1), 2.5, "x"}}, {Key: "$oid", Value: "not an id"}}
	for _, c := range []struct {
		in          any
		want, typed string
		typ         string
	}{
		{1.5, "1.5", "1.5 (double)", "double"},
		{1.0, "1.0", "1.0 (double)", "double"},
		{1e6, "1000000.0", "1000000.0 (double)", "double"},
		{2e7, "20000000.0", "", "double"},
		{5e-5, "0.00005", "", "double"},
		{5e-7, "5e-7", "", "double"},
		{1e300, "1e+300", "", "double"},
		{-1.25e-300, "-1.25e-300", "", "double"},
		{1e21, "1e+21", "", "double"},
		{math.Copysign(0, -1), "-0.0", "", "double"},
		{math.NaN(), "NaN", "", "double"},
		{math.Inf(1), "Infinity", "", "double"},
		{math.Inf(-1), "-Infinity", "", "double"},
		{"a@x.com", `"a@x.com"`, `"a@x.com" (string)`, "string"},
		{`{"$oid":"5f1d7a3e9c8b4a0012345678"}`, `"{\"$oid\":\"5f1d7a3e9c8b4a0012345678\"}"`, "", "string"},
		{bson.D{}, "{}", "{}", "object"},
		{nested, `{ n: 5, a: [1, 2.5, "x"], $oid: "not an id" }`, `{ n: Long(5), a: [Int32(1), Double(2.5), "x"], $oid: "not an id" }`, "object"},
		{bson.A{}, "[]", "[]", "array"},
		{bson.Binary{Subtype: 4, Data: uuid}, "UUID('01234567-89ab-cdef-0123-456789abcdef')", "", "binData"},
		{bson.Binary{Subtype: 3, Data: uuid}, "Binary('ASNFZ4mrze8BI0VniavN7w==', 03)", "", "binData"},
		{bson.Binary{Subtype: 0, Data: []byte{1, 2}}, "Binary('AQI=', 00)", "Binary('AQI=', 00) (binData)", "binData"},
		{bson.Binary{Subtype: 4, Data: []byte{1, 2}}, "Binary('AQI=', 04)", "", "binData"},
		{bson.Binary{Subtype: 0x80, Data: nil}, "Binary('', 80)", "", "binData"},
		{bson.Undefined{}, "undefined", "undefined (undefined)", "undefined"},
		{oid, "ObjectId('5f1d7a3e9c8b4a0012345678')", "ObjectId('5f1d7a3e9c8b4a0012345678') (objectId)", "objectId"},
		{true, "true", "true (bool)", "bool"},
		{bson.DateTime(1700000000123), "ISODate('2023-11-14T22:13:20.123Z')", "", "date"},
		{bson.DateTime(-1), "ISODate('1969-12-31T23:59:59.999Z')", "", "date"},
		{bson.Null{}, "null", "null (null)", "null"},
		{bson.Regex{Pattern: "^a\x1b", Options: "i"}, `/^a\x1b/i`, "", "regex"},
		{bson.DBPointer{DB: "shop.users", Pointer: oid}, `DBPointer("shop.users", ObjectId('5f1d7a3e9c8b4a0012345678'))`, "", "dbPointer"},
		{bson.JavaScript("f()"), `Code("f()")`, "", "javascript"},
		{bson.Symbol("sym"), `Symbol("sym")`, "", "symbol"},
		{bson.CodeWithScope{Code: "f(x)", Scope: bson.D{{Key: "x", Value: int32(1)}}}, `Code("f(x)", { x: 1 })`, "", "javascriptWithScope"},
		{int32(42), "42", "42 (int)", "int"},
		{bson.Timestamp{T: 4294967295, I: 1}, "Timestamp({ t: 4294967295, i: 1 })", "", "timestamp"},
		{int64(-7), "-7", "-7 (long)", "long"},
		{int64(9007199254740993), "9007199254740993", "", "long"},
		{dec("9.99"), "Decimal128('9.99')", "Decimal128('9.99') (decimal)", "decimal"},
		{dec("1E3"), "Decimal128('1E+3')", "", "decimal"},
		{dec("-100E-10"), "Decimal128('-1.00E-8')", "", "decimal"},
		{dec("nan"), "Decimal128('NaN')", "", "decimal"},
		{dec("-inf"), "Decimal128('-Infinity')", "", "decimal"},
		{bson.MinKey{}, "MinKey()", "", "minKey"},
		{bson.MaxKey{}, "MaxKey()", "", "maxKey"},
	} {
		typ, data, err := bson.MarshalValue(c.in)
		if err != nil {
			t.Fatalf("%#v: %v", c.in, err)
		}
		v := MustValueOf(bson.RawValue{Type: typ, Value: data})
		if got := v.Display(); got != c.want {
			t.Errorf("%s: Display = %s, want %s", v, got, c.want)
		}
		if got := v.TypeName(); got != c.typ {
			t.Errorf("%s: TypeName = %s, want %s", v, got, c.typ)
		}
		if c.typed == "" {
			c.typed = c.want + " (" + c.typ + ")"
		}
		if got := v.DisplayTyped(); got != c.typed {
			t.Errorf("%s: DisplayTyped = %s, want %s", v, got, c.typed)
		}
	}
}

// TestDisplayKeepsCharacters: display escapes what a terminal obeys and drops nothing, so
// SafeText's escapes are all that stands between two different strings.
func TestDisplayKeepsCharacters(t *testing.T) {
	s := "a\x00b\x1b[31m\x7f\u009b\u202e\u2028é名"
	v := MustValueOf(bson.RawValue{Type: bson.TypeString, Value: stringBytes(s)})
	want := `"a\x00b\x1b[31m\u007f\u009b\u202e\u2028é名"`
	if got := v.Display(); got != want {
		t.Errorf("Display = %s, want %s", got, want)
	}
	doc := MustValueOf(bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: mustMarshal(t, bson.D{{Key: "k\x1b\u202e", Value: s}})})
	if got := doc.Display(); !strings.HasPrefix(got, `{ k\x1b\u202e: "a\x00b`) {
		t.Errorf("field name shown as %s", got)
	}
}

func mustMarshal(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	raw, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// BenchmarkDisplay: the group view displays every cell of a group through this.
func BenchmarkDisplay(b *testing.B) {
	vals := []Value{`"a@x.com"`, `{"$oid":"5f1d7a3e9c8b4a0012345678"}`, `{"$numberDouble":"1.5"}`,
		`{"$date":{"$numberLong":"1700000000123"}}`, `{"city":"Amsterdam","zip":{"$numberInt":"1011"},"tags":["a","b"]}`}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = vals[i%len(vals)].Display()
	}
}
