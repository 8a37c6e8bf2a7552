package mongo

import (
	"context"
	"errors"
	"fmt"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ShardKey reads the collection's shard key from config.collections, where a mongos keeps it
// ({_id: "db.coll", key: {tenant: 1}}). A replica set or a standalone server has no such
// entry (or no config database): the collection is not sharded, the zero ShardKey.
func (c *Client) ShardKey(ctx context.Context, ns model.Namespace) (model.ShardKey, error) {
	var raw bson.Raw
	err := c.mc.Database("config").Collection("collections").FindOne(ctx, bson.D{{Key: "_id", Value: ns.String()}},
		options.FindOne().SetComment(c.comment())).Decode(&raw)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return model.ShardKey{}, nil
	}
	if err != nil {
		return model.ShardKey{}, c.wrap("read the shard key of "+ns.String(), err)
	}
	return shardKeyOf(raw), nil
}

// shardKeyOf reads a config.collections entry. A dropped entry (older servers keep them,
// marked dropped: true) is no shard key.
func shardKeyOf(entry bson.Raw) model.ShardKey {
	if d, ok := entry.Lookup("dropped").BooleanOK(); ok && d {
		return model.ShardKey{}
	}
	doc, ok := entry.Lookup("key").DocumentOK()
	if !ok {
		return model.ShardKey{}
	}
	elems, _ := doc.Elements()
	var sk model.ShardKey
	for _, e := range elems {
		sk.Fields = append(sk.Fields, e.Key())
		if s, ok := e.Value().StringValueOK(); ok && s == "hashed" {
			sk.Hashed = true
		}
	}
	return sk
}

// uniqueIndexSpec is the index document createIndexes is sent for a unique index on the key:
// its fields in order, the key's name (MongoDB's default when it has none), and its sparse,
// partial filter and collation options. It is a pure function so tests can check what is sent
// to servers that ignore some of it (mongo-java-server drops partial filters).
func uniqueIndexSpec(key model.Key) (spec bson.D, name string, err error) {
	if err := key.Validate(); err != nil {
		return nil, "", err
	}
	name = key.Index
	if name == "" {
		name = IndexName(key.Fields)
	}
	fields := bson.D{}
	for _, f := range key.Fields {
		fields = append(fields, bson.E{Key: f, Value: 1})
	}
	spec = bson.D{{Key: "key", Value: fields}, {Key: "name", Value: name}, {Key: "unique", Value: true}}
	if key.Sparse {
		spec = append(spec, bson.E{Key: "sparse", Value: true})
	}
	if key.PartialFilter != "" {
		pf, err := parseQuery(key.PartialFilter)
		if err != nil {
			return nil, "", fmt.Errorf("partial filter: %w", err)
		}
		spec = append(spec, bson.E{Key: "partialFilterExpression", Value: pf})
	}
	if col := key.Collation; col != nil {
		spec = append(spec, bson.E{Key: "collation", Value: collationDoc(col)})
	}
	return spec, name, nil
}

// collationDoc is a collation as the server spells it, every option that is set, so an index
// built by dupes has exactly the collation the scan compared under.
func collationDoc(c *model.Collation) bson.D {
	d := bson.D{{Key: "locale", Value: c.Locale}}
	add := func(name string, v any, set bool) {
		if set {
			d = append(d, bson.E{Key: name, Value: v})
		}
	}
	add("strength", c.Strength, c.Strength != 0)
	add("caseLevel", c.CaseLevel, c.CaseLevel)
	add("caseFirst", c.CaseFirst, c.CaseFirst != "")
	add("numericOrdering", c.NumericOrdering, c.NumericOrdering)
	add("alternate", c.Alternate, c.Alternate != "")
	add("maxVariable", c.MaxVariable, c.MaxVariable != "")
	add("normalization", c.Normalization, c.Normalization)
	add("backwards", c.Backwards, c.Backwards)
	return d
}
