package model

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDisplay(t *testing.T) {
	cases := []struct {
		in   Value
		want string
	}{
		{`"a@x.com"`, `"a@x.com"`},
		{`null`, `null`},
		{Missing, `(missing)`},
		{`true`, `true`},
		{`{"$numberInt":"42"}`, `42`},
		{`{"$numberLong":"-7"}`, `-7`},
		{`{"$numberDouble":"1"}`, `1.0`},
		{`{"$numberDouble":"2.5"}`, `2.5`},
		{`{"$numberDouble":"NaN"}`, `NaN`},
		{`{"$numberDecimal":"9.99"}`, `Decimal128('9.99')`},
		{`{"$oid":"5f1d7a3e9c8b4a0012345678"}`, `ObjectId('5f1d7a3e9c8b4a0012345678')`},
		{`{"$date":{"$numberLong":"1700000000123"}}`, `ISODate('2023-11-14T22:13:20.123Z')`},
		{`{"$binary":{"base64":"AAECAwQFBgcICQoLDA0ODw==","subType":"04"}}`, `UUID('00010203-0405-0607-0809-0a0b0c0d0e0f')`},
		{`{"$binary":{"base64":"AQI=","subType":"00"}}`, `Binary('AQI=', 00)`},
		{`{"$timestamp":{"t":5,"i":1}}`, `Timestamp({ t: 5, i: 1 })`},
		{`{"$regularExpression":{"pattern":"^a","options":"i"}}`, `/^a/i`},
		{`{"$minKey":1}`, `MinKey()`},
		{`[{"$numberInt":"1"},"b"]`, `[1, "b"]`},
		{`[]`, `[]`},
		{`{}`, `{}`},
		{`{"b":{"$numberInt":"1"},"a":"x"}`, `{ b: 1, a: "x" }`},
		{`not json`, `not json`},
	}
	for _, c := range cases {
		if got := c.in.Display(); got != c.want {
			t.Errorf("Display(%s) = %s, want %s", string(c.in), got, c.want)
		}
	}
}

func TestObjectIDTime(t *testing.T) {
	got, ok := Value(`{"$oid":"5f1d7a3e9c8b4a0012345678"}`).ObjectIDTime()
	want := time.Date(2020, 7, 26, 12, 42, 38, 0, time.UTC)
	if !ok || !got.Equal(want) {
		t.Fatalf("ObjectIDTime = %v %v, want %v", got, ok, want)
	}
	for _, v := range []Value{`"5f1d7a3e9c8b4a0012345678"`, `{"$oid":"zz"}`, `{"$numberInt":"1"}`, Missing} {
		if _, ok := v.ObjectIDTime(); ok {
			t.Errorf("%s: want no time", v)
		}
	}
}

func TestValueJSON(t *testing.T) {
	v, err := ParseValue(`{ "$oid" : "5f1d7a3e9c8b4a0012345678" }`)
	if err != nil || v != `{"$oid":"5f1d7a3e9c8b4a0012345678"}` {
		t.Fatalf("ParseValue = %q, %v", v, err)
	}
	if _, err := ParseValue(`{"a":`); err == nil {
		t.Fatal("ParseValue accepted broken JSON")
	}
	b, err := json.Marshal(struct{ V []Value }{[]Value{v, Null, Missing}})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"V":[{"$oid":"5f1d7a3e9c8b4a0012345678"},null,null]}` {
		t.Fatalf("marshal = %s", b)
	}
	var back struct{ V []Value }
	if err := json.Unmarshal([]byte(`{"V":[ {"$numberInt" : "1"} ]}`), &back); err != nil || back.V[0] != `{"$numberInt":"1"}` {
		t.Fatalf("unmarshal = %v, %v", back, err)
	}
}

func FuzzDisplay(f *testing.F) {
	for _, s := range []string{`"x"`, `{"$oid":"5f1d7a3e9c8b4a0012345678"}`, `[1,{"a":{"$date":"2020-01-01T00:00:00Z"}}]`, `{"$binary":{}}`, `{"$timestamp":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := Value(s)
		_ = v.Display()
		_, _ = v.ObjectIDTime()
		if Compare(v, v) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", s)
		}
	})
}
