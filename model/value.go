// Package model is the domain of dupes: keys, groups, documents, keep rules and plans.
// It is pure Go: no I/O, no driver, no terminal. Values travel as canonical Extended JSON,
// which is exact for every BSON type and needs nothing but encoding/json to read.
package model

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Value is one BSON value in canonical Extended JSON (v2), compacted, e.g. `{"$oid":"…"}`,
// `"a@x.com"`, `{"$numberInt":"3"}`, `null`. Two equal BSON values have equal Values, so a
// Value is usable as a map key. The empty Value means "field absent", which is not null.
type Value string

// Null is the BSON null. A unique index stores a missing field as null, so scans do too.
const Null Value = "null"

// Missing marks a field a document does not have (distinct from Null).
const Missing Value = ""

// ParseValue reads one Extended JSON value (canonical or relaxed JSON text) and returns it
// compacted. It checks only that the text is JSON; the adapter checks BSON meaning.
func ParseValue(s string) (Value, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return Missing, fmt.Errorf("not a JSON value: %w", err)
	}
	return Value(buf.String()), nil
}

// MarshalJSON writes the value as the raw Extended JSON it holds, so plan files and
// `scan --format json` carry values readable by any Extended JSON parser.
func (v Value) MarshalJSON() ([]byte, error) {
	if v == Missing {
		return []byte("null"), nil
	}
	return []byte(v), nil
}

// UnmarshalJSON keeps the JSON text, compacted and in the driver's spelling: a Value is
// compared and looked up by its text, and JSON writers escape differently (encoding/json
// writes "AT&T" as "AT\u0026T"), so escaped text is read and written back by the driver.
// Text that is not Extended JSON is kept as it is, for the caller's checks to refuse.
func (v *Value) UnmarshalJSON(b []byte) error {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return err
	}
	*v = Value(buf.String())
	// Canonical, as the driver writes it: a hand-edited plan's {"$oid": "ABC…"}, a relaxed 0
	// or an escaped "AT\u0026T" names the same document as the canonical text the adapter
	// compares with. Text the driver cannot read stays as it is, for the checks to refuse.
	if rv, err := v.Raw(); err == nil {
		if c, err := ValueOf(rv); err == nil {
			*v = c
		}
	}
	return nil
}

// String is the value as people read it; see Display.
func (v Value) String() string { return v.Display() }
