package mongo

import (
	"context"
	"fmt"
	"sort"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Databases lists the deployment's databases, by name.
func (c *Client) Databases(ctx context.Context) ([]model.Database, error) {
	// The commands are sent by hand because the driver's List helpers take no comment.
	var res struct {
		Databases []struct {
			Name       string `bson:"name"`
			SizeOnDisk int64  `bson:"sizeOnDisk"`
		} `bson:"databases"`
	}
	cmd := c.withComment(bson.D{{Key: "listDatabases", Value: 1}})
	if err := c.mc.Database("admin").RunCommand(ctx, cmd).Decode(&res); err != nil {
		return nil, c.wrap("list databases", err)
	}
	out := make([]model.Database, 0, len(res.Databases))
	for _, d := range res.Databases {
		out = append(out, model.Database{Name: d.Name, SizeOnDisk: d.SizeOnDisk})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Collections lists a database's collections with their type and estimated count (from
// metadata, one cheap round trip each; -1 for views, which have no count of their own).
func (c *Client) Collections(ctx context.Context, db string) ([]model.Collection, error) {
	cur, err := c.mc.Database(db).RunCommandCursor(ctx, c.withComment(bson.D{{Key: "listCollections", Value: 1}}))
	if err != nil {
		return nil, c.wrap("list collections of "+db, err)
	}
	var specs []struct {
		Name    string   `bson:"name"`
		Type    string   `bson:"type"`
		Options bson.Raw `bson:"options"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, c.wrap("list collections of "+db, err)
	}
	out := make([]model.Collection, 0, len(specs))
	for _, s := range specs {
		col := model.Collection{
			NS:     model.Namespace{DB: db, Coll: s.Name},
			Type:   model.CollectionType(s.Type),
			Capped: truthy(s.Options.Lookup("capped")),
			Count:  -1,
		}
		col.ViewOn, _ = s.Options.Lookup("viewOn").StringValueOK()
		if len(s.Options) > 0 {
			col.Collation = collationFrom(s.Options)
		}
		if col.Type == "" {
			col.Type = model.TypeCollection
		}
		if col.Type == model.TypeCollection {
			n, err := c.coll(col.NS).EstimatedDocumentCount(ctx, options.EstimatedDocumentCount().SetComment(c.comment()))
			if err != nil {
				return nil, c.wrap("count "+col.NS.String(), err)
			}
			col.Count = n
		}
		out = append(out, col)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NS.Coll < out[j].NS.Coll })
	return out, nil
}

// Collection describes one namespace, or says clearly that it does not exist.
func (c *Client) Collection(ctx context.Context, ns model.Namespace) (model.Collection, error) {
	cols, err := c.Collections(ctx, ns.DB)
	if err != nil {
		return model.Collection{}, err
	}
	for _, col := range cols {
		if col.NS == ns {
			return col, nil
		}
	}
	return model.Collection{}, fmt.Errorf("%s: no such collection (database %q has %d collections)", ns, ns.DB, len(cols))
}

// Indexes lists a collection's indexes with the options that decide uniqueness.
func (c *Client) Indexes(ctx context.Context, ns model.Namespace) ([]model.Index, error) {
	cur, err := c.mc.Database(ns.DB).RunCommandCursor(ctx, c.withComment(bson.D{{Key: "listIndexes", Value: ns.Coll}}))
	if err != nil {
		return nil, c.wrap("list indexes of "+ns.String(), err)
	}
	defer cur.Close(ctx)
	var out []model.Index
	for cur.Next(ctx) {
		ix, err := indexFrom(cur.Current)
		if err != nil {
			return nil, fmt.Errorf("index of %s: %w", ns, err)
		}
		out = append(out, ix)
	}
	if err := cur.Err(); err != nil {
		return nil, c.wrap("list indexes of "+ns.String(), err)
	}
	return out, nil
}

func indexFrom(spec bson.Raw) (model.Index, error) {
	var ix model.Index
	ix.Name, _ = spec.Lookup("name").StringValueOK()
	keys, ok := spec.Lookup("key").DocumentOK()
	if !ok {
		return ix, fmt.Errorf("index %q has no key document", ix.Name)
	}
	elems, err := keys.Elements()
	if err != nil {
		return ix, err
	}
	for _, e := range elems {
		ix.Fields = append(ix.Fields, e.Key())
	}
	// The _id index is unique without saying so in its spec.
	ix.Unique = truthy(spec.Lookup("unique")) || (ix.Name == "_id_" && len(ix.Fields) == 1 && ix.Fields[0] == "_id")
	ix.Sparse = truthy(spec.Lookup("sparse"))
	if pf, ok := spec.Lookup("partialFilterExpression").DocumentOK(); ok {
		if js, err := bson.MarshalExtJSON(pf, false, false); err == nil {
			ix.PartialFilter = string(js)
		}
	}
	ix.Collation = collationFrom(spec)
	return ix, nil
}

// collationFrom reads the collation of an index spec or of a collection's options, or nil
// when there is none or it is "simple" (binary comparison, as without one). Every option is
// read, so model.Collation.Check can refuse one dupes cannot decide exactly instead of the
// scan silently dropping it.
func collationFrom(doc bson.Raw) *model.Collation {
	col, ok := doc.Lookup("collation").DocumentOK()
	if !ok {
		return nil
	}
	var c model.Collation
	c.Locale, _ = col.Lookup("locale").StringValueOK()
	if c.Locale == "simple" {
		return nil
	}
	if s, ok := col.Lookup("strength").AsInt64OK(); ok {
		c.Strength = int(s)
	}
	c.CaseLevel = truthy(col.Lookup("caseLevel"))
	c.CaseFirst, _ = col.Lookup("caseFirst").StringValueOK()
	c.NumericOrdering = truthy(col.Lookup("numericOrdering"))
	c.Alternate, _ = col.Lookup("alternate").StringValueOK()
	c.MaxVariable, _ = col.Lookup("maxVariable").StringValueOK()
	c.Backwards = truthy(col.Lookup("backwards"))
	c.Normalization = truthy(col.Lookup("normalization"))
	return &c
}

// truthy reads index option flags, which older tools wrote as numbers.
func truthy(v bson.RawValue) bool {
	if b, ok := v.BooleanOK(); ok {
		return b
	}
	if n, ok := v.AsInt64OK(); ok {
		return n != 0
	}
	return false
}
