package mongo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// restoreKeepers undoes the keeper updates of a merging run (merge.go), named by the backup's
// manifest: each keeper gets its before-image back, replacing the merged keeper only if it is
// still exactly the merged version the run wrote (the same whole-document guard as the run's),
// so a keeper changed since is never overwritten. Updates are undone last first: a keeper
// merged twice (a resumed run) goes back step by step. It returns nil when the run merged
// nothing.
func (c *Client) restoreKeepers(ctx context.Context, bsonPath string, ns model.Namespace, opt RestoreOptions) (*model.KeeperRestore, error) {
	m, err := ReadManifest(manifestPath(bsonPath))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // a .bson without its manifest: restore was given --ns, and merged nothing we know of
	}
	if err != nil || m.Keepers == nil {
		return nil, err
	}
	var recs []bson.Raw
	if _, _, err := eachRecord(filepath.Join(filepath.Dir(bsonPath), m.Keepers.File), func(_ int, d bson.Raw) error {
		recs = append(recs, d)
		return nil
	}); errors.Is(err, os.ErrNotExist) || errors.Is(err, errNoRecord) {
		return nil, nil // the run merged into no keeper: its keepers backup was never written, or is empty
	} else if err != nil {
		return nil, err
	}
	kr := &model.KeeperRestore{Updates: len(recs)}
	simple, err := c.hasDefaultCollation(ctx, ns)
	if err != nil {
		return kr, err
	}
	coll := c.primary(ns)
	dry := map[string]bson.Raw{} // a dry run's idea of each keeper after the undos before
	for i := len(recs) - 1; i >= 0; i-- {
		before, ok1 := recs[i].Lookup("before").DocumentOK()
		merged, ok2 := recs[i].Lookup("merged").DocumentOK()
		if !ok1 || !ok2 {
			return kr, errors.New("keepers backup " + m.Keepers.File + ": a record without its before and merged documents")
		}
		id := model.Value(idKey(before))
		if opt.DryRun {
			now, seen := dry[string(id)]
			if !seen {
				if now, err = c.findOne(ctx, coll, before.Lookup("_id")); err != nil {
					return kr, err
				}
			}
			switch {
			case now == nil:
				kr.Gone = append(kr.Gone, id)
			case string(now) == string(merged):
				kr.Restored++
				now = before
			default:
				kr.Changed = append(kr.Changed, id)
			}
			dry[string(id)] = now
			continue
		}
		o := options.Replace().SetComment(c.comment())
		if simple {
			o.SetCollation(&options.Collation{Locale: "simple"})
		}
		res, err := coll.ReplaceOne(ctx, guardFilter(merged, time.Time{}), before, o)
		if err != nil {
			return kr, c.wrap("restore keeper "+id.Display()+" in "+ns.String(), err)
		}
		if res.MatchedCount == 1 {
			kr.Restored++
			continue
		}
		now, err := c.findOne(ctx, coll, before.Lookup("_id"))
		if err != nil {
			return kr, err
		}
		if now == nil {
			kr.Gone = append(kr.Gone, id)
		} else {
			kr.Changed = append(kr.Changed, id)
		}
	}
	return kr, nil
}

// findOne reads one document by _id, nil when there is none.
func (c *Client) findOne(ctx context.Context, coll *mongo.Collection, id bson.RawValue) (bson.Raw, error) {
	raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetComment(c.comment())).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, c.wrap("read "+coll.Name(), err)
	}
	return append(bson.Raw(nil), raw...), nil
}
