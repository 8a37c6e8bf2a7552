package model

import (
	"bytes"
	"encoding/json"
	"errors"
)

// The driver reads {"$date": 42} as a date 42 ms after the epoch: the legacy form, which
// Extended JSON v2 and MongoDB's BSON corpus call a parse error ("Bad $date (number, not
// string or hash)"). ReadDoc refuses it, so dupes reads Extended JSON v2 and nothing else.

var errNumberDate = errors.New(`$date value is a number, the legacy form: write {"$date": {"$numberLong": "<ms>"}} or an ISO-8601 string`)

// mayHoldNumberDate is a cheap filter, so that a document is read a second time only when
// it may hold the legacy form: a key ending in `date"` followed by a number, or a \u escape,
// which can spell $date.
func mayHoldNumberDate(text []byte) bool {
	if bytes.Contains(text, []byte(`\u`)) {
		return true
	}
	for i := 0; ; {
		j := bytes.Index(text[i:], []byte(`date"`))
		if j < 0 {
			return false
		}
		i = skipSpace(text, i+j+len(`date"`))
		if i < len(text) && text[i] == ':' {
			if k := skipSpace(text, i+1); k < len(text) && (text[k] == '-' || text[k] >= '0' && text[k] <= '9') {
				return true
			}
		}
	}
}

func skipSpace(text []byte, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r') {
		i++
	}
	return i
}

// holdsNumberDate reports whether the JSON text has an object whose "$date" is a number.
func holdsNumberDate(text []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	return dec.Decode(&v) == nil && numberDateIn(v)
}

func numberDateIn(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["$date"].(json.Number); ok {
			return true
		}
		for _, e := range v {
			if numberDateIn(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if numberDateIn(e) {
				return true
			}
		}
	}
	return false
}
