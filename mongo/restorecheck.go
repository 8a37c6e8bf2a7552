package mongo

import (
	"context"
	"fmt"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// probeClauses caps the $or clauses of one probe find.
const probeClauses = 1000

// uniqueCheck predicts what a collection's unique indexes (other than _id, which restore checks
// by itself) will refuse, so a dry run does not promise inserts the server then refuses. The
// index keys come from model.IndexKeys, the one definition of a key: the server only narrows
// (a find per batch for documents that may hold the same keys), Go decides.
type uniqueCheck struct {
	ixs []*uniqueIndex
}

type uniqueIndex struct {
	ix      model.Index
	spec    model.KeySpec
	partial bson.D
	// claimed maps the KeyID of every key of a backed-up document predicted to be inserted to
	// that document's _id: a later backed-up document with the same key would be refused.
	claimed map[string]model.Value
}

// newUniqueCheck lists the collection's unique indexes. Those whose keys dupes cannot decide
// (a collation it refuses, a partial filter it cannot read) are returned as unchecked, with why.
func (c *Client) newUniqueCheck(ctx context.Context, ns model.Namespace) (*uniqueCheck, []string, error) {
	ixs, err := c.Indexes(ctx, ns)
	if err != nil {
		return nil, nil, err
	}
	u := &uniqueCheck{}
	var unchecked []string
	for _, ix := range ixs {
		if !ix.Unique || ix.Name == "_id_" {
			continue
		}
		ui := &uniqueIndex{ix: ix, spec: ix.Key().Spec(), claimed: map[string]model.Value{}}
		if ix.Collation != nil {
			if err := ix.Collation.Check(); err != nil {
				unchecked = append(unchecked, fmt.Sprintf("%s: %v", ix.Name, err))
				continue
			}
		}
		if ix.PartialFilter != "" {
			if ui.partial, err = parseQuery(ix.PartialFilter); err != nil {
				unchecked = append(unchecked, fmt.Sprintf("%s: %v", ix.Name, err))
				continue
			}
		}
		u.ixs = append(u.ixs, ui)
	}
	return u, unchecked, nil
}

// check returns, for each document, the refusal it would meet, or nil. Documents are taken in
// the order the restore inserts them, and each predicted to be inserted claims its keys, so a
// later one (in this batch or another) with the same key is predicted refused, as the server
// would refuse it.
func (u *uniqueCheck) check(ctx context.Context, c *Client, coll *mongo.Collection, docs []bson.Raw) ([]*model.RestoreFailed, error) {
	out := make([]*model.RestoreFailed, len(docs))
	keys := make([][][]model.IndexKey, len(u.ixs)) // [index][doc]
	holders := make([]map[string]model.Value, len(u.ixs))
	for k, ui := range u.ixs {
		keys[k] = make([][]model.IndexKey, len(docs))
		for i, d := range docs {
			if out[i] != nil {
				continue
			}
			js, err := bson.MarshalExtJSON(d, true, false)
			if err == nil {
				keys[k][i], err = model.IndexKeys(js, ui.spec)
			}
			if err != nil {
				out[i] = &model.RestoreFailed{ID: idValue(d), Index: ui.ix.Name,
					Error: fmt.Sprintf("MongoDB cannot index it under the unique index %s: %v", ui.ix.Name, err)}
			}
		}
		var err error
		if holders[k], err = ui.holders(ctx, c, coll, keys[k]); err != nil {
			return nil, err
		}
	}
	for i, d := range docs {
		for k, ui := range u.ixs {
			if out[i] == nil {
				out[i] = ui.refusal(d, keys[k][i], holders[k])
			}
		}
		if out[i] != nil {
			continue
		}
		for k, ui := range u.ixs {
			for _, key := range keys[k][i] {
				ui.claimed[ui.spec.KeyID(key)] = idValue(d)
			}
		}
	}
	return out, nil
}

// refusal says why the index would refuse a document with these keys, or nil.
func (ui *uniqueIndex) refusal(doc bson.Raw, keys []model.IndexKey, holders map[string]model.Value) *model.RestoreFailed {
	for _, key := range keys {
		id := ui.spec.KeyID(key)
		if h, ok := holders[id]; ok {
			return &model.RestoreFailed{ID: idValue(doc), Index: ui.ix.Name, Holder: h,
				Error: fmt.Sprintf("the unique index %s already holds %s, in the document with _id %s%s",
					ui.ix.Name, ui.keyText(key), h.Display(), ui.partialNote())}
		}
		if h, ok := ui.claimed[id]; ok {
			return &model.RestoreFailed{ID: idValue(doc), Index: ui.ix.Name, Holder: h,
				Error: fmt.Sprintf("the unique index %s would hold %s already, from the backed-up document with _id %s restored before it%s",
					ui.ix.Name, ui.keyText(key), h.Display(), ui.partialNote())}
		}
	}
	return nil
}

func (ui *uniqueIndex) partialNote() string {
	if ui.partial == nil {
		return ""
	}
	return " (if it matches the index's partialFilterExpression, which only the server can tell)"
}

// keyText shows a key as MongoDB's E11000 message does: { email: "a@x.com" }.
func (ui *uniqueIndex) keyText(key model.IndexKey) string {
	parts := make([]string, len(key))
	for i, v := range key {
		parts[i] = ui.ix.Fields[i] + ": " + v.Display()
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// holders finds the documents of the collection holding any of these keys: the server narrows
// with an equality per key (it matches array elements as a multikey index does), and the keys
// of what it returns are computed here, so only an exact collision counts.
func (ui *uniqueIndex) holders(ctx context.Context, c *Client, coll *mongo.Collection, keys [][]model.IndexKey) (map[string]model.Value, error) {
	seen := map[string]bool{}
	var clauses bson.A
	for _, ks := range keys {
		for _, key := range ks {
			id := ui.spec.KeyID(key)
			if seen[id] {
				continue
			}
			seen[id] = true
			cl, err := ui.clause(key)
			if err != nil {
				return nil, err
			}
			clauses = append(clauses, cl)
		}
	}
	out := map[string]model.Value{}
	for start := 0; start < len(clauses); start += probeClauses {
		q := bson.D{{Key: "$or", Value: clauses[start:min(start+probeClauses, len(clauses))]}}
		if ui.partial != nil {
			q = bson.D{{Key: "$and", Value: bson.A{q, ui.partial}}}
		}
		opts := options.Find().SetComment(c.comment())
		if ui.ix.Collation != nil {
			opts.SetCollation(collation(ui.ix.Key()))
		}
		if err := ui.probe(ctx, c, coll, q, opts, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (ui *uniqueIndex) probe(ctx context.Context, c *Client, coll *mongo.Collection, q bson.D, opts *options.FindOptionsBuilder, out map[string]model.Value) error {
	cur, err := coll.Find(ctx, q, opts)
	if err != nil {
		return c.wrap("look for documents holding the keys of the unique index "+ui.ix.Name, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		js, err := bson.MarshalExtJSON(cur.Current, true, false)
		if err != nil {
			return err
		}
		ks, err := model.IndexKeys(js, ui.spec)
		if err != nil {
			continue // the server indexed it, so this cannot happen; it holds no key we can name
		}
		for _, k := range ks {
			id := ui.spec.KeyID(k)
			if _, ok := out[id]; !ok {
				out[id] = idValue(cur.Current)
			}
		}
	}
	if err := cur.Err(); err != nil {
		return c.wrap("look for documents holding the keys of the unique index "+ui.ix.Name, err)
	}
	return nil
}

// clause is the equality query for one key: {f1: v1, f2: v2}. An undefined key value (an
// empty array at the end of the path) cannot be queried for: it is asked as [].
func (ui *uniqueIndex) clause(key model.IndexKey) (bson.D, error) {
	cl := make(bson.D, len(key))
	for i, v := range key {
		var val any = bson.A{}
		if v != model.Value(`{"$undefined":true}`) {
			rv, err := rawValue(v)
			if err != nil {
				return nil, fmt.Errorf("key of the unique index %s: %w", ui.ix.Name, err)
			}
			val = rv
		}
		cl[i] = bson.E{Key: ui.ix.Fields[i], Value: val}
	}
	return cl, nil
}

// idValue is a document's _id as a model value.
func idValue(doc bson.Raw) model.Value { return model.Value(idKey(doc)) }
