package mongo

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Engine names the server behind a client and what it can do that dupes depends on. Servers
// that speak MongoDB's wire protocol differ where it matters to dupes (docs/engines.md "Tested
// against"): FerretDB evaluates both branches of $cond, has no collation and no views, and
// refuses write commands of more than 25 000 statements. dupes asks once per client, and
// refuses clearly what the engine cannot do instead of giving a wrong answer.
type Engine struct {
	// Name is "MongoDB", "FerretDB" or "mongo-java-server".
	Name string
	// Version is the engine's own version (FerretDB's, not the MongoDB version it claims).
	Version string
	// ServerVersion is the MongoDB version the server reports in buildInfo.
	ServerVersion string
	// MaxWriteBatch is how many statements one write command may carry: the server's
	// maxWriteBatchSize, lowered where the engine refuses fewer than it advertises.
	MaxWriteBatch int
	// Collation: indexes, queries and aggregations accept a collation.
	Collation bool
	// Views: createView makes a view that listCollections reports as one (FerretDB makes an
	// empty plain collection, mongo-java-server lists it as a collection).
	Views bool
	// LazyCond: $cond evaluates only the branch taken, so a guard in $cond protects the other
	// branch from erroring (FerretDB evaluates both; $switch is lazy everywhere).
	LazyCond bool
	// TypeOp: the $type operator exists, so the scan can tell BSON undefined (which an index
	// keys like []) from null, which $ifNull and $group confuse (mongo-java-server has no
	// $type, and stores undefined as null, so it never holds one).
	TypeOp bool
	// TrimOp: the $trim operator exists (--trim needs it; mongo-java-server lacks it).
	TrimOp bool
	// ArrayGroupKeys: $group compares an array _id as a whole (mongo-java-server groups it as
	// if by its elements, so the scan wraps such a key in a document there: plainInDoc).
	ArrayGroupKeys bool
	// GroupSplits: $group may tell apart keys MongoDB finds equal, and confuse some it tells
	// apart, among values the scan can name (scanexact.go, suspect). DocumentDB after
	// $unwind compares decimals, NaN and NumberLong(-2^63) by representation (0.1 and 0.10
	// apart) and undefined like null inside documents and arrays; mongo-java-server compares
	// a decimal as a double but an int64 exactly, and never finds two [] equal. The scan then
	// keeps the groups holding such a value even when alone, and regroups them by the key
	// generator's equality (scanexact.go).
	GroupSplits bool
	// GroupMerges: $group may find equal any two keys MongoDB tells apart: mongo-java-server
	// compares numbers as doubles (2^63-1 = 2^63, -2^63 = -Infinity, decimal 0.1 = double
	// 0.1). The scan then sends every member's key and splits groups by the key generator's
	// equality.
	GroupMerges bool
	// GroupCodeWithScope: a $group after $unwind survives a CodeWithScope (JavaScript with
	// scope) anywhere in its key. DocumentDB 0.106's backend dies of a segmentation fault on
	// one (and on $addToSet of one), and PostgreSQL then restarts every backend, cutting every
	// client of the server; so there dupes looks for such values before it groups
	// (RefuseCodeWithScope, codewscope.go). mongo-java-server cannot store one at all.
	GroupCodeWithScope bool
	// NowInWrites: a write's filter may test $$NOW in $expr, so the guard fences each write
	// to its batch's deadline on the server (fence, execute_delete.go): a write held up in the
	// network past it matches nothing when it lands. DocumentDB refuses $$NOW in deletes and
	// updates ("not supported in this context"), so there a late write is only reported.
	NowInWrites bool
}

// The engines Engine.Name tells apart.
const (
	EngineMongoDB    = "MongoDB"
	EngineFerretDB   = "FerretDB"
	EngineJavaServer = "mongo-java-server"
)

// ferretMaxWriteBatch is the most statements FerretDB 2.5 accepts in one write command
// (16 InvalidLength beyond), though hello advertises 100 000.
const ferretMaxWriteBatch = 25000

// defaultMaxWriteBatch is MongoDB's maxWriteBatchSize since 3.6, used when hello does not say.
const defaultMaxWriteBatch = 100000

// String is the engine and its version, as dupes shows them ("FerretDB v2.5.0 (MongoDB 7.0.77)").
func (e Engine) String() string {
	if e.Name == EngineMongoDB || e.Version == e.ServerVersion {
		return e.Name + " " + e.ServerVersion
	}
	return fmt.Sprintf("%s %s (MongoDB %s)", e.Name, e.Version, e.ServerVersion)
}

// engineCache holds one client's answer; a failed probe is retried on the next call.
type engineCache struct {
	mu  sync.Mutex
	got bool
	e   Engine
}

// Engine identifies the server (buildInfo, hello) on first use and remembers the answer for the
// life of the client.
func (c *Client) Engine(ctx context.Context) (Engine, error) {
	if c == nil || c.mc == nil {
		return Engine{}, fmt.Errorf("identify the server: not connected")
	}
	c.engine.mu.Lock()
	defer c.engine.mu.Unlock()
	if c.engine.got {
		return c.engine.e, nil
	}
	e, err := probeEngine(ctx, c.mc, c.comment())
	if err != nil {
		return Engine{}, c.wrap("identify the server (buildInfo)", err)
	}
	c.engine.e, c.engine.got = e, true
	return e, nil
}

// EngineOf identifies the server behind a driver client, as Client.Engine does: for the
// benchmarks, which hold a driver client of their own.
func EngineOf(ctx context.Context, mc *mongo.Client) (Engine, error) {
	return probeEngine(ctx, mc, "dupes bench")
}

func probeEngine(ctx context.Context, mc *mongo.Client, comment string) (Engine, error) {
	admin := mc.Database("admin")
	var bi struct {
		Version    string `bson:"version"`
		GitVersion string `bson:"gitVersion"`
		FerretDB   *struct {
			Version string `bson:"version"`
		} `bson:"ferretdb"`
	}
	if err := admin.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}, {Key: "comment", Value: comment}}).Decode(&bi); err != nil {
		return Engine{}, err
	}
	e := Engine{Name: EngineMongoDB, Version: bi.Version, ServerVersion: bi.Version,
		MaxWriteBatch: maxWriteBatch(ctx, mc, comment), Collation: true, Views: true, LazyCond: true, TypeOp: true,
		TrimOp: true, ArrayGroupKeys: true, GroupCodeWithScope: true, NowInWrites: true}
	switch {
	case bi.FerretDB != nil:
		e.Name, e.Version = EngineFerretDB, bi.FerretDB.Version
		e.Collation, e.Views, e.LazyCond = false, false, false
		e.GroupSplits, e.GroupCodeWithScope, e.NowInWrites = true, false, false
		e.MaxWriteBatch = min(e.MaxWriteBatch, ferretMaxWriteBatch)
	case bi.GitVersion == "":
		// Every MongoDB build reports its git commit; mongo-java-server answers only four
		// fields. It accepts collations but ignores them when comparing, and createView
		// makes a collection listed as a plain one.
		e.Name, e.Views, e.TypeOp, e.TrimOp, e.ArrayGroupKeys = EngineJavaServer, false, false, false, false
		e.GroupSplits, e.GroupMerges = true, true
	}
	return e, nil
}

// maxWriteBatch asks hello (isMaster on servers that predate it) for maxWriteBatchSize.
func maxWriteBatch(ctx context.Context, mc *mongo.Client, comment string) int {
	admin := mc.Database("admin")
	var h struct {
		Max int `bson:"maxWriteBatchSize"`
	}
	for _, cmd := range []string{"hello", "isMaster"} {
		if err := admin.RunCommand(ctx, bson.D{{Key: cmd, Value: 1}, {Key: "comment", Value: comment}}).Decode(&h); err == nil && h.Max > 0 {
			return h.Max
		}
	}
	return defaultMaxWriteBatch
}

// ErrNoCollation is wrapped by the refusal of a key with a collation on an engine without
// collation support (FerretDB): dupes will not compare strings another way and call it the same.
var ErrNoCollation = errors.New("this server does not support collations")

// refuseCollation fails when the key carries a collation the server cannot honour. what names
// the operation refused ("create unique index email_ci on shop.users").
func (c *Client) refuseCollation(ctx context.Context, what string, key model.Key) error {
	if key.Collation == nil {
		return nil
	}
	e, err := c.Engine(ctx)
	if err != nil {
		return err
	}
	if e.Collation {
		return nil
	}
	return fmt.Errorf("%s: %s: %w (it refuses them in indexes, queries and aggregations), so the collation "+
		"(locale %s, strength %d) cannot be honoured; on this server scan with --ignore-case instead, and build the "+
		"unique index without a collation (it then compares exactly)",
		what, e, ErrNoCollation, key.Collation.Locale, key.Collation.Strength)
}
