package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ErrCodeWithScope is wrapped by the refusal of a key whose values hold a CodeWithScope on
// an engine that cannot group one (Engine.GroupCodeWithScope).
var ErrCodeWithScope = errors.New("a key value holds JavaScript with scope (CodeWithScope), which this server cannot group")

// RefuseCodeWithScope refuses, before anything is grouped, a key whose values hold a
// CodeWithScope on an engine where grouping one crashes the server: on FerretDB, DocumentDB's
// backend dies of a segmentation fault at the scan's $group after $unwind, and PostgreSQL
// restarts every backend, cutting every client of the server, not only dupes. The scan and
// the duplicate count call it before they send their aggregation.
//
// It asks the server for the documents the scan covers (its filter, the index's partial
// filter) whose key fields hold such a value, or a document or nested array, which may hold
// one at any depth; those it reads, key fields only, and searches. A key of strings, numbers or
// ObjectIds costs one query that returns nothing. A whole-document key is not unwound, and
// DocumentDB groups it safely.
func (c *Client) RefuseCodeWithScope(ctx context.Context, ns model.Namespace, key model.Key) error {
	e, err := c.Engine(ctx)
	if err != nil || e.GroupCodeWithScope || key.WholeDocument {
		return err
	}
	match, err := scanMatch(key)
	if err != nil {
		return err
	}
	var may bson.A
	for _, f := range key.Fields {
		may = append(may,
			bson.D{{Key: f, Value: bson.D{{Key: "$type", Value: bson.A{"javascriptWithScope", "object"}}}}},
			bson.D{{Key: f, Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "$type", Value: "array"}}}}}})
	}
	proj, inID := keyProjection(key.Fields)
	q := bson.D{{Key: "$or", Value: may}}
	if len(match) > 0 {
		q = bson.D{{Key: "$and", Value: bson.A{match, q}}}
	}
	what := "look for JavaScript with scope in the key " + key.String() + " of " + ns.String()
	cur, err := c.coll(ns).Find(ctx, q, options.Find().SetProjection(proj).SetComment(c.comment()))
	if err != nil {
		return c.wrap(what, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		elems, err := cur.Current.Elements()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		for _, el := range elems {
			if (el.Key() != "_id" || inID) && holdsCodeWithScope(el.Value()) {
				return c.codeWithScopeError(ctx, ns, key, e, cur.Current.Lookup("_id"))
			}
		}
	}
	if err := cur.Err(); err != nil {
		return c.wrap(what, err)
	}
	return nil
}

// codeWithScopeError names the document holding the value, and how to scan without it: a
// filter on the value's type where a key field holds it directly (or as an array's element),
// which the server's own paths decide, else one that leaves the document out.
func (c *Client) codeWithScopeError(ctx context.Context, ns model.Namespace, key model.Key, e Engine, id bson.RawValue) error {
	filter := fmt.Sprintf("{_id: {$ne: %s}}", value(id).Display())
	for _, f := range key.Fields {
		q := bson.D{{Key: "_id", Value: id}, {Key: f, Value: bson.D{{Key: "$type", Value: "javascriptWithScope"}}}}
		if n, err := c.coll(ns).CountDocuments(ctx, q, options.Count().SetComment(c.comment())); err == nil && n > 0 {
			filter = fmt.Sprintf("{%q: {$not: {$type: \"javascriptWithScope\"}}}", f)
			break
		}
	}
	return fmt.Errorf("%w: document _id %s holds one under the key %s. %s crashes grouping such a value (its PostgreSQL "+
		"backend dies, and every connection to the server is cut), so dupes does not send the scan. Leave such documents "+
		"out with --filter (here %s), or convert the value", ErrCodeWithScope, value(id).Display(), key, e, filter)
}

// keyProjection reads the key fields and the _id, and says whether the _id is part of the key.
// A field under another one is read with it: MongoDB refuses the two paths together.
func keyProjection(fields []string) (bson.D, bool) {
	proj := bson.D{{Key: "_id", Value: 1}}
	inID := false
	for _, f := range fields {
		under := func(g string) bool { return strings.HasPrefix(f, g+".") }
		if f == "_id" || under("_id") {
			inID = true
			continue
		}
		if !slices.ContainsFunc(fields, under) && !slices.ContainsFunc(proj, func(e bson.E) bool { return e.Key == f }) {
			proj = append(proj, bson.E{Key: f, Value: 1})
		}
	}
	return proj, inID
}

// holdsCodeWithScope reports whether v is, or holds at any depth, a CodeWithScope.
func holdsCodeWithScope(v bson.RawValue) bool {
	switch v.Type {
	case bson.TypeCodeWithScope:
		return true
	case bson.TypeEmbeddedDocument, bson.TypeArray:
		vals, err := bson.Raw(v.Value).Values()
		if err != nil {
			return false
		}
		for _, x := range vals {
			if holdsCodeWithScope(x) {
				return true
			}
		}
	}
	return false
}
