package mongo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Pipeline builds the aggregation that finds a key's duplicate groups. Its output documents
// are {_id: {k0: …, k1: …}, ids: [_id…], n: count}, ids in ascending _id order, groups in
// ascending key order.
//
// Missing and null group together, as a unique index stores a missing field as null
// ($ifNull turns missing into null; a bare "$f" would leave it out of the group key).
func Pipeline(key model.Key) (bson.A, error) {
	if err := key.Validate(); err != nil {
		return nil, err
	}
	var p bson.A
	if match, err := scanMatch(key); err != nil {
		return nil, err
	} else if len(match) > 0 {
		p = append(p, bson.D{{Key: "$match", Value: match}})
	}
	groupKey := bson.D{}
	for i, f := range key.Fields {
		groupKey = append(groupKey, bson.E{Key: "k" + strconv.Itoa(i), Value: bson.D{{Key: "$ifNull", Value: bson.A{"$" + f, nil}}}})
	}
	p = append(p,
		// $push keeps input order, so sorting by _id first yields each group's ids in _id order.
		bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
		bson.D{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: groupKey},
			{Key: "ids", Value: bson.D{{Key: "$push", Value: "$_id"}}},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}},
		}}},
		bson.D{{Key: "$match", Value: bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: 1}}}}}},
		bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
	)
	return p, nil
}

// scanMatch is the $match that limits the scan to the documents the key covers: the user's
// filter, the index's partial filter, and for a sparse index documents holding a key field.
func scanMatch(key model.Key) (bson.D, error) {
	var and bson.A
	for _, src := range []string{key.Filter, key.PartialFilter} {
		if src == "" {
			continue
		}
		q, err := parseQuery(src)
		if err != nil {
			return nil, err
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

// aggregateOptions carries what the pipeline needs besides its stages: disk use for large
// collections, and the index's collation so strings compare as the index compares them.
func aggregateOptions(key model.Key, batch int32) *options.AggregateOptionsBuilder {
	o := options.Aggregate().SetAllowDiskUse(true)
	if batch > 0 {
		o.SetBatchSize(batch)
	}
	if key.Collation != nil {
		o.SetCollation(&options.Collation{
			Locale:    key.Collation.Locale,
			Strength:  key.Collation.Strength,
			CaseLevel: key.Collation.CaseLevel,
		})
	}
	return o
}

// PipelineJSON is the pipeline as relaxed Extended JSON, indented, ready to paste into
// mongosh's db.COLL.aggregate(…).
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
