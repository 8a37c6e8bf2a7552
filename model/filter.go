package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// FilterError says where a document filter stops making sense, and how to write it.
type FilterError struct {
	Column int // 1-based, in characters
	Msg    string
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("column %d: %s; write it as in mongosh, {status: 'active', createdAt: {$gte: ISODate('2024-01-01')}}, or as JSON",
		e.Column, e.Msg)
}

// ParseFilter reads a document filter (--filter, the TUI's F) and returns the text the scan
// sends. JSON (relaxed Extended JSON) passes through as typed; anything else is read in the
// mongosh syntax (unquoted keys, single quotes, ObjectId('…'), ISODate('…'), NumberLong(…)…)
// and returned as canonical Extended JSON, so the CLI and the TUI accept the same filters and
// a plan file records one exact form. "" stays "" (no filter).
func ParseFilter(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || json.Valid([]byte(s)) && strings.HasPrefix(s, "{") {
		return s, nil
	}
	p := &shellParser{s: s}
	col := func() int { return utf8.RuneCountInString(s[:min(p.pos, len(s))]) + 1 }
	if p.peek() != '{' {
		return "", &FilterError{Column: 1, Msg: "a filter is a document in braces"}
	}
	v, err := p.value()
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "at ") && i > 0 {
			msg = msg[i+2:] + " (near " + msg[3:i] + ")"
		}
		return "", &FilterError{Column: col(), Msg: msg}
	}
	p.ws()
	if p.pos < len(s) {
		return "", &FilterError{Column: col(), Msg: fmt.Sprintf("unexpected %q after the document", clip(s[p.pos:]))}
	}
	return string(v), nil
}
