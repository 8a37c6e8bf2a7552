package model

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFilterReadsMongoshSyntax(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{``, ``},
		{`{"status": "active"}`, `{"status": "active"}`}, // JSON passes through as typed
		{`{status: 'active'}`, `{"status":"active"}`},
		{`{ _id: ObjectId("65e594985f1c2a0000000001") }`, `{"_id":{"$oid":"65e594985f1c2a0000000001"}}`},
		{`{at: {$gte: ISODate("2024-01-01T00:00:00Z")}, n: 3}`, `{"at":{"$gte":{"$date":{"$numberLong":"1704067200000"}}},"n":{"$numberInt":"3"}}`},
		{`{'a.b': NumberLong(5)}`, `{"a.b":{"$numberLong":"5"}}`},
	} {
		got, err := ParseFilter(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseFilter(%s) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}

func TestParseFilterSaysWhereAndHow(t *testing.T) {
	for _, c := range []struct {
		in  string
		col int
	}{
		{`status: 'active'`, 1},
		{`{status 'active'}`, 2},
		{`{a: ObjectId('zz')}`, 5},
		{`{a: 1} x`, 8},
	} {
		_, err := ParseFilter(c.in)
		var fe *FilterError
		if !errors.As(err, &fe) || fe.Column != c.col {
			t.Errorf("ParseFilter(%s): %v, want an error at column %d", c.in, err, c.col)
			continue
		}
		if !strings.Contains(err.Error(), "mongosh") || strings.Contains(err.Error(), "--") {
			t.Errorf("ParseFilter(%s): %v lacks the hint or names a flag", c.in, err)
		}
	}
}
