package model

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ShardKey is a sharded collection's shard key, as config.collections records it; the zero
// value means the collection is not sharded.
type ShardKey struct {
	Fields []string
	Hashed bool // a field of the shard key is hashed
}

// Sharded reports a shard key.
func (s ShardKey) Sharded() bool { return len(s.Fields) > 0 }

func (s ShardKey) String() string {
	parts := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		parts[i] = f + ": 1"
	}
	if s.Hashed {
		return "{" + strings.Join(parts, ", ") + "} (hashed)"
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// nonNullTypes is every BSON type but null, by the aliases $type takes: a partial filter of
// them indexes a document exactly when the field holds a value, so documents whose field is
// missing or null (those a cleanup leaves alone) stay out of the unique index.
var nonNullTypes = []string{"double", "string", "object", "array", "binData", "undefined", "objectId", "bool",
	"date", "regex", "dbPointer", "javascript", "symbol", "javascriptWithScope", "int", "timestamp", "long",
	"decimal", "minKey", "maxKey"}

// IndexOffer is the unique index dupes offers once the duplicates are gone: the key to build
// (CreateUniqueIndex takes a Key) and what it guarantees, or why no index can be offered.
type IndexOffer struct {
	Key Key
	// Partial says the offer leaves documents lacking the key out of the index.
	Partial   bool
	Guarantee string
	// Refused, when set, is why no unique index can enforce the key; Key is then unusable.
	Refused string
}

// Name is the offered index's name.
func (o IndexOffer) Name() string {
	if o.Key.Index != "" {
		return o.Key.Index
	}
	return defaultIndexName(o.Key.Fields)
}

// OfferIndex decides the unique index to offer after a cleanup of key:
//   - while documents lacking the key may remain (the cleanup did not opt into deleting them),
//     a partial index that leaves out every document whose key fields are missing or null, so
//     it builds however many of them there are; a key taken from an existing index keeps that
//     index's own options instead;
//   - on a sharded collection, the shard key's fields first, as MongoDB requires of a unique
//     index; when the key does not contain every shard key field, or the shard key is hashed,
//     no unique index can enforce the key, and the offer says so;
//   - never an index that enforces less than the scan found: a scan that trimmed whitespace,
//     or ignored case without a case-insensitive collation on the key, is offered none, with
//     what would enforce it instead.
func OfferIndex(key Key, lackingLeft bool, shard ShardKey) IndexOffer {
	switch {
	case key.Trim:
		return IndexOffer{Refused: "the scan trimmed whitespace around strings, which no unique index does: it would take " +
			`" a@x.com" and "a@x.com" for two values, so these duplicates could come back. To keep them out, store the ` +
			"trimmed value in a field of its own and put a unique index on that field"}
	case key.IgnoreCase && !key.Collation.CaseInsensitive():
		return IndexOffer{Refused: "the scan ignored case, and an index without a case-insensitive collation compares exactly: " +
			"it would take BOB@x.com and bob@x.com for two values, so these duplicates could come back. To keep them out, " +
			"use a collation of strength 2 where the server has collations, or store the lower-cased value in a field of " +
			"its own and put a unique index on that field"}
	}
	k := Key{Fields: append([]string(nil), key.Fields...), Index: key.Index, Sparse: key.Sparse,
		PartialFilter: key.PartialFilter, Collation: key.Collation}
	o := IndexOffer{}
	if shard.Sharded() {
		if shard.Hashed {
			o.Refused = fmt.Sprintf("the collection is sharded on the hashed key %s: MongoDB cannot enforce a unique index on a hashed shard key", shard)
			return o
		}
		fields, missing := shardPrefixed(k.Fields, shard.Fields)
		if len(missing) > 0 {
			o.Refused = fmt.Sprintf("the collection is sharded on %s: a unique index there must start with the shard key, "+
				"and %s does not contain %s, so no unique index can make %s unique across shards",
				shard, key, strings.Join(missing, ", "), key)
			return o
		}
		if k.Index == "" {
			k.Fields = fields
		}
	}
	own := k.Index != "" || k.Sparse || k.PartialFilter != ""
	if lackingLeft && !own {
		k.PartialFilter, o.Partial = NonNullFilter(k.Fields), true
		// Its own name: a plain index on the same fields (often there, for lookups) already
		// holds MongoDB's default name, and a second index may share its key pattern only
		// under another name.
		k.Index = defaultIndexName(k.Fields) + "_present"
	}
	o.Key = k
	switch {
	case own:
		o.Guarantee = "the index's own options (" + k.Semantics() + ")"
	case o.Partial && len(k.Fields) == 1:
		o.Guarantee = fmt.Sprintf("no two documents holding a value in %s share it; documents whose %s is missing or null are left out of the index, any number of them", k.Fields[0], k.Fields[0])
	case o.Partial:
		o.Guarantee = fmt.Sprintf("no two documents holding a value in every field of %s share the key; documents with any key field missing or null are left out of the index", k)
	default:
		o.Guarantee = fmt.Sprintf("no two documents share %s; a document lacking it counts as null, so only one may", k)
	}
	if shard.Sharded() && k.Index == "" && strings.Join(k.Fields, ",") != strings.Join(key.Fields, ",") {
		o.Guarantee += fmt.Sprintf("; its fields are ordered shard key first (%s), as MongoDB requires on a sharded collection", shard)
	}
	return o
}

// defaultIndexName is the name MongoDB gives an ascending index on the fields: "a_1_b.c_1".
func defaultIndexName(fields []string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + "_1"
	}
	return strings.Join(parts, "_")
}

// shardPrefixed orders fields with the shard key's first; missing lists shard key fields that
// fields lack.
func shardPrefixed(fields, shard []string) (ordered, missing []string) {
	in := map[string]bool{}
	for _, f := range fields {
		in[f] = true
	}
	isShard := map[string]bool{}
	for _, s := range shard {
		if !in[s] {
			missing = append(missing, s)
		}
		isShard[s] = true
	}
	ordered = append(ordered, shard...)
	for _, f := range fields {
		if !isShard[f] {
			ordered = append(ordered, f)
		}
	}
	return ordered, missing
}

// NonNullFilter is the partial filter that indexes a document when every key field holds a
// value: {f: {$type: [every type but null]}}, joined by $and for a compound key. $or, which
// would index documents holding only some of the fields, needs MongoDB 6.0 and FerretDB
// refuses it in a partial filter; $and builds everywhere.
func NonNullFilter(fields []string) string {
	conds := make([]map[string]any, len(fields))
	for i, f := range fields {
		conds[i] = map[string]any{f: map[string]any{"$type": nonNullTypes}}
	}
	var v any = conds[0]
	if len(conds) > 1 {
		v = map[string]any{"$and": conds}
	}
	b, _ := json.Marshal(v)
	return string(b)
}
