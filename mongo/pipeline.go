package mongo

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// MaxGroupIDs caps the _ids a scan lists per group. MongoDB refuses any result document over
// 16 MB, and one group of many documents (typically the null group: every document lacking
// the key) could pass it; 100 000 ObjectIds take about 2 MB. A group cut short still reports
// its true count (see Cursor.Oversized).
const MaxGroupIDs = 100_000

// Pipeline builds the aggregation that finds a key's duplicate groups, with exactly the
// semantics of a unique index on the key (DESIGN.md §2, model.IndexKeys), as run on MongoDB.
// Its output documents are {_id: group key, ids: [_id…], n: count}: at most MaxGroupIDs ids,
// in no particular order and possibly repeated (a document holding one value twice in an
// array), n counting them all; the Cursor sorts and dedupes them. Groups come in key order.
// An index keys BSON undefined like an empty array, apart from null: both are MaxKey (plain
// shape) or u (tuple shape) in the group key. On an engine whose $group compares unlike the
// index (Engine.GroupSplits, GroupMerges), groups of one with a suspect key are kept too, and
// on mongo-java-server each member's key comes in ks: the Cursor regroups (scanexact.go).
//
// Two shapes, the same groups:
//   - one plain top-level field (the common case) stays close to the bare
//     {$group: {_id: "$f", ids: {$push: "$_id"}}}: $unwind the field keeping documents without
//     it, then group by the value. An index keys an empty array as undefined, which $unwind
//     would lose among the missing: a flag taken before the unwind keeps it apart, as MaxKey in
//     the group key, with undefined itself; a real MaxKey or an array value is wrapped in [ ]
//     so no key is ambiguous;
//   - anything else (dotted paths, several fields, positions) computes every document's index
//     keys with keysExpr, unwinds them and groups by the whole tuple; documents MongoDB cannot
//     index form one group of their own, {_id: {x: true}}, listed first.
//
// A whole-document key (model/wholedoc.go) groups by the document itself: see wholeStages.
//
// Before all of them, $match keeps the user's filter, the index's partial filter, and for a sparse
// index the documents holding a key field. Collation is not a stage: it travels in the
// aggregate options (see aggregateOptions), and the comparisons compare under it.
func Pipeline(key model.Key) (bson.A, error) {
	return pipeline(key, MaxGroupIDs, Engine{Name: EngineMongoDB, LazyCond: true, Collation: true, TypeOp: true,
		TrimOp: true, ArrayGroupKeys: true}, false)
}

// PipelineFor is the scan's pipeline as dupes sends it to an engine (EngineOf): the
// benchmarks' floor runs what the engine can run, which on mongo-java-server is not
// MongoDB's form.
func PipelineFor(key model.Key, e Engine) (bson.A, error) {
	return pipeline(key, MaxGroupIDs, e, false)
}

// plainKey reports whether the group _id is one value rather than a tuple: one top-level
// field, which needs no key generator, or a whole document.
func plainKey(key model.Key) bool {
	return key.WholeDocument || len(key.Fields) == 1 && !strings.Contains(key.Fields[0], ".")
}

// plainInDoc reports whether a plain key's group _id may sit inside a document, {k: value}:
// mongo-java-server groups an array _id as if by its elements, so the wrapped [value] of a
// nested array would merge with other groups there. Only values from documents up in BSON
// order are wrapped (documents, arrays, ObjectIds, dates, MaxKey…): null, numbers and strings,
// which sort below every document, stay bare and cannot equal a wrapped value. Wrapping every
// _id made the emulator's $group 1.4x slower (BENCHMARKS.md, target 2); one $gte decides it.
func plainInDoc(key model.Key, e Engine) bool {
	return !e.ArrayGroupKeys && !key.WholeDocument
}

// pipeline builds the scan; mark adds to each group m: true when a member gave more than one
// index key (see model.Group.Multikey): in the plain shape, a value that is an array of more
// than one element; in the tuple shape, a document with more than one tuple. A whole-document
// key never needs it.
func pipeline(key model.Key, maxIDs int, e Engine, mark bool) (bson.A, error) {
	if err := key.Validate(); err != nil {
		return nil, err
	}
	if err := checkParts(key.Fields); err != nil {
		return nil, err
	}
	if maxIDs <= 0 {
		maxIDs = MaxGroupIDs
	}
	var p bson.A
	var suspects []any // the group key's values, for keepSuspect
	if match, err := scanMatch(key); err != nil {
		return nil, err
	} else if len(match) > 0 {
		p = append(p, bson.D{{Key: "$match", Value: match}})
	}
	ids := bson.D{{Key: "$push", Value: "$_id"}}
	count := bson.D{{Key: "$sum", Value: 1}}
	keep := bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: 1}}}}
	order := bson.D{{Key: "_id", Value: 1}}
	out := bson.D{{Key: "ids", Value: e1("$slice", bson.A{"$ids", maxIDs})}, {Key: "n", Value: 1}}
	mark = mark && !key.WholeDocument
	if mark {
		out = append(out, bson.E{Key: "m", Value: 1})
	}
	if key.WholeDocument {
		p = append(p, wholeStages(key, ids, count)...)
	} else if plainKey(key) {
		f := "$" + key.Fields[0]
		c := &keysCompiler{key: key}
		// $ifNull: the group key of a missing value must be null, as the index has it
		// (DocumentDB would give a group without _id).
		k := c.normalise(e1("$ifNull", bson.A{"$k", nil}))
		maxKey := e1("$literal", bson.MaxKey{})
		wrap := e1("$or", bson.A{e1("$isArray", "$k"), e1("$eq", bson.A{"$k", maxKey})})
		// Undefined (an empty array, or BSON undefined itself) keys apart from null, as MaxKey.
		var undef any = "$u"
		if e.TypeOp {
			undef = e1("$or", bson.A{"$u", isUndefined("$k")})
		}
		var id any = cond(undef, maxKey, cond(wrap, bson.A{"$k"}, k))
		if plainInDoc(key, e) {
			wide := e1("$gte", bson.A{"$k", e1("$literal", bson.D{})})
			// [$k] built by $map: the emulator takes an array literal's "$k" as the string.
			id = cond(undef, maxKey, cond(wide, bson.D{{Key: "k", Value: cond(wrap, c.single("$k"), "$k")}}, k))
		}
		// "Is an empty array" by its size, not by $eq with []: mongo-java-server finds [null]
		// equal to []. Both branches of the $cond are safe where $cond is eager.
		empty := e1("$eq", bson.A{e1("$size", cond(e1("$isArray", f), f, bson.A{1})), 0})
		proj := bson.D{{Key: "k", Value: f}, {Key: "u", Value: empty}}
		group := bson.D{{Key: "_id", Value: id}, {Key: "ids", Value: ids}, {Key: "n", Value: count}}
		group = append(group, exactAccumulators(e, id)...)
		suspects = []any{"$_id"}
		if mark {
			proj = append(proj, bson.E{Key: "m", Value: e1("$gt", bson.A{e1("$size", arrayOr(f)), 1})})
			group = append(group, bson.E{Key: "m", Value: e1("$max", "$m")})
		}
		p = append(p,
			e1("$project", proj),
			e1("$unwind", bson.D{{Key: "path", Value: "$k"}, {Key: "preserveNullAndEmptyArrays", Value: true}}),
			e1("$group", group))
	} else {
		group := bson.D{}
		var found bson.A
		for i := range key.Fields {
			is := strconv.Itoa(i)
			var k, u any = "$k.k" + is, "$k.u" + is
			if e.TypeOp {
				// BSON undefined keys like an empty array (u), apart from null; the flag is
				// then always a boolean, so no group splits on false against missing.
				u = e1("$or", bson.A{e1("$eq", bson.A{u, true}), isUndefined(k)})
				k = cond(u, nil, k)
			}
			suspects = append(suspects, "$_id.k"+is)
			group = append(group, bson.E{Key: "k" + is, Value: k}, bson.E{Key: "u" + is, Value: u})
			found = append(found, bson.D{{Key: "k.f" + is, Value: true}})
		}
		group = append(group, bson.E{Key: "x", Value: "$k.x"})
		p = append(p, keysStage(key, e))
		if mark {
			p = append(p, e1("$project", bson.D{{Key: "k", Value: 1}, {Key: "m", Value: e1("$gt", bson.A{e1("$size", "$k"), 1})}}))
		}
		p = append(p, e1("$unwind", "$k"))
		if key.Sparse {
			// A sparse index leaves out each key made only of missing fields.
			p = append(p, e1("$match", e1("$or", append(found, bson.D{{Key: "k.x", Value: true}}))))
		}
		acc := bson.D{{Key: "_id", Value: group}, {Key: "ids", Value: ids}, {Key: "n", Value: count}}
		// A member's key is its tuple, which keyOf reads as it reads a group _id: pushing the
		// _id expression would put missing fields in an array, which drops mongo-java-server's
		// connection.
		acc = append(acc, exactAccumulators(e, "$k")...)
		if mark {
			acc = append(acc, bson.E{Key: "m", Value: e1("$max", "$m")})
		}
		p = append(p, e1("$group", acc))
		keep = e1("$or", bson.A{keep, bson.D{{Key: "_id.x", Value: true}}})
		order = bson.D{{Key: "_id.x", Value: -1}, {Key: "_id", Value: 1}}
	}
	if e.GroupSplits && !key.WholeDocument {
		// A group of one may hold a value the engine split from its equals (scanexact.go).
		keep = e1("$or", bson.A{keep, keepSuspect(e, suspects)})
	}
	if (e.GroupSplits || e.GroupMerges) && !key.WholeDocument {
		out = append(out, bson.E{Key: "ks", Value: e1("$slice", bson.A{"$ks", maxIDs})})
	}
	p = append(p,
		e1("$match", keep),
		e1("$project", out),
		e1("$sort", order),
	)
	return p, nil
}

// scanMatch is the $match that limits the scan to the documents the key covers: the user's
// filter, the index's partial filter, and for a sparse index documents holding a key field.
func scanMatch(key model.Key) (bson.D, error) {
	var and bson.A
	for _, src := range []struct{ what, json string }{{"--filter", key.Filter}, {"the index's partial filter", key.PartialFilter}} {
		if src.json == "" {
			continue
		}
		q, err := parseQuery(src.json)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.what, err)
		}
		and = append(and, q)
	}
	if key.Sparse {
		// A sparse compound index skips a document only when it lacks every key field.
		var or bson.A
		for _, f := range key.Fields {
			or = append(or, bson.D{{Key: f, Value: bson.D{{Key: "$exists", Value: true}}}})
		}
		and = append(and, bson.D{{Key: "$or", Value: or}})
	}
	switch len(and) {
	case 0:
		return nil, nil
	case 1:
		return and[0].(bson.D), nil
	}
	return bson.D{{Key: "$and", Value: and}}, nil
}

// CheckFilter tells whether a --filter is a query document in relaxed Extended JSON, so a
// command can refuse a bad one before it connects.
func CheckFilter(s string) error {
	_, err := parseQuery(s)
	return err
}

// aggregateOptions carries what the pipeline needs besides its stages: disk use for large
// collections, and the index's collation so strings compare as the index compares them.
func aggregateOptions(key model.Key, batch int32) *options.AggregateOptionsBuilder {
	o := options.Aggregate().SetAllowDiskUse(true)
	if batch > 0 {
		o.SetBatchSize(batch)
	}
	if c := collation(key); c != nil {
		o.SetCollation(c)
	}
	return o
}

func collation(key model.Key) *options.Collation {
	if key.Collation == nil {
		return nil
	}
	c := key.Collation
	return &options.Collation{
		Locale: c.Locale, Strength: c.Strength, CaseLevel: c.CaseLevel, CaseFirst: c.CaseFirst,
		NumericOrdering: c.NumericOrdering, Alternate: c.Alternate, MaxVariable: c.MaxVariable,
		Backwards: c.Backwards, Normalization: c.Normalization,
	}
}

// pipelineWidth is the column up to which the shown pipeline keeps a value on one line.
const pipelineWidth = 76

// PipelineJSON is the pipeline as relaxed Extended JSON laid out to read (model.LayoutJSON),
// ready to paste into mongosh's db.COLL.aggregate(…). The collation, when the key has one, is an option rather
// than a stage: MongoshCommand gives the whole call.
func PipelineJSON(key model.Key) (string, error) {
	p, err := Pipeline(key)
	if err != nil {
		return "", err
	}
	js, err := bson.MarshalExtJSON(bson.D{{Key: "p", Value: p}}, false, false)
	if err != nil {
		return "", fmt.Errorf("render pipeline: %w", err)
	}
	// MarshalExtJSON needs a document: the array is its one field.
	var wrapper struct{ P json.RawMessage }
	if err := json.Unmarshal(js, &wrapper); err != nil {
		return "", fmt.Errorf("render pipeline: %w", err)
	}
	return model.LayoutJSON(wrapper.P, pipelineWidth, true)
}

// MongoshCommand is the scan as one mongosh statement, options (disk use, the index's whole
// collation) included, so a DBA can run exactly what dupes ran: the TUI shows and copies it.
func MongoshCommand(ns model.Namespace, key model.Key) (string, error) {
	p, err := PipelineJSON(key)
	if err != nil {
		return "", err
	}
	opts := bson.D{{Key: "allowDiskUse", Value: true}}
	if c := key.Collation; c != nil {
		opts = append(opts, bson.E{Key: "collation", Value: collationDoc(c)})
	}
	oj, err := bson.MarshalExtJSON(opts, false, false)
	if err != nil {
		return "", fmt.Errorf("render options: %w", err)
	}
	o, err := model.LayoutJSON(oj, pipelineWidth, false)
	if err != nil {
		return "", err
	}
	// JSON string escapes are valid in JavaScript, so hostile names stay quoted; JSONSafe
	// escapes what JSON leaves raw and a screen would obey (a bidi override in a field name).
	db, coll := model.QuoteJSON(ns.DB), model.QuoteJSON(ns.Coll)
	return model.JSONSafe(fmt.Sprintf("db.getSiblingDB(%s).getCollection(%s).aggregate(%s, %s)", db, coll, p, o)), nil
}

// scanError explains the server errors a scan meets on huge groups, which otherwise read as
// internal limits.
func (c *Client) scanError(ns model.Namespace, err error) error {
	if errors.Is(err, ErrMaxTime) {
		return err
	}
	wrapped := c.wrap("scan "+ns.String(), err)
	var ce interface{ HasErrorCode(int) bool }
	msg := err.Error()
	tooBig := strings.Contains(msg, "BSONObjectTooLarge") || strings.Contains(msg, "too large") ||
		strings.Contains(msg, "exceeds maximum") || strings.Contains(msg, "used too much memory") ||
		strings.Contains(msg, "ExceededMemoryLimit")
	if errors.As(err, &ce) && (ce.HasErrorCode(10334) || ce.HasErrorCode(146) || ce.HasErrorCode(16819)) {
		tooBig = true
	}
	if !tooBig {
		return wrapped
	}
	return fmt.Errorf("%w\nA duplicate group is too large for the server to gather in one document "+
		"(16 MB result, 100 MB per $push): usually the null group of documents lacking the key. "+
		"Narrow the scan, e.g. --filter '{\"FIELD\": {\"$exists\": true}}', or scan with a sparse index (--index)", wrapped)
}
