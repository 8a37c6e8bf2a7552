package model

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Display renders the value the way mongosh prints it: ObjectId('…'), ISODate('…'), plain
// numbers, quoted strings, { a: 1 } for documents. The form follows the BSON type the driver
// read, never the look of the text: a document whose field is named "$oid" is a document.
// Each type has this one form, whatever the width it is shown in, and the result is safe to
// print: control, C1 and bidi characters in strings and field names are escaped (SafeText).
// Text the driver cannot read (a hand-edited plan file) is shown as it is, escaped.
func (v Value) Display() string {
	if v == Missing {
		return "(missing)"
	}
	rv, err := v.Raw()
	if err != nil {
		return SafeText(string(v))
	}
	var b strings.Builder
	writeDisplay(&b, rv, false)
	return b.String()
}

// ObjectIDTime returns the creation time embedded in an ObjectId value.
func (v Value) ObjectIDTime() (time.Time, bool) {
	if v == Missing {
		return time.Time{}, false
	}
	rv, err := v.Raw()
	if err != nil || rv.Type != bson.TypeObjectID {
		return time.Time{}, false
	}
	return rv.ObjectID().Timestamp().UTC(), true
}

// writeDisplay writes one driver value; typed writes numbers with their type (Int32(5),
// Long(5), Double(5.0)), for values that differ only there.
func writeDisplay(b *strings.Builder, rv bson.RawValue, typed bool) {
	switch rv.Type {
	case bson.TypeEmbeddedDocument:
		elems, _ := bson.Raw(rv.Value).Elements() // validated when the driver read it
		if len(elems) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{ ")
		for i, e := range elems {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(SafeText(e.Key()))
			b.WriteString(": ")
			writeDisplay(b, e.Value(), typed)
		}
		b.WriteString(" }")
	case bson.TypeArray:
		vals, _ := bson.Raw(rv.Value).Values()
		b.WriteByte('[')
		for i, e := range vals {
			if i > 0 {
				b.WriteString(", ")
			}
			writeDisplay(b, e, typed)
		}
		b.WriteByte(']')
	case bson.TypeString:
		writeQuoted(b, rv.StringValue())
	case bson.TypeInt32:
		writeNumber(b, strconv.FormatInt(int64(rv.Int32()), 10), "Int32", typed)
	case bson.TypeInt64:
		writeNumber(b, strconv.FormatInt(rv.Int64(), 10), "Long", typed)
	case bson.TypeDouble:
		writeNumber(b, displayDouble(rv.Double()), "Double", typed)
	case bson.TypeDecimal128:
		// The driver's String is the canonical form: 1E3 shows as 1E+3, "nan" as NaN.
		b.WriteString("Decimal128('" + rv.Decimal128().String() + "')")
	default:
		writeScalar(b, rv)
	}
}

// writeScalar writes the types that have one form, typed or not.
func writeScalar(b *strings.Builder, rv bson.RawValue) {
	switch rv.Type {
	case bson.TypeNull:
		b.WriteString("null")
	case bson.TypeUndefined:
		b.WriteString("undefined")
	case bson.TypeBoolean:
		b.WriteString(strconv.FormatBool(rv.Boolean()))
	case bson.TypeObjectID:
		b.WriteString("ObjectId('" + rv.ObjectID().Hex() + "')")
	case bson.TypeDateTime:
		b.WriteString("ISODate('" + displayDate(rv.DateTime()) + "')")
	case bson.TypeBinary:
		sub, data := rv.Binary()
		b.WriteString(displayBinary(sub, data))
	case bson.TypeTimestamp:
		t, i := rv.Timestamp()
		b.WriteString("Timestamp({ t: " + strconv.FormatUint(uint64(t), 10) + ", i: " + strconv.FormatUint(uint64(i), 10) + " })")
	case bson.TypeRegex:
		pattern, options := rv.Regex()
		b.WriteString("/" + SafeText(pattern) + "/" + SafeText(options))
	case bson.TypeMinKey:
		b.WriteString("MinKey()")
	case bson.TypeMaxKey:
		b.WriteString("MaxKey()")
	case bson.TypeSymbol:
		b.WriteString("Symbol(")
		writeQuoted(b, rv.Symbol())
		b.WriteString(")")
	case bson.TypeJavaScript:
		b.WriteString("Code(")
		writeQuoted(b, rv.JavaScript())
		b.WriteString(")")
	case bson.TypeCodeWithScope:
		code, scope := rv.CodeWithScope()
		b.WriteString("Code(")
		writeQuoted(b, code)
		b.WriteString(", ")
		writeDisplay(b, bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: scope}, false)
		b.WriteString(")")
	case bson.TypeDBPointer:
		ns, oid := rv.DBPointer()
		b.WriteString("DBPointer(")
		writeQuoted(b, ns)
		b.WriteString(", ObjectId('" + oid.Hex() + "'))")
	default:
		b.WriteString("?")
	}
}

func writeNumber(b *strings.Builder, text, constructor string, typed bool) {
	if typed {
		b.WriteString(constructor + "(" + text + ")")
		return
	}
	b.WriteString(text)
}

// displayDouble writes a double as JavaScript does (1000000, 0.00005, 1e+300), with ".0" on
// an integral value so that a double stays visibly different from an integer.
func displayDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0 && math.Signbit(f):
		return "-0.0"
	}
	if a := math.Abs(f); a == 0 || a >= 1e-6 && a < 1e21 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	// JavaScript's exponent form: 1e+300, 5e-7 (no leading zero in the exponent).
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	sign, digits := exp[:1], strings.TrimLeft(exp[1:], "0")
	return mant + "e" + sign + digits
}

// displayDate is an ISODate's text; years outside 0–9999, which ISO 8601 cannot write in
// four digits, keep Go's signed form.
func displayDate(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// displayBinary shows subtype 4 of 16 bytes as the UUID it is, other binaries as base64
// with their subtype in hex.
func displayBinary(sub byte, data []byte) string {
	if sub == bson.TypeBinaryUUID && len(data) == 16 {
		h := hex.EncodeToString(data)
		return "UUID('" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] + "')"
	}
	return "Binary('" + base64.StdEncoding.EncodeToString(data) + "', " + hex.EncodeToString([]byte{sub}) + ")"
}

// KeyText is a group's key values as the batch outputs and the report print them: the value
// for a one-field key, "(a, b)" for a compound one.
func KeyText(vals []Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = v.Display()
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
