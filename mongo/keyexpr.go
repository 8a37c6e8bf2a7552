package mongo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// keysExpr compiles a key into one aggregation expression that yields, for the document it
// runs on, MongoDB's B-tree index keys (model.IndexKeys): {t: [tuple…], e: bool}. A tuple is
// {k0: value, u0: true where the value is undefined (an empty array), f0: found, …}; e is set
// where MongoDB refuses to index the document (parallel arrays, 16746).
//
// It mirrors the key generator (btree_key_generator.cpp) over a trie of the key's paths:
// at one level (a document, or an element of an array being expanded) every field walks down
// through documents until it meets an array; at most one array may be met per level unless
// the fields share it, and a shared array expands element by element. A numeric part right
// after an array picks that position when it exists.
//
// Three engines must run it, so it keeps to what all of them have: no $let, $switch or $type
// (mongo-java-server lacks them), no array literal holding an expression (mongo-java-server
// does not evaluate them), no missing value put into an array (it drops the connection), and
// every $cond is safe to evaluate on both branches (DocumentDB evaluates both).
type keysCompiler struct {
	key    model.Key
	sparse bool
	vars   int
	// typeOp: the engine has $type, so a missing value can become null while BSON undefined
	// stays itself ($ifNull takes both for null; the index keys undefined like []).
	typeOp bool
}

// trie is one path prefix: the fields ending there and the longer paths below.
type trie struct {
	ends  []int // key field indexes whose path ends here
	under []int // key field indexes whose path goes on below
	kids  []*trie
	part  string
}

func buildTrie(fields []string) *trie {
	root := &trie{}
	for i, f := range fields {
		n := root
		for _, p := range strings.Split(f, ".") {
			n.under = append(n.under, i)
			var next *trie
			for _, k := range n.kids {
				if k.part == p {
					next = k
				}
			}
			if next == nil {
				next = &trie{part: p}
				n.kids = append(n.kids, next)
			}
			n = next
		}
		n.ends = append(n.ends, i)
	}
	return root
}

func e1(op string, v any) bson.D { return bson.D{{Key: op, Value: v}} }

func cond(c, a, b any) bson.D { return e1("$cond", bson.A{c, a, b}) }

func isObject(x any) bson.D {
	// No $type on every engine; in BSON order documents sort after strings and before arrays.
	return e1("$and", bson.A{
		e1("$gte", bson.A{x, e1("$literal", bson.D{})}),
		e1("$lt", bson.A{x, e1("$literal", bson.A{})}),
	})
}

// arrayOr is x when x is an array, else []: the input of a $map that DocumentDB evaluates
// even where the $cond around it says x is no array.
func arrayOr(x any) bson.D { return cond(e1("$isArray", x), x, e1("$literal", bson.A{})) }

// single is [x], built so mongo-java-server evaluates x; x must not be missing.
// Every variable gets a name of its own: mongo-java-server refuses a nested $map that reuses one.
func (c *keysCompiler) single(x any) bson.D {
	return e1("$map", bson.D{{Key: "input", Value: e1("$literal", bson.A{0})}, {Key: "as", Value: c.newVar("z")}, {Key: "in", Value: x}})
}

func (c *keysCompiler) newVar(prefix string) string {
	c.vars++
	return prefix + strconv.Itoa(c.vars)
}

// bind evaluates x once and gives it a name in body (a $let for engines without one).
func (c *keysCompiler) bind(x any, name string, body any) bson.D {
	return e1("$arrayElemAt", bson.A{
		e1("$map", bson.D{{Key: "input", Value: c.single(x)}, {Key: "as", Value: name}, {Key: "in", Value: body}}),
		0,
	})
}

// exists tells whether document d (a variable) holds field name, null included.
func (c *keysCompiler) exists(d, name string) bson.D {
	kv := c.newVar("p")
	return e1("$in", bson.A{name, e1("$map", bson.D{
		{Key: "input", Value: e1("$objectToArray", cond(isObject(d), d, e1("$literal", bson.D{})))},
		{Key: "as", Value: kv}, {Key: "in", Value: "$$" + kv + ".k"},
	})})
}

// concatAll flattens an array of arrays.
func concatAll(arrays any) bson.D {
	return e1("$reduce", bson.D{{Key: "input", Value: arrays}, {Key: "initialValue", Value: e1("$literal", bson.A{})},
		{Key: "in", Value: e1("$concatArrays", bson.A{"$$value", "$$this"})}})
}

// cross is every tuple of a merged with every tuple of b (both arrays of partial tuples).
func (c *keysCompiler) cross(a, b any) bson.D {
	v := c.newVar("x")
	return e1("$reduce", bson.D{{Key: "input", Value: a}, {Key: "initialValue", Value: e1("$literal", bson.A{})},
		{Key: "in", Value: e1("$concatArrays", bson.A{"$$value", e1("$map", bson.D{
			{Key: "input", Value: b}, {Key: "as", Value: v},
			{Key: "in", Value: e1("$mergeObjects", bson.A{"$$this", "$$" + v})},
		})})}})
}

func cell(i int) string { return "k" + strconv.Itoa(i) }

// tuple is the partial tuple for fields ends holding value (an expression, never missing)
// with found flag, and fields under null and not found: a document expression.
func (c *keysCompiler) tuple(ends []int, value, found any, undefined bool, under []int) bson.D {
	var d bson.D
	for _, i := range ends {
		d = append(d, bson.E{Key: cell(i), Value: value})
		if undefined {
			d = append(d, bson.E{Key: "u" + strconv.Itoa(i), Value: true})
		}
		if c.sparse {
			d = append(d, bson.E{Key: "f" + strconv.Itoa(i), Value: found})
		}
	}
	for _, i := range under {
		d = append(d, bson.E{Key: cell(i), Value: nil})
		if c.sparse {
			d = append(d, bson.E{Key: "f" + strconv.Itoa(i), Value: false})
		}
	}
	return d
}

// value compiles the keys of node n whose value is v (an expression, maybe missing): found
// says whether the field exists (used by sparse), nested whether v is an array reached by a
// position inside an array (MongoDB then keys the whole array, not its elements).
func (c *keysCompiler) value(n *trie, v any, found any, nested any) bson.D {
	x := c.newVar("v")
	X := "$$" + x
	if c.typeOp {
		// Bound inside a document: DocumentDB's $map turns an undefined it yields into null.
		X += ".v"
	}
	arr := arrayOr(X)
	// An empty array: undefined where the path ends, null (not found) where it goes on.
	empty := e1("$literal", bson.D{{Key: "t", Value: bson.A{c.tuple(n.ends, nil, true, true, n.under)}}, {Key: "h", Value: true}, {Key: "e", Value: false}})
	// A non-empty array: each element is a level of its own.
	el, lv, all := c.newVar("e"), c.newVar("l"), c.newVar("a")
	elDoc := cond(isObject("$$"+el), "$$"+el, e1("$literal", bson.D{}))
	var endValue any = "$$" + el
	if nested != nil {
		endValue = cond(nested, X, endValue)
	}
	perElem := c.bind(c.level(n, elDoc, arr), lv, bson.D{
		{Key: "t", Value: c.withEnds(n, endValue, true, "$$"+lv+".t")},
		{Key: "e", Value: "$$" + lv + ".e"},
	})
	elems := e1("$map", bson.D{{Key: "input", Value: arr}, {Key: "as", Value: el}, {Key: "in", Value: perElem}})
	tv, ev := c.newVar("q"), c.newVar("q")
	nonEmpty := c.bind(elems, all, bson.D{
		{Key: "t", Value: concatAll(e1("$map", bson.D{{Key: "input", Value: "$$" + all}, {Key: "as", Value: tv}, {Key: "in", Value: "$$" + tv + ".t"}}))},
		{Key: "h", Value: true},
		{Key: "e", Value: e1("$anyElementTrue", bson.A{e1("$map", bson.D{{Key: "input", Value: "$$" + all}, {Key: "as", Value: ev}, {Key: "in", Value: "$$" + ev + ".e"}})})},
	})
	isArr := cond(e1("$eq", bson.A{e1("$size", arr), 0}), empty, nonEmpty)
	// A document: the fields below are looked up in it, at this same level.
	ol := c.newVar("l")
	isObj := c.bind(c.level(n, X, nil), ol, bson.D{
		{Key: "t", Value: c.withEnds(n, X, true, "$$"+ol+".t")},
		{Key: "h", Value: "$$" + ol + ".h"},
		{Key: "e", Value: "$$" + ol + ".e"},
	})
	// Anything else, missing included: the value where the path ends, null below.
	scalar := bson.D{{Key: "t", Value: c.single(c.tuple(n.ends, c.normalise(X), found, false, n.under))}, {Key: "h", Value: false}, {Key: "e", Value: false}}
	if len(n.ends) == 0 && len(n.kids) > 0 {
		scalar[0].Value = e1("$literal", bson.A{c.tuple(nil, nil, nil, false, n.under)})
	}
	body := cond(e1("$isArray", X), isArr, cond(isObject(X), isObj, scalar))
	if c.typeOp {
		return c.bind(bson.D{{Key: "v", Value: cond(e1("$eq", bson.A{e1("$type", v), "missing"}), nil, v)}}, x, body)
	}
	return c.bind(e1("$ifNull", bson.A{v, nil}), x, body)
}

// withEnds is the tuples below (an array expression) each extended with this node's ending
// fields holding value.
func (c *keysCompiler) withEnds(n *trie, value, found any, below any) any {
	if len(n.ends) == 0 {
		return below
	}
	return c.cross(c.single(c.tuple(n.ends, c.normalise(value), found, false, nil)), below)
}

// level compiles the keys of node n's children looked up in document d (an expression); arr,
// when not nil, is the array d is an element of, for positional parts.
func (c *keysCompiler) level(n *trie, d any, arr any) bson.D {
	if len(n.kids) == 0 {
		return e1("$literal", bson.D{{Key: "t", Value: bson.A{bson.D{}}}, {Key: "h", Value: false}, {Key: "e", Value: false}})
	}
	// The document itself is read by plain field paths, never bound to a variable:
	// mongo-java-server keeps variables as fields of the document, so $$ROOT held in one
	// shows them and breaks.
	root := d == "$$ROOT"
	dv := c.newVar("d")
	D, prefix := "$$"+dv, "$$"+dv+"."
	if root {
		D, prefix = "$$ROOT", "$"
	}
	var names []string
	var errs bson.A
	var results []any
	for _, k := range n.kids {
		var found any = true
		if c.sparse {
			found = c.exists(D, k.part)
		}
		r := any(c.value(k, prefix+k.part, found, nil))
		if idx, ok := position(k.part); ok && arr != nil {
			at := e1("$arrayElemAt", bson.A{arr, idx})
			there := e1("$gt", bson.A{e1("$size", arr), idx})
			r = cond(there, c.value(k, at, true, e1("$isArray", at)), r)
			// 16746: the position exists and the element also holds a field of that name.
			errs = append(errs, e1("$and", bson.A{there, c.exists(D, k.part)}))
		}
		names = append(names, c.newVar("r"))
		results = append(results, r)
	}
	var hs, es bson.A
	var t any
	for i, nm := range names {
		R := "$$" + nm
		hs = append(hs, R+".h")
		es = append(es, R+".e")
		if i == 0 {
			t = R + ".t"
		} else {
			t = c.cross(t, R+".t")
		}
	}
	// Two children meeting an array at this level: parallel arrays.
	for i := range hs {
		for j := i + 1; j < len(hs); j++ {
			es = append(es, e1("$and", bson.A{hs[i], hs[j]}))
		}
	}
	es = append(es, errs...)
	var body any = bson.D{{Key: "t", Value: t}, {Key: "h", Value: e1("$or", hs)}, {Key: "e", Value: e1("$or", es)}}
	for i := len(names) - 1; i >= 0; i-- {
		body = c.bind(results[i], names[i], body)
	}
	if root {
		return body.(bson.D)
	}
	return c.bind(d, dv, body)
}

// position reads a path part MongoDB may take as an array position: a decimal index without
// leading zeros (an array's field names).
func position(p string) (int, bool) {
	if p == "" || len(p) > 9 || (p[0] == '0' && len(p) > 1) {
		return 0, false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, _ := strconv.Atoi(p)
	return n, true
}

// normalise is the expression for one key value: itself, or when asked the string trimmed and
// lower-cased. Only strings: $toLower would turn the number 5 into the string "5" and make it
// collide with "5"; $trim fails on non-strings, even in a branch not taken (DocumentDB).
func (c *keysCompiler) normalise(v any) any {
	if !c.key.IgnoreCase && !c.key.Trim {
		return v
	}
	// "Is a string" without $type (absent from some servers): in BSON order every string
	// sorts at or after "" and before any document.
	isString := e1("$and", bson.A{e1("$gte", bson.A{v, ""}), e1("$lt", bson.A{v, e1("$literal", bson.D{})})})
	var s any = cond(isString, v, "")
	if c.key.Trim {
		s = e1("$trim", bson.D{{Key: "input", Value: s}})
	}
	if c.key.IgnoreCase {
		s = e1("$toLower", s)
	}
	return cond(isString, s, v)
}

// checkParts refuses paths an aggregation field path cannot walk.
func checkParts(fields []string) error {
	for _, f := range fields {
		for _, p := range strings.Split(f, ".") {
			if strings.HasPrefix(p, "$") {
				return fmt.Errorf("field %q: the scan cannot follow a path part starting with '$'", f)
			}
		}
	}
	return nil
}

// keysStage is the $project that puts the document's key tuples in k: [{x: true}] where
// MongoDB refuses to index it.
func keysStage(key model.Key, e Engine) bson.D {
	c := &keysCompiler{key: key, sparse: key.Sparse, typeOp: e.TypeOp}
	r := c.level(buildTrie(key.Fields), "$$ROOT", nil)
	return e1("$project", bson.D{{Key: "k", Value: c.bind(r, "root", cond("$$root.e", e1("$literal", bson.A{bson.D{{Key: "x", Value: true}}}), "$$root.t"))}})
}
