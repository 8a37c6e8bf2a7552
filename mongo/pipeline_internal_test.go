package mongo

import (
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The collation is an option of the aggregate command, not a stage: check what is sent.
func TestAggregateOptionsCarryTheIndexCollation(t *testing.T) {
	key := model.Key{Fields: []string{"email"}, Collation: &model.Collation{Locale: "fr", Strength: 1}}
	var got options.AggregateOptions
	for _, set := range aggregateOptions(key, 10).Opts {
		if err := set(&got); err != nil {
			t.Fatal(err)
		}
	}
	if got.Collation == nil || got.Collation.Locale != "fr" || got.Collation.Strength != 1 {
		t.Fatalf("collation sent: %+v", got.Collation)
	}
	if got.AllowDiskUse == nil || !*got.AllowDiskUse {
		t.Error("a large scan needs allowDiskUse")
	}
	var plain options.AggregateOptions
	for _, set := range aggregateOptions(model.Key{Fields: []string{"email"}}, 10).Opts {
		_ = set(&plain)
	}
	if plain.Collation != nil {
		t.Errorf("a key without collation sent %+v", plain.Collation)
	}
}

// A group too large for the server reads as an internal limit; the error must say what to do.
func TestScanErrorExplainsHugeGroups(t *testing.T) {
	c := &Client{}
	ns := model.Namespace{DB: "shop", Coll: "users"}
	for _, err := range []error{
		mongo.CommandError{Code: 10334, Name: "BSONObjectTooLarge", Message: "BSONObj size: 17000000 (0x1036640) is invalid"},
		mongo.CommandError{Code: 146, Name: "ExceededMemoryLimit", Message: "$push used too much memory and cannot spill to disk"},
	} {
		got := c.scanError(ns, err).Error()
		if !strings.Contains(got, "scan shop.users: ") || !strings.Contains(got, "null group") || !strings.Contains(got, "--filter") {
			t.Errorf("unhelpful: %s", got)
		}
	}
	if got := c.scanError(ns, mongo.CommandError{Code: 13, Message: "not authorized"}).Error(); strings.Contains(got, "null group") {
		t.Errorf("an unrelated error got the huge-group hint: %s", got)
	}
}

// TestMongoshCommandIsScreenSafe: the command the scan screen shows and copies escapes what a
// terminal would obey in a hostile field or collection name, and stays the same command.
func TestMongoshCommandIsScreenSafe(t *testing.T) {
	ns := model.Namespace{DB: "d", Coll: "c\u0085"}
	cmd, err := MongoshCommand(ns, model.Key{Fields: []string{"e\u202eliam\x7f"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(cmd, "\u202e\u0085\x7f") {
		t.Fatalf("raw control or bidi character in %q", cmd)
	}
	for _, want := range []string{`"$e\u202eliam\u007f"`, `getCollection("c\u0085")`} {
		if !strings.Contains(cmd, want) {
			t.Errorf("%q lacks %s", cmd, want)
		}
	}
}
