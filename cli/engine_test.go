package cli

import (
	"context"
	"testing"

	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// testEngine is the live server's Engine, for tests whose expectations depend on what the
// engine can do (views, collation).
func testEngine(t *testing.T) mongo.Engine {
	t.Helper()
	c, err := mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	e, err := c.Engine(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}
