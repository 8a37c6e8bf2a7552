package model

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// shellParser reads values in the shell syntax the server uses in error messages
// ({ email: "a@x.com", n: 1, at: new Date(1700000000000), id: ObjectId('…') }) into the
// driver's types; the driver writes them as canonical Extended JSON (ValueOf), so a value
// read here equals what the adapter writes for the same BSON value.
type shellParser struct {
	s     string
	pos   int
	depth int
}

const maxShellDepth = 64

func (p *shellParser) fail(format string, a ...any) error {
	return fmt.Errorf("at %q: %s", clip(p.s[p.pos:]), fmt.Sprintf(format, a...))
}

func clip(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

func (p *shellParser) ws() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *shellParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *shellParser) eat(c byte) bool {
	p.ws()
	if p.peek() == c {
		p.pos++
		return true
	}
	return false
}

// document reads { name: value, … } and returns names (possibly empty) and values, written
// by the driver.
func (p *shellParser) document() ([]string, []Value, error) {
	d, err := p.doc()
	if err != nil {
		return nil, nil, err
	}
	names, vals := make([]string, len(d)), make([]Value, len(d))
	for i, e := range d {
		names[i] = e.Key
		if vals[i], err = driverValue(e.Value); err != nil {
			return nil, nil, fmt.Errorf("field %q: %w", e.Key, err)
		}
	}
	return names, vals, nil
}

// value reads one value and returns it as canonical Extended JSON, written by the driver.
func (p *shellParser) value() (Value, error) {
	start := p.pos
	x, err := p.any()
	if err != nil {
		return Missing, err
	}
	v, err := driverValue(x)
	if err != nil {
		p.pos = start
		return Missing, p.fail("%v", err)
	}
	return v, nil
}

// driverValue is a value this parser built from the driver's types, as the driver writes it.
func driverValue(x any) (Value, error) {
	if x == nil {
		return Null, nil // MarshalValue wants a type; null has no Go type of its own
	}
	t, data, err := bson.MarshalValue(x)
	if err != nil {
		return Missing, err
	}
	return ValueOf(bson.RawValue{Type: t, Value: data})
}

// doc reads { name: value, … } into the driver's ordered document.
func (p *shellParser) doc() (bson.D, error) {
	if !p.eat('{') {
		return nil, p.fail("want '{'")
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxShellDepth {
		return nil, p.fail("nested too deeply")
	}
	d := bson.D{}
	for {
		if p.eat('}') {
			return d, nil
		}
		if len(d) > 0 && !p.eat(',') {
			return nil, p.fail("want ',' or '}'")
		}
		p.ws()
		var name string
		if c := p.peek(); c == '"' || c == '\'' {
			n, err := p.str()
			if err != nil {
				return nil, err
			}
			name = n
		} else {
			end := strings.IndexByte(p.s[p.pos:], ':')
			if end < 0 {
				return nil, p.fail("want 'name:'")
			}
			name = strings.TrimSpace(p.s[p.pos : p.pos+end])
			if strings.ContainsAny(name, "{}[],'\"") {
				return nil, p.fail("bad field name %q", name)
			}
			p.pos += end
		}
		if strings.IndexByte(name, 0) >= 0 {
			return nil, p.fail("a field name cannot hold a NUL byte")
		}
		if !p.eat(':') {
			return nil, p.fail("want ':' after field name")
		}
		v, err := p.any()
		if err != nil {
			return nil, err
		}
		d = append(d, bson.E{Key: name, Value: v})
	}
}

// any reads one value as the driver's Go type: bson.D, bson.A, string, int32, int64,
// float64, bool, nil, bson.ObjectID, bson.DateTime and the other bson types.
func (p *shellParser) any() (any, error) {
	p.ws()
	switch c := p.peek(); {
	case c == 0:
		return nil, p.fail("value missing (message cut short?)")
	case c == '{':
		return wrapErr(p.doc())
	case c == '[':
		return wrapErr(p.array())
	case c == '"' || c == '\'':
		return wrapErr(p.str())
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return p.constructor()
}

func (p *shellParser) array() (bson.A, error) {
	p.eat('[')
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxShellDepth {
		return nil, p.fail("nested too deeply")
	}
	a := bson.A{}
	for {
		if p.eat(']') {
			return a, nil
		}
		if len(a) > 0 && !p.eat(',') {
			return nil, p.fail("want ',' or ']'")
		}
		v, err := p.any()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
}

// str reads a "double" or 'single' quoted string with JSON-style escapes.
func (p *shellParser) str() (string, error) {
	quote := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.s):
			e := p.s[p.pos+1]
			p.pos += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'u':
				if p.pos+4 > len(p.s) {
					return "", p.fail("short \\u escape")
				}
				n, err := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 16)
				if err != nil {
					return "", p.fail("bad \\u escape")
				}
				b.WriteRune(rune(n))
				p.pos += 4
			case 'x':
				if p.pos+2 > len(p.s) {
					return "", p.fail("short \\x escape")
				}
				n, err := strconv.ParseUint(p.s[p.pos:p.pos+2], 16, 8)
				if err != nil {
					return "", p.fail("bad \\x escape")
				}
				b.WriteRune(rune(n))
				p.pos += 2
			default:
				b.WriteByte(e)
			}
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			b.WriteRune(r)
			p.pos += size
		}
	}
	return "", errors.New("unterminated string (message cut short?)")
}

func wrapErr[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// number reads a numeric literal: integers become int32 (int64 when larger), others double;
// the driver writes them.
func (p *shellParser) number() (any, error) {
	start := p.pos
	for p.pos < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.pos]) >= 0 {
		p.pos++
	}
	text := p.s[start:p.pos]
	if text == "-" || text == "+" {
		// -Infinity, -NaN
		switch p.word() {
		case "Infinity":
			if text == "-" {
				return math.Inf(-1), nil
			}
			return math.Inf(1), nil
		case "NaN":
			return math.NaN(), nil
		}
		p.pos = start
		return nil, p.fail("bad number")
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		if i >= math.MinInt32 && i <= math.MaxInt32 {
			return int32(i), nil
		}
		return i, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // out of range is ±Infinity, as the server reads it
		p.pos = start
		return nil, p.fail("bad number %q", text)
	}
	return f, nil
}

func (p *shellParser) word() string {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			p.pos++
			continue
		}
		break
	}
	return p.s[start:p.pos]
}

// args reads "( value, value … )" after a constructor name; no parentheses gives none.
func (p *shellParser) args() ([]any, error) {
	if !p.eat('(') {
		return nil, nil
	}
	var out []any
	for {
		if p.eat(')') {
			return out, nil
		}
		if len(out) > 0 && !p.eat(',') {
			return nil, p.fail("want ',' or ')'")
		}
		v, err := p.any()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// constructor reads true, null, ObjectId('…'), new Date(…) and the other shell forms.
func (p *shellParser) constructor() (any, error) {
	start := p.pos
	name := p.word()
	if name == "new" {
		p.ws()
		name = p.word()
	}
	switch name {
	case "true", "false":
		return name == "true", nil
	case "null":
		return nil, nil
	case "undefined":
		return bson.Undefined{}, nil
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "":
		return nil, p.fail("unexpected character")
	}
	args, err := p.args()
	if err != nil {
		return nil, err
	}
	str := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		s, ok := args[i].(string)
		return s, ok
	}
	num := func(i int) (int64, bool) {
		if i >= len(args) {
			return 0, false
		}
		if s, ok := str(i); ok {
			n, err := strconv.ParseInt(s, 10, 64)
			return n, err == nil
		}
		return shellInt(args[i])
	}
	bad := func() (any, error) {
		p.pos = start
		return nil, p.fail("cannot read %s(…)", name)
	}
	switch name {
	case "MinKey":
		return bson.MinKey{}, nil
	case "MaxKey":
		return bson.MaxKey{}, nil
	case "ObjectId":
		h, ok := str(0)
		oid, err := bson.ObjectIDFromHex(h)
		if !ok || err != nil {
			return bad()
		}
		return oid, nil
	case "Date", "ISODate":
		if s, ok := str(0); ok {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return bad()
			}
			return bson.DateTime(t.UnixMilli()), nil
		}
		if n, ok := num(0); ok {
			return bson.DateTime(n), nil
		}
		return bad()
	case "NumberInt":
		n, ok := num(0)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return bad()
		}
		return int32(n), nil
	case "NumberLong":
		n, ok := num(0)
		if !ok {
			return bad()
		}
		return n, nil
	case "NumberDecimal", "Decimal128":
		s, ok := str(0)
		d, err := bson.ParseDecimal128(s)
		if !ok || err != nil {
			return bad()
		}
		return d, nil
	case "Timestamp":
		t, okT := num(0)
		i, okI := num(1)
		if d, ok := args0Doc(args); ok && len(args) == 1 {
			// Timestamp({ t: 1, i: 2 })
			t, okT = shellInt(d.Lookup("t"))
			i, okI = shellInt(d.Lookup("i"))
		}
		if !okT || !okI || t < 0 || i < 0 || t > math.MaxUint32 || i > math.MaxUint32 {
			return bad()
		}
		return bson.Timestamp{T: uint32(t), I: uint32(i)}, nil
	case "BinData":
		sub, okS := num(0)
		data, okD := str(1)
		raw, err := base64.StdEncoding.DecodeString(data)
		if !okS || !okD || err != nil || sub < 0 || sub > 255 {
			return bad()
		}
		return bson.Binary{Subtype: byte(sub), Data: raw}, nil
	case "UUID":
		s, ok := str(0)
		raw, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
		if !ok || err != nil || len(raw) != 16 {
			return bad()
		}
		return bson.Binary{Subtype: bson.TypeBinaryUUID, Data: raw}, nil
	}
	p.pos = start
	return nil, p.fail("unknown value %s", name)
}

// args0Doc is a constructor's one document argument, as the driver holds it.
func args0Doc(args []any) (bson.Raw, bool) {
	if len(args) == 0 {
		return nil, false
	}
	d, ok := args[0].(bson.D)
	if !ok {
		return nil, false
	}
	raw, err := bson.Marshal(d)
	return raw, err == nil
}

// shellInt is an integral number the parser read (or a field of one document argument).
func shellInt(x any) (int64, bool) {
	switch n := x.(type) {
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case bson.RawValue:
		if i, ok := n.Int32OK(); ok {
			return int64(i), true
		}
		return n.Int64OK()
	}
	return 0, false
}
