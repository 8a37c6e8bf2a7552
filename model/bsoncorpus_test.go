package model

import (
	"strings"
	"testing"
)

// Two cases of MongoDB's BSON corpus (mongodb/specifications, source/bson-corpus) that the
// driver alone does not answer as the corpus says; the whole corpus runs in cli's
// TestKeysBSONCorpus.

func TestReadDocRefusesANumberDate(t *testing.T) {
	for _, doc := range []string{
		`{"a":{"$date":42}}`,
		`{"a" : {"$date" : -1.5 }}`,
		`{"a":[{"b":{"$date":0}}]}`,
		`{"a":{"$dat\u0065":42}}`,
	} {
		if _, err := ReadDoc([]byte(doc)); err == nil || !strings.Contains(err.Error(), "$date value is a number") {
			t.Errorf("%s: %v, want the legacy $date refused", doc, err)
		}
	}
	for _, doc := range []string{
		`{"a":{"$date":"1970-01-01T00:00:00Z"},"update":42}`,
		`{"a":{"$date":{"$numberLong":"42"}},"birthdate":-1}`,
		`{"a":"$date","b":1,"c":["$date",5],"d":"\u0024date"}`,
	} {
		if _, err := ReadDoc([]byte(doc)); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
}

func TestASymbolKeysAsASymbol(t *testing.T) {
	for doc, want := range map[string]string{
		`{"a":{"$symbol":"b"}}`:    `{"$symbol":"b"}`,
		`{"a":{"$symbol":""}}`:     `{"$symbol":""}`,
		`{"a":{"$symbol":"\"\n"}}`: `{"$symbol":"\"\n"}`,
	} {
		keys, err := IndexKeys([]byte(doc), KeySpec{Fields: []string{"a"}})
		if err != nil || len(keys) != 1 || string(keys[0][0]) != want {
			t.Errorf("%s: %v %v, want %s", doc, keys, err, want)
		}
	}
}
