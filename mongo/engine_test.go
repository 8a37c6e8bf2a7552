package mongo_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// TestEngine checks that dupes tells the engines apart and knows each one's limits: the
// capabilities decide what dupes refuses, so a wrong answer here is a wrong refusal there.
func TestEngine(t *testing.T) {
	c, _ := connect(t)
	ctx := context.Background()
	e, err := c.Engine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("engine: %s, max write batch %d", e, e.MaxWriteBatch)
	if e.ServerVersion == "" || e.MaxWriteBatch <= 0 {
		t.Fatalf("engine answer incomplete: %+v", e)
	}
	switch {
	case mongotest.JavaServer():
		if e.Name != mongo.EngineJavaServer || e.Views {
			t.Fatalf("mongo-java-server identified as %+v", e)
		}
	case strings.Contains(os.Getenv("MONGODB_URI"), ":30500"), e.Name == mongo.EngineFerretDB:
		// The README's FerretDB kit listens on 30500; both checks must agree.
		if e.Name != mongo.EngineFerretDB || !strings.HasPrefix(e.Version, "v2.") {
			t.Fatalf("FerretDB identified as %+v", e)
		}
		if e.Collation || e.Views || e.LazyCond || e.MaxWriteBatch != 25000 {
			t.Fatalf("FerretDB capabilities wrong: %+v", e)
		}
	default:
		if e.Name != mongo.EngineMongoDB || !e.Collation || !e.Views || !e.LazyCond {
			t.Fatalf("MongoDB identified as %+v", e)
		}
	}
	again, err := c.Engine(ctx)
	if err != nil || again != e {
		t.Fatalf("second Engine call differs: %+v, %v", again, err)
	}
}

// engineOf is the server's Engine, failing the test when it cannot be had.
func engineOf(t *testing.T, c *mongo.Client) mongo.Engine {
	t.Helper()
	e, err := c.Engine(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// skipWithoutViews skips, with the reason, on an engine whose createView makes no view.
func skipWithoutViews(t *testing.T, c *mongo.Client) {
	t.Helper()
	if e := engineOf(t, c); !e.Views {
		mongotest.Skipf(t, "%s has no views: createView makes a collection listed as a plain one, "+
			"which dupes cannot tell from a real collection", e)
	}
}

// skipWithoutCollation skips, with the reason, on an engine that refuses collations;
// TestCreateUniqueIndexCollation checks dupes' refusal there.
func skipWithoutCollation(t *testing.T, c *mongo.Client) {
	t.Helper()
	if e := engineOf(t, c); !e.Collation {
		mongotest.Skipf(t, "%s has no collation support (createIndex with a collation: 115); "+
			"dupes' refusal is checked by TestCreateUniqueIndexCollation", e)
	}
}
