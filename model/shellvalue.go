package model

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// shellParser reads values in the shell syntax the server uses in error messages
// ({ email: "a@x.com", n: 1, at: new Date(1700000000000), id: ObjectId('…') }) and writes
// them as canonical Extended JSON.
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

// document reads { name: value, … } and returns names (possibly empty) and values.
func (p *shellParser) document() ([]string, []Value, error) {
	if !p.eat('{') {
		return nil, nil, p.fail("want '{'")
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxShellDepth {
		return nil, nil, p.fail("nested too deeply")
	}
	var names []string
	var vals []Value
	for {
		if p.eat('}') {
			return names, vals, nil
		}
		if len(vals) > 0 && !p.eat(',') {
			return nil, nil, p.fail("want ',' or '}'")
		}
		p.ws()
		var name string
		if c := p.peek(); c == '"' || c == '\'' {
			n, err := p.str()
			if err != nil {
				return nil, nil, err
			}
			name = n
		} else {
			end := strings.IndexByte(p.s[p.pos:], ':')
			if end < 0 {
				return nil, nil, p.fail("want 'name:'")
			}
			name = strings.TrimSpace(p.s[p.pos : p.pos+end])
			if strings.ContainsAny(name, "{}[],'\"") {
				return nil, nil, p.fail("bad field name %q", name)
			}
			p.pos += end
		}
		if !p.eat(':') {
			return nil, nil, p.fail("want ':' after field name")
		}
		v, err := p.value()
		if err != nil {
			return nil, nil, err
		}
		names = append(names, name)
		vals = append(vals, v)
	}
}

func (p *shellParser) value() (Value, error) {
	p.ws()
	switch c := p.peek(); {
	case c == 0:
		return Missing, p.fail("value missing (message cut short?)")
	case c == '{':
		names, vals, err := p.document()
		if err != nil {
			return Missing, err
		}
		var b strings.Builder
		b.WriteByte('{')
		for i := range names {
			if i > 0 {
				b.WriteByte(',')
			}
			q, _ := json.Marshal(names[i])
			b.Write(q)
			b.WriteByte(':')
			b.WriteString(string(vals[i]))
		}
		b.WriteByte('}')
		return Value(b.String()), nil
	case c == '[':
		return p.array()
	case c == '"' || c == '\'':
		s, err := p.str()
		if err != nil {
			return Missing, err
		}
		q, _ := json.Marshal(s)
		return Value(q), nil
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return p.constructor()
}

func (p *shellParser) array() (Value, error) {
	p.eat('[')
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxShellDepth {
		return Missing, p.fail("nested too deeply")
	}
	var parts []string
	for {
		if p.eat(']') {
			return Value("[" + strings.Join(parts, ",") + "]"), nil
		}
		if len(parts) > 0 && !p.eat(',') {
			return Missing, p.fail("want ',' or ']'")
		}
		v, err := p.value()
		if err != nil {
			return Missing, err
		}
		parts = append(parts, string(v))
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

// number reads a numeric literal: integers become Int32 (Int64 when larger), others Double.
func (p *shellParser) number() (Value, error) {
	start := p.pos
	for p.pos < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.pos]) >= 0 {
		p.pos++
	}
	text := p.s[start:p.pos]
	if text == "-" || text == "+" {
		// -Infinity, -NaN
		word := p.word()
		if word == "Infinity" || word == "NaN" {
			if text == "-" && word == "Infinity" {
				return `{"$numberDouble":"-Infinity"}`, nil
			}
			return Value(`{"$numberDouble":"` + word + `"}`), nil
		}
		p.pos = start
		return Missing, p.fail("bad number")
	}
	v := numberValue(text)
	if v == Missing {
		p.pos = start
		return Missing, p.fail("bad number %q", text)
	}
	return v, nil
}

// numberValue renders a numeric literal as canonical Extended JSON, or Missing if it is none.
func numberValue(text string) Value {
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		if i >= math.MinInt32 && i <= math.MaxInt32 {
			return Value(`{"$numberInt":"` + strconv.FormatInt(i, 10) + `"}`)
		}
		return Value(`{"$numberLong":"` + strconv.FormatInt(i, 10) + `"}`)
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return Missing
	}
	return doubleValue(f)
}

// doubleValue formats a double as the Go driver does, so equal values have equal text.
func doubleValue(f float64) Value {
	var s string
	switch {
	case math.IsInf(f, 1):
		s = "Infinity"
	case math.IsInf(f, -1):
		s = "-Infinity"
	case math.IsNaN(f):
		s = "NaN"
	default:
		s = strconv.FormatFloat(f, 'G', -1, 64)
		if !strings.ContainsAny(s, ".E") {
			s += ".0"
		}
	}
	return Value(`{"$numberDouble":"` + s + `"}`)
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
func (p *shellParser) args() ([]Value, error) {
	if !p.eat('(') {
		return nil, nil
	}
	var out []Value
	for {
		if p.eat(')') {
			return out, nil
		}
		if len(out) > 0 && !p.eat(',') {
			return nil, p.fail("want ',' or ')'")
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// constructor reads true, null, ObjectId('…'), new Date(…) and the other shell forms.
func (p *shellParser) constructor() (Value, error) {
	start := p.pos
	name := p.word()
	if name == "new" {
		p.ws()
		name = p.word()
	}
	switch name {
	case "true", "false", "null":
		return Value(name), nil
	case "undefined":
		return `{"$undefined":true}`, nil
	case "NaN", "Infinity":
		return Value(`{"$numberDouble":"` + name + `"}`), nil
	case "":
		return Missing, p.fail("unexpected character")
	}
	args, err := p.args()
	if err != nil {
		return Missing, err
	}
	str := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		var s string
		return s, json.Unmarshal([]byte(args[i]), &s) == nil
	}
	num := func(i int) (int64, bool) {
		if i >= len(args) {
			return 0, false
		}
		if s, ok := str(i); ok {
			n, err := strconv.ParseInt(s, 10, 64)
			return n, err == nil
		}
		n, ok := intOf(mustDecode(args[i]))
		return n, ok
	}
	bad := func() (Value, error) {
		p.pos = start
		return Missing, p.fail("cannot read %s(…)", name)
	}
	switch name {
	case "MinKey":
		return `{"$minKey":1}`, nil
	case "MaxKey":
		return `{"$maxKey":1}`, nil
	case "ObjectId":
		h, ok := str(0)
		if raw, err := hex.DecodeString(h); !ok || err != nil || len(raw) != 12 {
			return bad()
		}
		return Value(`{"$oid":"` + strings.ToLower(h) + `"}`), nil
	case "Date", "ISODate":
		var ms int64
		if s, ok := str(0); ok {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return bad()
			}
			ms = t.UnixMilli()
		} else if n, ok := num(0); ok {
			ms = n
		} else {
			return bad()
		}
		return Value(`{"$date":{"$numberLong":"` + strconv.FormatInt(ms, 10) + `"}}`), nil
	case "NumberInt", "NumberLong":
		n, ok := num(0)
		if !ok {
			return bad()
		}
		if name == "NumberInt" && (n < math.MinInt32 || n > math.MaxInt32) {
			return bad()
		}
		kind := map[string]string{"NumberInt": "$numberInt", "NumberLong": "$numberLong"}[name]
		return Value(`{"` + kind + `":"` + strconv.FormatInt(n, 10) + `"}`), nil
	case "NumberDecimal", "Decimal128":
		s, ok := str(0)
		if !ok {
			return bad()
		}
		q, _ := json.Marshal(s)
		return Value(`{"$numberDecimal":` + string(q) + `}`), nil
	case "Timestamp":
		t, okT := num(0)
		i, okI := num(1)
		if len(args) == 1 {
			// Timestamp({ t: 1, i: 2 })
			var parts struct {
				T, I json.RawMessage
			}
			if json.Unmarshal([]byte(args[0]), &parts) != nil {
				return bad()
			}
			t, okT = intOf(mustDecode(Value(parts.T)))
			i, okI = intOf(mustDecode(Value(parts.I)))
		}
		if !okT || !okI || t < 0 || i < 0 || t > math.MaxUint32 || i > math.MaxUint32 {
			return bad()
		}
		return Value(fmt.Sprintf(`{"$timestamp":{"t":%d,"i":%d}}`, t, i)), nil
	case "BinData":
		sub, okS := num(0)
		data, okD := str(1)
		if _, err := base64.StdEncoding.DecodeString(data); !okS || !okD || err != nil || sub < 0 || sub > 255 {
			return bad()
		}
		return Value(fmt.Sprintf(`{"$binary":{"base64":%q,"subType":"%02x"}}`, data, sub)), nil
	case "UUID":
		s, ok := str(0)
		raw, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
		if !ok || err != nil || len(raw) != 16 {
			return bad()
		}
		return Value(`{"$binary":{"base64":"` + base64.StdEncoding.EncodeToString(raw) + `","subType":"04"}}`), nil
	}
	p.pos = start
	return Missing, p.fail("unknown value %s", name)
}

// mustDecode decodes a value this parser produced; a failure yields nil.
func mustDecode(v Value) any {
	n, err := decode(v)
	if err != nil {
		return nil
	}
	return n
}
