package mongo

import (
	"context"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// No engine here is sharded: the shard key is read from a config.collections entry as a mongos
// writes it, tested as a pure function, and the index dupes offers from it is checked as the
// document createIndexes is sent.
func TestShardKeyOf(t *testing.T) {
	entry := func(d bson.D) bson.Raw {
		b, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sk := shardKeyOf(entry(bson.D{{Key: "_id", Value: "shop.users"}, {Key: "key", Value: bson.D{{Key: "tenant", Value: 1}, {Key: "region", Value: 1}}}, {Key: "unique", Value: false}}))
	if strings.Join(sk.Fields, ",") != "tenant,region" || sk.Hashed {
		t.Fatalf("ranged: %+v", sk)
	}
	sk = shardKeyOf(entry(bson.D{{Key: "_id", Value: "shop.users"}, {Key: "key", Value: bson.D{{Key: "email", Value: "hashed"}}}}))
	if strings.Join(sk.Fields, ",") != "email" || !sk.Hashed {
		t.Fatalf("hashed: %+v", sk)
	}
	sk = shardKeyOf(entry(bson.D{{Key: "_id", Value: "shop.users"}, {Key: "key", Value: bson.D{{Key: "tenant", Value: 1}}}, {Key: "dropped", Value: true}}))
	if sk.Sharded() {
		t.Fatalf("dropped entry read as sharded: %+v", sk)
	}
}

// The index offered on a sharded collection, as createIndexes is sent it: shard key first.
func TestUniqueIndexSpecForShardKey(t *testing.T) {
	o := model.OfferIndex(model.Key{Fields: []string{"email", "tenant"}}, true, model.ShardKey{Fields: []string{"tenant"}})
	if o.Refused != "" {
		t.Fatal(o.Refused)
	}
	spec, name, err := uniqueIndexSpec(o.Key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := bson.MarshalExtJSON(spec, false, false)
	want := `{"key":{"tenant":1,"email":1},"name":"tenant_1_email_1_present","unique":true,"partialFilterExpression":{"$and":[{"tenant":{"$type":["double","string",`
	if name != "tenant_1_email_1_present" || !strings.HasPrefix(string(got), want) {
		t.Fatalf("spec %s (name %s), want it to start %s", got, name, want)
	}
}

// ShardKey on a deployment that is not sharded (both test engines): none, no error.
func TestShardKeyUnsharded(t *testing.T) {
	c, err := Connect(context.Background(), mongotest.URI(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	sk, err := c.ShardKey(context.Background(), model.Namespace{DB: mongotest.DB(t).Name(), Coll: "users"})
	if err != nil || sk.Sharded() {
		t.Fatalf("ShardKey = %+v, %v", sk, err)
	}
}
