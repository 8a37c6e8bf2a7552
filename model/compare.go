package model

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Compare orders two values as MongoDB sorts them: first by type class (MinKey, null,
// numbers, strings, documents, arrays, binary, ObjectId, bool, date, timestamp, regex, MaxKey),
// then by value. Numbers of different BSON types compare by numeric value. It returns -1, 0 or
// +1. Rules use it to pick the max or min of a field; it need not match the server on exotic
// types (code, symbol), which compare by their JSON text.
func Compare(a, b Value) int {
	if a == b {
		return 0
	}
	na, errA := decode(a)
	nb, errB := decode(b)
	if errA != nil || errB != nil {
		return strings.Compare(string(a), string(b))
	}
	return compareNodes(na, nb)
}

// Type ranks of MongoDB's cross-type sort order.
const (
	rankMinKey = iota
	rankNull
	rankNumber
	rankString
	rankObject
	rankArray
	rankBinary
	rankObjectID
	rankBool
	rankDate
	rankTimestamp
	rankRegex
	rankOther
	rankMaxKey
)

func rankOf(n any) int {
	switch t := n.(type) {
	case nil:
		return rankNull
	case bool:
		return rankBool
	case string:
		return rankString
	case json.Number:
		return rankNumber
	case []any:
		return rankArray
	case object:
		return rankObject
	case map[string]any:
		switch {
		case has(t, "$minKey"):
			return rankMinKey
		case has(t, "$maxKey"):
			return rankMaxKey
		case has(t, "$undefined"):
			return rankNull
		case has(t, "$numberInt"), has(t, "$numberLong"), has(t, "$numberDouble"), has(t, "$numberDecimal"):
			return rankNumber
		case has(t, "$symbol"):
			return rankString
		case has(t, "$binary"):
			return rankBinary
		case has(t, "$oid"):
			return rankObjectID
		case has(t, "$date"):
			return rankDate
		case has(t, "$timestamp"):
			return rankTimestamp
		case has(t, "$regularExpression"):
			return rankRegex
		}
		return rankOther
	}
	return rankOther
}

func compareNodes(a, b any) int {
	ra, rb := rankOf(a), rankOf(b)
	if ra != rb {
		return cmpInt(int64(ra), int64(rb))
	}
	switch ra {
	case rankNull, rankMinKey, rankMaxKey:
		return 0
	case rankNumber:
		return compareNumbers(a, b)
	case rankString:
		return strings.Compare(stringOf(a), stringOf(b))
	case rankBool:
		return cmpInt(boolInt(a.(bool)), boolInt(b.(bool)))
	case rankObjectID:
		return strings.Compare(a.(map[string]any)["$oid"].(string), b.(map[string]any)["$oid"].(string))
	case rankDate:
		ma, _ := dateMillis(a.(map[string]any))
		mb, _ := dateMillis(b.(map[string]any))
		return cmpInt(ma, mb)
	case rankArray:
		xa, xb := a.([]any), b.([]any)
		for i := 0; i < len(xa) && i < len(xb); i++ {
			if c := compareNodes(xa[i], xb[i]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(xa)), int64(len(xb)))
	case rankObject:
		oa, ob := a.(object), b.(object)
		for i := 0; i < len(oa.keys) && i < len(ob.keys); i++ {
			if c := compareNodes(oa.vals[i], ob.vals[i]); c != 0 {
				return c
			}
			if c := strings.Compare(oa.keys[i], ob.keys[i]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(oa.keys)), int64(len(ob.keys)))
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return strings.Compare(string(ja), string(jb))
}

func stringOf(n any) string {
	if s, ok := n.(string); ok {
		return s
	}
	s, _ := n.(map[string]any)["$symbol"].(string)
	return s
}

// compareNumbers compares exactly when both are integers, else as float64 (NaN lowest, as
// MongoDB sorts it).
func compareNumbers(a, b any) int {
	ia, intA := intOf(a)
	ib, intB := intOf(b)
	if intA && intB {
		return cmpInt(ia, ib)
	}
	fa, fb := floatOf(a), floatOf(b)
	switch {
	case math.IsNaN(fa) && math.IsNaN(fb):
		return 0
	case math.IsNaN(fa):
		return -1
	case math.IsNaN(fb):
		return 1
	case fa < fb:
		return -1
	case fa > fb:
		return 1
	}
	return 0
}

func numString(n any) string {
	switch t := n.(type) {
	case json.Number:
		return t.String()
	case map[string]any:
		for _, k := range []string{"$numberInt", "$numberLong", "$numberDouble", "$numberDecimal"} {
			if s, ok := t[k].(string); ok {
				return s
			}
		}
	}
	return "NaN"
}

func intOf(n any) (int64, bool) {
	i, err := strconv.ParseInt(numString(n), 10, 64)
	return i, err == nil
}

func floatOf(n any) float64 {
	s := numString(n)
	switch s {
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
