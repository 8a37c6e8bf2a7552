package model

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestParseE11000(t *testing.T) {
	users := Namespace{DB: "shop", Coll: "users"}
	cases := []struct {
		name, msg string
		want      DupKeyError
	}{
		{"modern", `E11000 duplicate key error collection: shop.users index: email_1 dup key: { email: "a@x.com" }`,
			DupKeyError{users, "email_1", []string{"email"}, []Value{`"a@x.com"`}}},
		{"3.x without field names", `E11000 duplicate key error collection: shop.users index: email_1 dup key: { : "a@x.com" }`,
			DupKeyError{users, "email_1", nil, []Value{`"a@x.com"`}}},
		{"2.x index form", `E11000 duplicate key error index: shop.users.$email_1  dup key: { : "a@x.com" }`,
			DupKeyError{users, "email_1", nil, []Value{`"a@x.com"`}}},
		{"driver wrapping, compound, types", `write exception: write errors: [E11000 duplicate key error collection: shop.users index: last_1_n_1_id_1 dup key: { last: "O\"Neil", n: 5, id: ObjectId('5f1d7a3e9b1e8b3a2c4d5e6f') }]`,
			DupKeyError{users, "last_1_n_1_id_1", []string{"last", "n", "id"}, []Value{`"O\"Neil"`, `{"$numberInt":"5"}`, `{"$oid":"5f1d7a3e9b1e8b3a2c4d5e6f"}`}}},
		{"collation before dup key", `E11000 duplicate key error collection: shop.users index: email_ci collation: { locale: "en", strength: 2 } dup key: { email: "A@x.com" }`,
			DupKeyError{users, "email_ci", []string{"email"}, []Value{`"A@x.com"`}}},
		{"dotted path, date, null, long, double", `E11000 duplicate key error collection: shop.users.archive index: a.b_1_d_1_x_1_y_1_z_1 dup key: { a.b: null, d: new Date(1700000000000), x: 12345678901, y: 1.5, z: -2 }`,
			DupKeyError{Namespace{DB: "shop", Coll: "users.archive"}, "a.b_1_d_1_x_1_y_1_z_1", []string{"a.b", "d", "x", "y", "z"},
				[]Value{`null`, `{"$date":{"$numberLong":"1700000000000"}}`, `{"$numberLong":"12345678901"}`, `{"$numberDouble":"1.5"}`, `{"$numberInt":"-2"}`}}},
		{"sub-document, array, bool, minkey", `E11000 duplicate key error collection: a.b index: x_1 dup key: { x: { k: [ 1, "two" ], t: true, m: MinKey } }`,
			DupKeyError{Namespace{DB: "a", Coll: "b"}, "x_1", []string{"x"}, []Value{`{"k":[{"$numberInt":"1"},"two"],"t":true,"m":{"$minKey":1}}`}}},
		{"driver JSON with keyPattern/keyValue", `{"index": 0, "code": 11000, "errmsg": "E11000 duplicate key error collection: shop.users index: email_1 dup key: { : \"a@x.com\" }", "keyPattern": {"email": 1}, "keyValue": {"email": "a@x.com"}}`,
			DupKeyError{users, "email_1", []string{"email"}, []Value{`"a@x.com"`}}},
		{"JSON nested in writeErrors, typed values", `{"writeErrors": [{"code": 11000, "errmsg": "E11000 duplicate key error collection: shop.users index: n_1_at_1 dup key: { n: 1, at: new Date(0) }", "keyPattern": {"n": 1, "at": 1}, "keyValue": {"n": 7, "at": {"$date": "2024-01-02T03:04:05Z"}}}]}`,
			DupKeyError{users, "n_1_at_1", []string{"n", "at"}, []Value{`{"$numberInt":"7"}`, `{"$date":{"$numberLong":"1704164645000"}}`}}},
		{"shell forms", `E11000 duplicate key error collection: s.c index: k dup key: { a: NumberLong(3), b: Timestamp(1, 2), c: BinData(0, "AQI="), d: NumberDecimal("1.10"), e: 'it\'s', f: ISODate("1970-01-01T00:00:01Z"), g: UUID("0123456789abcdef0123456789abcdef") }`,
			DupKeyError{Namespace{DB: "s", Coll: "c"}, "k", []string{"a", "b", "c", "d", "e", "f", "g"}, []Value{
				`{"$numberLong":"3"}`, `{"$timestamp":{"t":1,"i":2}}`, `{"$binary":{"base64":"AQI=","subType":"00"}}`,
				`{"$numberDecimal":"1.10"}`, `"it's"`, `{"$date":{"$numberLong":"1000"}}`,
				`{"$binary":{"base64":"ASNFZ4mrze8BI0VniavN7w==","subType":"04"}}`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseE11000(tc.msg)
			if got.Partial() {
				t.Errorf("%q: full message read as partial", tc.msg)
			}
			if err != nil {
				t.Fatalf("ParseE11000: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

// FerretDB words error 11000 without namespace or values: only the index is known, and the
// result says it is partial so callers look the rest up instead of opening a group.
func TestParseE11000FerretDB(t *testing.T) {
	for _, msg := range []string{
		`Duplicate key violation on the requested collection: Index 'email_1'`,
		`write exception: write errors: [Duplicate key violation on the requested collection: Index 'email_1']`,
		`{"code": 11000, "errmsg": "Duplicate key violation on the requested collection: Index 'email_1'"}`,
	} {
		got, err := ParseE11000(msg)
		if err != nil {
			t.Errorf("ParseE11000(%q): %v", msg, err)
			continue
		}
		if want := (DupKeyError{Index: "email_1"}); !reflect.DeepEqual(got, want) || !got.Partial() {
			t.Errorf("ParseE11000(%q) = %#v, want %#v, partial", msg, got, want)
		}
	}
	for _, msg := range []string{
		`Duplicate key violation on the requested collection: Index '`,
		`Duplicate key violation on the requested collection: Index 'email_1`,
	} {
		if d, err := ParseE11000(msg); err == nil {
			t.Errorf("ParseE11000(%q) = %#v, want an error", msg, d)
		}
	}
}

func TestParseE11000Refuses(t *testing.T) {
	for msg, want := range map[string]string{
		"":                           "not an E11000",
		"connection refused":         "not an E11000",
		`{"code": 11000}`:            "not an E11000",
		"E11000 duplicate key error": "names no collection",
		"E11000 duplicate key error collection: shop.users index: email_1":                        `no "dup key`,
		`E11000 duplicate key error collection: shop.users index: email_1 dup key: { email: "a`:   "unterminated",
		`E11000 duplicate key error collection: shop index: email_1 dup key: { email: 1 }`:        "not DB.COLLECTION",
		`E11000 duplicate key error collection: shop.users index: email_1 dup key: { }`:           "empty",
		`E11000 duplicate key error collection: shop.users index: email_1 dup key: { e: Foo(1) }`: "unknown value Foo",
	} {
		_, err := ParseE11000(msg)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseE11000(%q) = %v, want an error saying %q", msg, err, want)
		}
	}
}

func FuzzParseE11000(f *testing.F) {
	for _, seed := range []string{
		`E11000 duplicate key error collection: shop.users index: email_1 dup key: { email: "a@x.com" }`,
		`E11000 duplicate key error collection: shop.users index: email_1 dup key: { : "a@x.com" }`,
		`E11000 duplicate key error index: shop.users.$email_1  dup key: { : "a@x.com" }`,
		`E11000 duplicate key error collection: a.b index: x_1 dup key: { x: { k: [ 1, "two" ], t: true } }`,
		`E11000 duplicate key error collection: s.c index: k dup key: { a: NumberLong(3), b: Timestamp(1, 2), c: BinData(0, "AQI="), d: new Date(5) }`,
		`E11000 duplicate key error collection: s.c index: k collation: { locale: "en" } dup key: { a: -Infinity, b: 1e400, c: ObjectId('5f1d7a3e9b1e8b3a2c4d5e6f') }`,
		`{"code": 11000, "errmsg": "E11000 duplicate key error collection: shop.users index: email_1 dup key: { : \"a\" }", "keyPattern": {"email": 1}, "keyValue": {"email": "a"}}`,
	} {
		f.Add(seed)
	}
	f.Add(`write exception: write errors: [Duplicate key violation on the requested collection: Index 'email_1']`)
	f.Fuzz(func(t *testing.T, msg string) {
		d, err := ParseE11000(msg)
		if err != nil {
			return
		}
		if d.Partial() {
			if d.Index == "" || d.Fields != nil {
				t.Fatalf("accepted %q as FerretDB's form without an index, or with fields: %#v", msg, d)
			}
			return
		}
		if d.NS.DB == "" || d.NS.Coll == "" || d.Index == "" {
			t.Fatalf("accepted %q without namespace or index: %#v", msg, d)
		}
		if len(d.Values) == 0 {
			t.Fatalf("accepted %q without values", msg)
		}
		if d.Fields != nil && len(d.Fields) != len(d.Values) {
			t.Fatalf("%q: %d fields for %d values", msg, len(d.Fields), len(d.Values))
		}
		for _, v := range d.Values {
			if !json.Valid([]byte(v)) {
				t.Fatalf("%q: value %s is not JSON", msg, v)
			}
		}
	})
}

// TestShellValuesAreTheDrivers: every value the shell parser reads is written by the driver,
// so it equals what the adapter writes for the same BSON value: doubles in exponent form,
// -0, out-of-range literals, and each constructor.
func TestShellValuesAreTheDrivers(t *testing.T) {
	oid, _ := bson.ObjectIDFromHex("5f1d7a3e9b1e8b3a2c4d5e6f")
	dec, _ := bson.ParseDecimal128("1E3")
	for _, c := range []struct {
		shell string
		want  any
	}{
		{"1", int32(1)},
		{"2147483648", int64(2147483648)},
		{"-9223372036854775808", int64(math.MinInt64)},
		{"1e6", 1e6},
		{"2e7", 2e7},
		{"5e-5", 5e-5},
		{"1e300", 1e300},
		{"1e400", math.Inf(1)},
		{"-0.0", math.Copysign(0, -1)},
		{"1.5", 1.5},
		{"NaN", math.NaN()},
		{"-Infinity", math.Inf(-1)},
		{"9223372036854775808", 9223372036854775808.0},
		{"ObjectId('5F1D7A3E9B1E8B3A2C4D5E6F')", oid},
		{"NumberDecimal('1E3')", dec},
		{"Timestamp({ t: 1, i: 2 })", bson.Timestamp{T: 1, I: 2}},
		{"new Date(-1)", bson.DateTime(-1)},
		{"UUID('01234567-89ab-cdef-0123-456789abcdef')", bson.Binary{Subtype: 4, Data: []byte{1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}}},
		{"{ a: [1, 'x', null], b: { c: true } }", bson.D{{Key: "a", Value: bson.A{int32(1), "x", nil}}, {Key: "b", Value: bson.D{{Key: "c", Value: true}}}}},
		{"'\\u001b\\x7f'", "\x1b\x7f"},
	} {
		p := &shellParser{s: c.shell}
		got, err := p.value()
		if err != nil {
			t.Errorf("%s: %v", c.shell, err)
			continue
		}
		typ, data, err := bson.MarshalValue(c.want)
		if err != nil {
			t.Fatal(err)
		}
		if want := MustValueOf(bson.RawValue{Type: typ, Value: data}); got != want {
			t.Errorf("%s = %s, want the driver's %s", c.shell, got, want)
		}
	}
	for _, bad := range []string{"NumberDecimal('abc')", "ObjectId('zz')", "NumberInt(2147483648)", "{ 'a\\u0000': 1 }", "Timestamp(-1, 0)"} {
		if v, err := (&shellParser{s: bad}).value(); err == nil {
			t.Errorf("%s read as %s", bad, v)
		}
	}
}

// TestParseE11000JSONTypes: a driver error's keyValue is read by the driver, so a field
// holding {"$oid": …} is an ObjectId and the values equal the adapter's.
func TestParseE11000JSONTypes(t *testing.T) {
	msg := `{"code": 11000, "errmsg": "E11000 duplicate key error collection: s.c index: k dup key: { a: 1 }",` +
		` "keyValue": {"id": {"$oid": "5f1d7a3e9b1e8b3a2c4d5e6f"}, "big": 2147483648, "d": 1e6, "u": {"$uuid": "01234567-89ab-cdef-0123-456789abcdef"}}}`
	got, err := ParseE11000(msg)
	if err != nil {
		t.Fatal(err)
	}
	want := []Value{`{"$oid":"5f1d7a3e9b1e8b3a2c4d5e6f"}`, `{"$numberLong":"2147483648"}`, `{"$numberDouble":"1E+06"}`,
		`{"$binary":{"base64":"ASNFZ4mrze8BI0VniavN7w==","subType":"04"}}`}
	if !reflect.DeepEqual(got.Values, want) || !reflect.DeepEqual(got.Fields, []string{"id", "big", "d", "u"}) {
		t.Errorf("got %v %v, want %v", got.Fields, got.Values, want)
	}
}

// TestFerretDBExclusionMessageSaysWhatItLacks: FerretDB's failed unique index build names a
// PostgreSQL constraint, nothing dupes can scan: it is recognised, and the answer says what
// the message lacks and how to scan instead, rather than calling it no E11000 at all.
func TestFerretDBExclusionMessageSaysWhatItLacks(t *testing.T) {
	_, err := ParseE11000(`(InternalError) could not create exclusion constraint "documents_rum_index_2037"`)
	if err == nil || !strings.Contains(err.Error(), "FerretDB's failed unique index build") ||
		!strings.Contains(err.Error(), "names neither the index") {
		t.Fatalf("got %v", err)
	}
}
