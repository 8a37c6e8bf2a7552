package model

import (
	"cmp"
	"math"
	"math/big"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// compareNumbers compares two BSON numbers by exactNum value, whatever their types, as the server
// does (compare_numbers.h): -0 equals 0, NaN equals NaN (double or decimal) and sorts below
// every other number, and a long beyond 2^53 is not rounded to the nearest double.
func compareNumbers(a, b bson.RawValue) int {
	if a.Type != bson.TypeDecimal128 && b.Type != bson.TypeDecimal128 {
		ia, intA := rawInt(a)
		ib, intB := rawInt(b)
		switch {
		case intA && intB:
			return cmp.Compare(ia, ib)
		case intA:
			return compareLongToDouble(ia, rawDouble(b))
		case intB:
			return -compareLongToDouble(ib, rawDouble(a))
		}
		return compareDoubles(rawDouble(a), rawDouble(b))
	}
	if a.Type == b.Type {
		if c, ok := compareSameExponent(a.Value, b.Value); ok {
			return c
		}
	}
	if fa, fb := approxOf(a), approxOf(b); fa != 0 && fb != 0 && math.Abs(fa-fb) > 1e-9*max(math.Abs(fa), math.Abs(fb)) {
		return compareDoubles(fa, fb) // far apart: the approximations' error cannot reorder them
	}
	return compareExact(exactNumOf(a), exactNumOf(b))
}

// approxOf is a number as a double, within a relative error far below 1e-9, or 0 where that
// cannot be had cheaply (NaN, infinities, zero, decimals beyond the double range).
func approxOf(v bson.RawValue) float64 {
	var f float64
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64:
		i, _ := rawInt(v)
		f = float64(i)
	case bson.TypeDouble:
		f = rawDouble(v)
	case bson.TypeDecimal128:
		hi, lo := rawU64(rawSkip(v.Value, 8)), rawU64(v.Value)
		if hi&(3<<61) == 3<<61 {
			return 0
		}
		exp := int((hi>>49)&(1<<14-1)) - 6176
		if exp < -290 {
			return 0 // a power of ten near the subnormal range loses precision
		}
		f = (float64(hi&(1<<49-1))*(1<<64) + float64(lo)) * math.Pow10(exp)
		if hi>>63 == 1 {
			f = -f
		}
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	return f
}

// compareSameExponent compares two finite decimals of one exponent, the usual case for
// decimal _ids and amounts, by their 113-bit coefficients, without big numbers. ok is false
// for other pairs.
func compareSameExponent(x, y []byte) (c int, ok bool) {
	const special = 3 << 61 // both combination bits set: NaN, infinity or a non-canonical form
	hx, lx := rawU64(rawSkip(x, 8)), rawU64(x)
	hy, ly := rawU64(rawSkip(y, 8)), rawU64(y)
	if hx&special == special || hy&special == special || (hx>>49)&(1<<14-1) != (hy>>49)&(1<<14-1) {
		return 0, false
	}
	mask := uint64(1)<<49 - 1
	cx, cy := hx&mask, hy&mask
	if cx>>45 != 0 || cy>>45 != 0 {
		return 0, false // 2^109 or more, near 10^34: the exact path checks the range
	}
	zx, zy := cx == 0 && lx == 0, cy == 0 && ly == 0
	nx, ny := hx>>63 == 1 && !zx, hy>>63 == 1 && !zy
	if nx != ny || zx || zy {
		return cmp.Compare(decimalSign(nx, zx), decimalSign(ny, zy)), true
	}
	c = cmp.Compare(cx, cy)
	if c == 0 {
		c = cmp.Compare(lx, ly)
	}
	if nx {
		c = -c
	}
	return c, true
}

func decimalSign(neg, zero bool) int64 {
	switch {
	case zero:
		return 0
	case neg:
		return -1
	}
	return 1
}

func rawInt(v bson.RawValue) (int64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return int64(int32(rawU32(v.Value))), true
	case bson.TypeInt64:
		return int64(rawU64(v.Value)), true
	}
	return 0, false
}

func rawDouble(v bson.RawValue) float64 { return math.Float64frombits(rawU64(v.Value)) }

func compareDoubles(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return -1
	}
	return 1
}

// compareLongToDouble is exactNum: a double beyond ±2^53 has no fraction, and one beyond the
// long range is above or below every long.
func compareLongToDouble(l int64, d float64) int {
	const precise = 1 << 53
	switch {
	case math.IsNaN(d):
		return 1
	case l >= -precise && l <= precise:
		return compareDoubles(float64(l), d)
	case d >= 1<<63:
		return -1
	case d < -(1 << 63):
		return 1
	}
	return cmp.Compare(l, int64(d))
}

// exactNum is a number as sign, coefficient and power of ten, exactly; or NaN or an infinity.
type exactNum struct {
	class int // -2 NaN, -1 -Infinity, 0 finite, 1 +Infinity
	coef  *big.Int
	exp   int
}

// maxDecimalCoef is the largest coefficient a canonical decimal128 holds; larger ones mean zero.
var maxDecimalCoef = new(big.Int).Sub(new(big.Int).Exp(big.NewInt(10), big.NewInt(34), nil), big.NewInt(1))

func exactNumOf(v bson.RawValue) exactNum {
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64:
		i, _ := rawInt(v)
		return exactNum{coef: big.NewInt(i)}
	case bson.TypeDouble:
		return exactDouble(rawDouble(v))
	}
	hi, lo := rawU64(rawSkip(v.Value, 8)), rawU64(v.Value)
	d := bson.NewDecimal128(hi, lo)
	if d.IsNaN() {
		return exactNum{class: -2}
	}
	if inf := d.IsInf(); inf != 0 {
		return exactNum{class: inf}
	}
	coef, exp, err := d.BigInt()
	if err != nil || new(big.Int).Abs(coef).Cmp(maxDecimalCoef) > 0 {
		return exactNum{coef: new(big.Int)}
	}
	return exactNum{coef: coef, exp: exp}
}

// exactDouble writes a double m·2^e as (m·5^-e)·10^e, which is exactNum.
func exactDouble(f float64) exactNum {
	switch {
	case math.IsNaN(f):
		return exactNum{class: -2}
	case math.IsInf(f, 1):
		return exactNum{class: 1}
	case math.IsInf(f, -1):
		return exactNum{class: -1}
	case f == 0:
		return exactNum{coef: new(big.Int)}
	}
	frac, e := math.Frexp(f)
	m := big.NewInt(int64(frac * (1 << 53)))
	e -= 53
	if e >= 0 {
		return exactNum{coef: m.Lsh(m, uint(e))}
	}
	five := new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(-e)), nil)
	return exactNum{coef: m.Mul(m, five), exp: e}
}

func compareExact(a, b exactNum) int {
	if a.class != 0 || b.class != 0 {
		return cmp.Compare(int64(a.class), int64(b.class)) // NaN < -Inf < finite < +Inf
	}
	sa, sb := a.coef.Sign(), b.coef.Sign()
	if sa != sb {
		return cmp.Compare(int64(sa), int64(sb))
	}
	if sa == 0 {
		return 0
	}
	return sa * compareMagnitude(a, b)
}

// compareMagnitude compares |a| and |b|, both non-zero: by the power of ten of their leading
// digit, then, aligned to one exponent (which differ by no more than their digit counts), by
// coefficient.
func compareMagnitude(a, b exactNum) int {
	ca, cb := new(big.Int).Abs(a.coef), new(big.Int).Abs(b.coef)
	da, db := len(ca.Text(10)), len(cb.Text(10))
	if c := cmp.Compare(int64(a.exp+da), int64(b.exp+db)); c != 0 {
		return c
	}
	ten := big.NewInt(10)
	if a.exp > b.exp {
		ca.Mul(ca, new(big.Int).Exp(ten, big.NewInt(int64(a.exp-b.exp)), nil))
	} else if b.exp > a.exp {
		cb.Mul(cb, new(big.Int).Exp(ten, big.NewInt(int64(b.exp-a.exp)), nil))
	}
	return ca.Cmp(cb)
}
