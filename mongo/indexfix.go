package mongo

import (
	"context"
	"errors"
	"fmt"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// ErrNoCollModUnique says the server cannot make an existing index unique in place (collMod
// prepareUnique/unique came with MongoDB 6.0; FerretDB and mongo-java-server lack it): drop
// the index and build the unique one instead.
var ErrNoCollModUnique = errors.New("this server cannot make an existing index unique (collMod prepareUnique, MongoDB 6.0+)")

// MakeUnique converts an existing index to unique with collMod, in MongoDB's two steps:
// prepareUnique (new duplicates are refused from now on), then unique (fails, changing
// nothing, while duplicates remain).
func (c *Client) MakeUnique(ctx context.Context, ns model.Namespace, name string) error {
	if c.readOnly {
		return ErrReadOnly
	}
	db := c.mc.Database(ns.DB)
	for _, opt := range []string{"prepareUnique", "unique"} {
		cmd := bson.D{{Key: "collMod", Value: ns.Coll}, {Key: "index", Value: bson.D{{Key: "name", Value: name}, {Key: opt, Value: true}}}}
		if err := db.RunCommand(ctx, c.withComment(cmd)).Err(); err != nil {
			// Servers without it answer in many ways (no such command, unknown field, invalid
			// option): any refusal of the first step leaves the index as it was, and the way
			// left is to drop it and build.
			if opt == "prepareUnique" && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("%w: %s", ErrNoCollModUnique, scrub(err.Error(), c.secret))
			}
			return c.wrap(fmt.Sprintf("make index %s on %s unique (collMod %s)", name, ns, opt), err)
		}
	}
	return c.checkUnique(ctx, ns, name)
}

// DropIndex drops an index by name.
func (c *Client) DropIndex(ctx context.Context, ns model.Namespace, name string) error {
	if c.readOnly {
		return ErrReadOnly
	}
	cmd := bson.D{{Key: "dropIndexes", Value: ns.Coll}, {Key: "index", Value: name}}
	if err := c.mc.Database(ns.DB).RunCommand(ctx, c.withComment(cmd)).Err(); err != nil {
		return c.wrap("drop index "+name+" on "+ns.String(), err)
	}
	return nil
}
