package mongo

import (
	"testing"

	"github.com/dupes-tui/dupes/model"
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
