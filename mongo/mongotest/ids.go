package mongotest

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// IDKind is one BSON type a collection's _id can hold. Asc holds three values of it in
// ascending MongoDB order, chosen where a naive order differs (binary by length before bytes,
// timestamps unsigned, dates signed, documents field name before value, strings by bytes), so
// a test that inserts them out of order sees whether "first by _id" is MongoDB's first. Make
// gives the n-th of many distinct values of the kind, for generators.
type IDKind struct {
	Name string
	Asc  [3]any
	Make func(n int) any
}

// IDKinds is every _id type the tests cover: ObjectId, UUID (binary subtypes 4 and 3), generic
// binary, string, int32, int64, double, decimal128, date, timestamp and a sub-document.
var IDKinds = []IDKind{
	{Name: "objectId",
		Asc: [3]any{oid(0x00, 0xff), oid(0x01, 0x00), oid(0xff, 0x00)},
		Make: func(n int) any {
			var id bson.ObjectID
			binary.BigEndian.PutUint64(id[4:], uint64(n))
			return id
		}},
	{Name: "uuid4",
		Asc:  [3]any{uuid(4, 0x00, 0xff), uuid(4, 0x01, 0x00), uuid(4, 0xff, 0x00)},
		Make: func(n int) any { return uuidN(4, n) }},
	{Name: "uuid3",
		Asc:  [3]any{uuid(3, 0x00, 0xff), uuid(3, 0x7f, 0x00), uuid(3, 0x80, 0x00)},
		Make: func(n int) any { return uuidN(3, n) }},
	// Binary orders by length first: the short one sorts first though its bytes are greater.
	{Name: "binary",
		Asc: [3]any{bson.Binary{Data: []byte{0xff, 0xff}}, bson.Binary{Data: []byte{0x00, 0x00, 0x00}},
			bson.Binary{Data: []byte{0x00, 0x00, 0x01}}},
		Make: func(n int) any {
			return bson.Binary{Data: binary.BigEndian.AppendUint32([]byte{byte(n % 3)}, uint32(n))}
		}},
	// Strings by bytes: upper case before lower case, a prefix before its extensions.
	{Name: "string",
		Asc:  [3]any{"B", "a", "ab"},
		Make: func(n int) any { return fmt.Sprintf("id-%d", n) }},
	{Name: "int32",
		Asc:  [3]any{int32(-10), int32(2), int32(10)},
		Make: func(n int) any { return int32(n) }},
	{Name: "int64",
		Asc:  [3]any{int64(math.MinInt64), int64(2), int64(1) << 53},
		Make: func(n int) any { return int64(1)<<40 + int64(n) }},
	// Doubles in exponent form and a fraction.
	{Name: "double",
		Asc:  [3]any{-1e300, 5e-5, 1e6},
		Make: func(n int) any { return float64(n) + 0.5 }},
	{Name: "decimal",
		Asc:  [3]any{decimal("-1E+3"), decimal("0.10"), decimal("2")},
		Make: func(n int) any { return decimal(fmt.Sprintf("%d.25", n)) }},
	// Dates are signed: before 1970 sorts first.
	{Name: "date",
		Asc: [3]any{bson.DateTime(-1000), bson.NewDateTimeFromTime(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)),
			bson.NewDateTimeFromTime(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))},
		Make: func(n int) any { return bson.DateTime(1_600_000_000_000 + int64(n)) }},
	// Timestamps are unsigned: a seconds field past 2^31 sorts last.
	{Name: "timestamp",
		Asc:  [3]any{bson.Timestamp{T: 5, I: 9}, bson.Timestamp{T: 6, I: 1}, bson.Timestamp{T: 1<<31 + 1, I: 0}},
		Make: func(n int) any { return bson.Timestamp{T: 1_700_000_000, I: uint32(n)} }},
	// Documents compare field name before value.
	{Name: "document",
		Asc: [3]any{bson.D{{Key: "a", Value: int32(1)}, {Key: "b", Value: int32(9)}},
			bson.D{{Key: "a", Value: int32(1)}, {Key: "c", Value: int32(0)}},
			bson.D{{Key: "b", Value: int32(0)}}},
		Make: func(n int) any { return bson.D{{Key: "n", Value: int32(n)}, {Key: "s", Value: "x"}} }},
}

// IDKindNamed returns the kind of that name; it panics on a name not in IDKinds.
func IDKindNamed(name string) IDKind {
	for _, k := range IDKinds {
		if k.Name == name {
			return k
		}
	}
	panic("mongotest: no _id kind " + name)
}

func oid(first, last byte) bson.ObjectID {
	var id bson.ObjectID
	id[0], id[11] = first, last
	return id
}

func uuid(subtype, first, last byte) bson.Binary {
	b := make([]byte, 16)
	b[0], b[15] = first, last
	return bson.Binary{Subtype: subtype, Data: b}
}

func uuidN(subtype byte, n int) bson.Binary {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b[8:], uint64(n))
	b[6] = 0x40 // version 4, as a real UUID
	return bson.Binary{Subtype: subtype, Data: b}
}

func decimal(s string) bson.Decimal128 {
	d, err := bson.ParseDecimal128(s)
	if err != nil {
		panic(err)
	}
	return d
}
