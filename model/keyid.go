package model

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// KeyID is a key's identity under the spec: two keys are the same index entry (collide in a
// unique index) iff their KeyIDs are equal. Numbers compare by exact value across int32, int64,
// double and decimal128 (1 == 1.0 == NumberLong(1); 0.1 as a double is not decimal 0.1), strings
// by their collation key (bytes without a collation), documents by field names, order and values,
// arrays element by element; null, undefined and every other type stay apart. The loose modes
// (IgnoreCase, Trim) are applied first, so a key taken straight from a document gets the ID of
// the key IndexKeys would have made of it. A value that is not Extended JSON gets an ID of its
// own text. Under a collation Check refuses, which IndexKeys reports as an error, KeyID marks
// the ID and compares strings by bytes: check the spec first.
func (s KeySpec) KeyID(k IndexKey) string {
	var b strings.Builder
	coll, err := s.collator()
	if err != nil {
		b.WriteString("!collation:")
	}
	for _, v := range k {
		n, err := parseValue(v)
		if err != nil {
			b.WriteString("?" + strconv.Itoa(len(v)) + ":" + string(v))
			continue
		}
		writeID(&b, s.loosen(n), coll)
	}
	return b.String()
}

// keyID is KeyID for a key still in tree form.
func keyID(k []*node, coll stringKeyer) string {
	var b strings.Builder
	for _, n := range k {
		writeID(&b, n, coll)
	}
	return b.String()
}

// stringKeyer gives a string's comparison key under a collation; nil compares bytes.
type stringKeyer func(string) (string, error)

// writeID writes an unambiguous identity: a type tag, then a length-prefixed body.
func writeID(b *strings.Builder, n *node, coll stringKeyer) {
	body := func(tag byte, s string) {
		b.WriteByte(tag)
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	switch n.kind {
	case kNull:
		b.WriteByte('n')
	case kUndefined:
		b.WriteByte('u')
	case kNumber:
		body('#', numberID(n.text))
	case kString:
		s := n.text
		if coll != nil {
			var err error
			if s, err = coll(s); err != nil {
				body('!', err.Error()+"\x00"+n.text)
				return
			}
		}
		body('s', s)
	case kSymbol:
		// The index compares a symbol as a string, but collation leaves it as it is.
		body('s', n.text)
	case kObject:
		b.WriteByte('{')
		for i, k := range n.keys {
			body('k', k)
			writeID(b, n.kids[i], coll)
		}
		b.WriteByte('}')
	case kArray:
		b.WriteByte('[')
		for _, k := range n.kids {
			writeID(b, k, coll)
		}
		b.WriteByte(']')
	default:
		body('x', n.text)
	}
}

// numberID is a number's exact value as text: an integer in decimal, a fraction p/q, NaN or
// ±Inf. Equal values of any numeric type give equal text. A double is exactly a binary
// fraction, so 0.1 (double) and 0.1 (decimal) differ, as they do in the index.
func numberID(text string) string {
	n := strings.TrimSuffix(text, `"}`)
	var kind string
	if i := strings.Index(n, `":"`); i > 0 {
		kind, n = n[2:i], n[i+3:]
	}
	switch kind {
	case "$numberInt", "$numberLong":
		return n
	case "$numberDouble":
		f, err := strconv.ParseFloat(n, 64) // also reads the driver's Infinity, -Infinity, NaN
		if err != nil {
			return "?" + text
		}
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 0):
			return map[bool]string{true: "+Inf", false: "-Inf"}[f > 0]
		case f == math.Trunc(f) && math.Abs(f) < 1<<62:
			return strconv.FormatInt(int64(f), 10)
		}
		return new(big.Rat).SetFloat64(f).RatString()
	case "$numberDecimal":
		switch strings.TrimPrefix(n, "+") {
		case "NaN", "-NaN":
			return "NaN"
		case "Infinity", "Inf":
			return "+Inf"
		case "-Infinity", "-Inf":
			return "-Inf"
		}
		r, ok := new(big.Rat).SetString(n)
		if !ok {
			return "?" + n
		}
		return r.RatString()
	}
	return "?" + text
}

// loosen applies dupes' loose modes to one key value, as the scan pipeline does: IgnoreCase is
// MongoDB's $toLower (ASCII A-Z only), Trim is $trim with its default characters. Both touch
// a value that is a string, nothing inside documents or arrays.
func (s KeySpec) loosen(n *node) *node {
	if n.kind != kString || (!s.IgnoreCase && !s.Trim) {
		return n
	}
	t := n.text
	if s.Trim {
		t = strings.TrimFunc(t, isTrimSpace)
	}
	if s.IgnoreCase {
		t = asciiLower(t)
	}
	return &node{kind: kString, text: t}
}

// isTrimSpace is the set $trim removes by default: NUL, space, \t \n \v \f \r, NBSP, U+1680
// and U+2000..U+200A (MongoDB manual, $trim, "Whitespace Characters").
func isTrimSpace(r rune) bool {
	switch r {
	case 0, ' ', '\t', '\n', '\v', '\f', '\r', 0xA0, 0x1680:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Collide reports whether two documents' key sets share a key.
func (s KeySpec) Collide(a, b []IndexKey) bool {
	ids := make(map[string]bool, len(a))
	for _, k := range a {
		ids[s.KeyID(k)] = true
	}
	for _, k := range b {
		if ids[s.KeyID(k)] {
			return true
		}
	}
	return false
}
