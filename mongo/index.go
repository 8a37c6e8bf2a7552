package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// NewDuplicatesError says a unique index build met duplicates: documents that arrived (or
// changed) after the scan, or that the cleanup skipped. Dup holds the colliding key when the
// server's message could be read.
type NewDuplicatesError struct {
	NS    model.Namespace
	Index string
	Dup   model.DupKeyError
	// Msg is the server's message, password-free.
	Msg string
}

func (e *NewDuplicatesError) Error() string {
	key := ""
	if len(e.Dup.Values) > 0 {
		parts := make([]string, len(e.Dup.Values))
		for i, v := range e.Dup.Values {
			parts[i] = v.Display()
			if i < len(e.Dup.Fields) {
				parts[i] = e.Dup.Fields[i] + ": " + parts[i]
			}
		}
		key = " (for example { " + strings.Join(parts, ", ") + " })"
	}
	return fmt.Sprintf("unique index %s on %s not built: duplicates exist again%s; "+
		"documents arrived or changed after the scan, or the cleanup skipped some: scan again", e.Index, e.NS, key)
}

// IndexName is the name MongoDB gives an ascending index on the fields: "a_1_b.c_1".
func IndexName(fields []string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + "_1"
	}
	return strings.Join(parts, "_")
}

// CreateUniqueIndex builds a unique index on the key, with the key's sparse, partial filter
// and collation options, and returns its name (the key's index name when it came from one,
// else MongoDB's default). The server's refusal comes back as the error: a
// *NewDuplicatesError when documents still collide, else the server's own words.
// --ignore-case and --trim have no index equivalent; the index compares exactly.
func (c *Client) CreateUniqueIndex(ctx context.Context, ns model.Namespace, key model.Key) (name string, err error) {
	if c.readOnly {
		return "", ErrReadOnly
	}
	ix, name, err := uniqueIndexSpec(key)
	if err != nil {
		return "", err
	}
	if key.Sparse && key.PartialFilter != "" {
		// MongoDB refuses the pair (67), FerretDB too (197), mongo-java-server accepts it:
		// refuse it here, in the same words everywhere.
		return name, fmt.Errorf("create unique index %s on %s: an index cannot be both sparse and partial; "+
			"the partial filter alone chooses the documents (add {%q: {\"$exists\": true}} to it for sparse's effect)",
			name, ns, key.Fields[0])
	}
	if err := c.refuseCollation(ctx, "create unique index "+name+" on "+ns.String(), key); err != nil {
		return name, err
	}
	cmd := bson.D{
		{Key: "createIndexes", Value: ns.Coll},
		{Key: "indexes", Value: bson.A{ix}},
		{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}},
	}
	err = c.mc.Database(ns.DB).RunCommand(ctx, c.withComment(cmd)).Err()
	if err == nil {
		return name, c.checkUnique(ctx, ns, name)
	}
	var se mongo.ServerError
	if (errors.As(err, &se) && se.HasErrorCode(11000)) || strings.Contains(err.Error(), "E11000") {
		msg := scrub(err.Error(), c.secret)
		dup, _ := model.ParseE11000(msg)
		return name, &NewDuplicatesError{NS: ns, Index: name, Dup: dup, Msg: msg}
	}
	if buildMetDuplicates(err) {
		// FerretDB (DocumentDB) reports a unique build over duplicates as PostgreSQL's failed
		// exclusion constraint, without the colliding key.
		return name, &NewDuplicatesError{NS: ns, Index: name, Msg: scrub(err.Error(), c.secret)}
	}
	if errors.As(err, &se) && (se.HasErrorCode(85) || se.HasErrorCode(86)) {
		return name, c.wrap("create unique index "+name+" on "+ns.String(), fmt.Errorf(
			"%w (an index on these fields or with this name exists with other options: drop it or make it unique with collMod first)", err))
	}
	return name, c.wrap("create unique index "+name+" on "+ns.String(), err)
}

// buildMetDuplicates recognises DocumentDB's answer to a unique index built over duplicates:
// 1 InternalError 'could not create exclusion constraint "documents_rum_index_N"', PostgreSQL's
// words when existing rows violate the new constraint.
func buildMetDuplicates(err error) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(1) && strings.Contains(err.Error(), "could not create exclusion constraint")
}

// checkUnique confirms what the server built: a createIndexes naming an existing index can
// succeed without making it unique (some servers answer "all indexes already exist").
func (c *Client) checkUnique(ctx context.Context, ns model.Namespace, name string) error {
	ixs, err := c.Indexes(ctx, ns)
	if err != nil {
		return err
	}
	for _, ix := range ixs {
		if ix.Name == name {
			if !ix.Unique {
				return fmt.Errorf("create unique index %s on %s: the server answered ok, but %s is not unique: "+
					"an index of that name already existed; drop it (or make it unique with collMod) and build again", name, ns, name)
			}
			return nil
		}
	}
	return fmt.Errorf("create unique index %s on %s: the server answered ok, but lists no index %s", name, ns, name)
}

// FindGroup reads the group of documents holding the given key values, as the key's index
// sees them (null matches missing too; an array matches by element; the key's collation,
// partial filter and filter apply), ids in ascending order, at most MaxGroupIDs of them.
func (c *Client) FindGroup(ctx context.Context, ns model.Namespace, key model.Key, values []model.Value) (model.Group, error) {
	if err := key.Validate(); err != nil {
		return model.Group{}, err
	}
	if len(values) != len(key.Fields) {
		return model.Group{}, fmt.Errorf("%d key values for %d key fields", len(values), len(key.Fields))
	}
	if err := c.refuseCollation(ctx, "read the group in "+ns.String(), key); err != nil {
		return model.Group{}, err
	}
	var and bson.A
	if m, err := scanMatch(key); err != nil {
		return model.Group{}, err
	} else if len(m) > 0 {
		and = append(and, m)
	}
	for i, f := range key.Fields {
		rv, err := rawValue(values[i])
		if err != nil {
			return model.Group{}, err
		}
		and = append(and, bson.D{{Key: f, Value: rv}})
	}
	opts := options.Find().
		SetProjection(bson.D{{Key: "_id", Value: 1}}).
		SetSort(bson.D{{Key: "_id", Value: 1}}).
		SetLimit(MaxGroupIDs).
		SetComment(c.comment())
	if col := collation(key); col != nil {
		opts.SetCollation(col)
	}
	cur, err := c.coll(ns).Find(ctx, bson.D{{Key: "$and", Value: and}}, opts)
	if err != nil {
		return model.Group{}, c.wrap("read the group in "+ns.String(), err)
	}
	defer cur.Close(ctx)
	g := model.Group{Key: append([]model.Value(nil), values...)}
	for cur.Next(ctx) {
		g.IDs = append(g.IDs, value(cur.Current.Lookup("_id")))
	}
	if err := cur.Err(); err != nil {
		return model.Group{}, c.wrap("read the group in "+ns.String(), err)
	}
	return g, nil
}
