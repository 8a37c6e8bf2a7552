package mongotest

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FerretDB reports whether the live server is FerretDB (buildInfo holds a "ferretdb" document),
// whose DocumentDB engine refuses collations, for tests that assert dupes' refusal there.
func FerretDB(tb testing.TB) bool {
	tb.Helper()
	var info bson.Raw
	if err := Client(tb).Database("admin").RunCommand(context.Background(), bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		tb.Fatalf("buildInfo: %v", err)
	}
	_, err := info.LookupErr("ferretdb")
	return err == nil
}
