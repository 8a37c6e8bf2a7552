package mongo

import (
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
// semantics of a unique index on the key (DESIGN.md §2). Its output documents are
// {_id: {k0: …, k1: …}, ids: [_id…], n: count}, ids in ascending _id order (at most
// MaxGroupIDs of them; n counts all), groups in ascending key order.
//
// The stages, in order:
//   - $match: the user's filter, the index's partial filter, and for a sparse index only the
//     documents holding a key field;
//   - $sort by _id, which the _id index serves without a blocking sort; every later stage
//     keeps that order, so $push lists each group's ids in _id order;
//   - $project the key fields to k0, k1…, strings trimmed and lower-cased when asked. An
//     array becomes the set of its (normalised) elements: a document repeating a value in its
//     own array is not its own duplicate. An empty array becomes [[]], so that it survives the
//     unwind as a value of its own (an index stores [] as undefined, which is not null);
//   - $unwind each kN, keeping documents whose field is missing or null: a multikey index
//     holds one entry per array element, so documents sharing any element collide;
//   - $group by the key values, missing as null ($ifNull), as the index stores it;
//   - keep groups of two or more, cap the listed ids, sort by key.
//
// Collation is not a stage: it travels in the aggregate options (see aggregateOptions), and
// the set and equality operators above compare under it.
func Pipeline(key model.Key) (bson.A, error) {
	return pipeline(key, MaxGroupIDs)
}

func pipeline(key model.Key, maxIDs int) (bson.A, error) {
	if err := key.Validate(); err != nil {
		return nil, err
	}
	if maxIDs <= 0 {
		maxIDs = MaxGroupIDs
	}
	var p bson.A
	if match, err := scanMatch(key); err != nil {
		return nil, err
	} else if len(match) > 0 {
		p = append(p, bson.D{{Key: "$match", Value: match}})
	}
	p = append(p, bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}})
	project := bson.D{{Key: "_id", Value: 1}}
	for i, f := range key.Fields {
		project = append(project, bson.E{Key: kname(i), Value: keyValue(key, "$"+f)})
	}
	p = append(p, bson.D{{Key: "$project", Value: project}})
	for i := range key.Fields {
		p = append(p, bson.D{{Key: "$unwind", Value: bson.D{
			{Key: "path", Value: "$" + kname(i)},
			{Key: "preserveNullAndEmptyArrays", Value: true},
		}}})
	}
	groupKey := bson.D{}
	for i := range key.Fields {
		groupKey = append(groupKey, bson.E{Key: kname(i), Value: bson.D{{Key: "$ifNull", Value: bson.A{"$" + kname(i), nil}}}})
	}
	p = append(p,
		bson.D{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: groupKey},
			{Key: "ids", Value: bson.D{{Key: "$push", Value: "$_id"}}},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}},
		}}},
		bson.D{{Key: "$match", Value: bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: 1}}}}}},
		bson.D{{Key: "$project", Value: bson.D{
			{Key: "ids", Value: bson.D{{Key: "$slice", Value: bson.A{"$ids", maxIDs}}}},
			{Key: "n", Value: 1},
		}}},
		bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
	)
	return p, nil
}

func kname(i int) string { return "k" + strconv.Itoa(i) }

// keyValue is the expression for one key field before the unwind: arrays become the set of
// their normalised elements ([] becomes [[]]), other values are normalised. $setDifference
// with an empty set is the portable way to drop repeats ($setUnion is missing on some servers).
func keyValue(key model.Key, path string) any {
	elems := any(path)
	if key.IgnoreCase || key.Trim {
		elems = bson.D{{Key: "$map", Value: bson.D{{Key: "input", Value: path}, {Key: "as", Value: "v"}, {Key: "in", Value: normalise(key, "$$v")}}}}
	}
	return bson.D{{Key: "$cond", Value: bson.A{
		bson.D{{Key: "$isArray", Value: path}},
		bson.D{{Key: "$cond", Value: bson.A{
			bson.D{{Key: "$eq", Value: bson.A{path, bson.A{}}}},
			bson.A{bson.A{}},
			bson.D{{Key: "$setDifference", Value: bson.A{elems, bson.A{}}}},
		}}},
		normalise(key, path),
	}}}
}

// normalise is the expression for one scalar key value: itself, or when asked the string
// trimmed and lower-cased. Only strings: $toLower would turn the number 5 into the string "5"
// and make it collide with "5"; $trim fails on non-strings.
func normalise(key model.Key, path string) any {
	if !key.IgnoreCase && !key.Trim {
		return path
	}
	var s any = path
	if key.Trim {
		s = bson.D{{Key: "$trim", Value: bson.D{{Key: "input", Value: s}}}}
	}
	if key.IgnoreCase {
		s = bson.D{{Key: "$toLower", Value: s}}
	}
	// "Is a string" without $type (absent from some servers): in BSON order every string
	// sorts at or after "" and before any document.
	isString := bson.D{{Key: "$and", Value: bson.A{
		bson.D{{Key: "$gte", Value: bson.A{path, ""}}},
		bson.D{{Key: "$lt", Value: bson.A{path, bson.D{{Key: "$literal", Value: bson.D{}}}}}},
	}}}
	return bson.D{{Key: "$cond", Value: bson.A{isString, s, path}}}
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

// PipelineJSON is the pipeline as relaxed Extended JSON, indented, ready to paste into
// mongosh's db.COLL.aggregate(…). The collation, when the key has one, is an option rather
// than a stage: MongoshCommand gives the whole call.
func PipelineJSON(key model.Key) (string, error) {
	p, err := Pipeline(key)
	if err != nil {
		return "", err
	}
	js, err := bson.MarshalExtJSONIndent(bson.D{{Key: "p", Value: p}}, false, false, "", "  ")
	if err != nil {
		return "", fmt.Errorf("render pipeline: %w", err)
	}
	// Strip the {"p": …} wrapper that MarshalExtJSON needs to accept an array.
	s := string(js)
	start, end := strings.IndexByte(s, '['), strings.LastIndexByte(s, ']')
	if start < 0 || end < start {
		return s, nil
	}
	return strings.ReplaceAll(s[start:end+1], "\n  ", "\n"), nil
}

// MongoshCommand is the scan as one mongosh statement, options (disk use, collation)
// included, so a DBA can run exactly what dupes ran.
func MongoshCommand(ns model.Namespace, key model.Key) (string, error) {
	p, err := PipelineJSON(key)
	if err != nil {
		return "", err
	}
	opts := bson.D{{Key: "allowDiskUse", Value: true}}
	if c := key.Collation; c != nil {
		opts = append(opts, bson.E{Key: "collation", Value: bson.D{
			{Key: "locale", Value: c.Locale}, {Key: "strength", Value: c.Strength}, {Key: "caseLevel", Value: c.CaseLevel},
		}})
	}
	oj, err := bson.MarshalExtJSON(opts, false, false)
	if err != nil {
		return "", fmt.Errorf("render options: %w", err)
	}
	return fmt.Sprintf("db.getSiblingDB(%q).getCollection(%q).aggregate(%s, %s)", ns.DB, ns.Coll, p, oj), nil
}

// scanError explains the server errors a scan meets on huge groups, which otherwise read as
// internal limits.
func (c *Client) scanError(ns model.Namespace, err error) error {
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
