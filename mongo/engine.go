package mongo

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// engine is the kind of server a client talks to. dupes' scan runs on all three, but each
// lacks something: the scan picks its expressions and refusals by engine.
type engine int

const (
	engineMongoDB engine = iota
	// engineFerretDB: FerretDB on DocumentDB. No collation; $cond evaluates both branches.
	engineFerretDB
	// engineJavaServer: mongo-java-server, the in-memory emulator the tests start. No $trim,
	// $let, $switch or $type; ignores collation; groups an array _id as if by its elements.
	engineJavaServer
)

func (e engine) String() string {
	switch e {
	case engineFerretDB:
		return "FerretDB"
	case engineJavaServer:
		return "mongo-java-server"
	}
	return "MongoDB"
}

var engines sync.Map // *Client -> engine, asked once per client

// engine tells which server the client talks to, from buildInfo: FerretDB adds a "ferretdb"
// document; mongo-java-server answers only version fields (no gitVersion, which every MongoDB
// build reports). A server that does not answer is taken for MongoDB.
func (c *Client) engine(ctx context.Context) engine {
	if e, ok := engines.Load(c); ok {
		return e.(engine)
	}
	e := engineMongoDB
	var info bson.Raw
	if err := c.mc.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err == nil {
		if _, err := info.LookupErr("ferretdb"); err == nil {
			e = engineFerretDB
		} else if _, err := info.LookupErr("gitVersion"); err != nil {
			e = engineJavaServer
		}
		engines.Store(c, e)
	}
	return e
}
