package mongo_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

func TestCreateUniqueIndex(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "users"}
	insert(t, db, "users", doc("_id", 1, "email", "a"), doc("_id", 2, "email", "b"))
	ctx := context.Background()
	name, err := c.CreateUniqueIndex(ctx, ns, model.Key{Fields: []string{"email"}})
	if err != nil || name != "email_1" {
		t.Fatalf("CreateUniqueIndex = %q, %v", name, err)
	}
	ixs, err := c.Indexes(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ix := range ixs {
		if ix.Name == "email_1" {
			found = ix.Unique && len(ix.Fields) == 1 && ix.Fields[0] == "email"
		}
	}
	if !found {
		t.Fatalf("no unique email_1 among %+v", ixs)
	}
	if _, err := c.CreateUniqueIndex(ctx, ns, model.Key{Fields: []string{"email"}}); err != nil {
		t.Errorf("building the same index again: %v", err)
	}
}

func TestCreateUniqueIndexMeetsNewDuplicates(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "users"}
	insert(t, db, "users", doc("_id", 1, "email", "a"), doc("_id", 2, "email", "a"))
	_, err := c.CreateUniqueIndex(context.Background(), ns, model.Key{Fields: []string{"email"}})
	var nd *mongo.NewDuplicatesError
	if !errors.As(err, &nd) {
		t.Fatalf("want NewDuplicatesError, got %v", err)
	}
	if !strings.Contains(err.Error(), "scan again") || nd.Index != "email_1" || nd.NS != ns {
		t.Errorf("unclear error: %v (%+v)", err, nd)
	}
	t.Logf("server said: %s; dupes says: %v", nd.Msg, err)
	if len(nd.Dup.Values) != 1 || nd.Dup.Values[0] != `"a"` {
		t.Errorf("colliding key not read from the server's message: %+v", nd.Dup)
	}
}

func TestCreateUniqueIndexCarriesIndexOptions(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "users"}
	insert(t, db, "users", doc("_id", 1, "email", "a", "active", true))
	key := model.Key{Fields: []string{"email"}, Index: "email_active", Sparse: true, PartialFilter: `{"active":true}`}
	name, err := c.CreateUniqueIndex(context.Background(), ns, key)
	if err != nil || name != "email_active" {
		t.Fatalf("CreateUniqueIndex = %q, %v", name, err)
	}
	ixs, err := c.Indexes(context.Background(), ns)
	if err != nil {
		t.Fatal(err)
	}
	for _, ix := range ixs {
		if ix.Name == "email_active" {
			if !ix.Unique || !ix.Sparse || ix.PartialFilter != `{"active":true}` {
				t.Errorf("index options lost: %+v", ix)
			}
			return
		}
	}
	t.Fatalf("index email_active not listed: %+v", ixs)
}

func TestCreateUniqueIndexReadOnly(t *testing.T) {
	c, err := mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.CreateUniqueIndex(context.Background(), model.Namespace{DB: "x", Coll: "y"}, model.Key{Fields: []string{"a"}}); !errors.Is(err, mongo.ErrReadOnly) {
		t.Fatalf("read-only client built an index: %v", err)
	}
}

func TestFindGroup(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "users"}
	insert(t, db, "users",
		doc("_id", 3, "email", "a"), doc("_id", 1, "email", "a"), doc("_id", 2, "email", "b"),
		doc("_id", 4), doc("_id", 5, "email", nil), doc("_id", 6, "email", []any{"x", "a"}))
	ctx := context.Background()
	for val, want := range map[model.Value]string{`"a"`: "1 3 6", `null`: "4 5", `"zzz"`: ""} {
		g, err := c.FindGroup(ctx, ns, model.Key{Fields: []string{"email"}}, []model.Value{val})
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(g.IDs))
		for i, id := range g.IDs {
			ids[i] = id.Display()
		}
		if got := strings.Join(ids, " "); got != want {
			t.Errorf("group %s: ids %q, want %q", val, got, want)
		}
	}
	if _, err := c.FindGroup(ctx, ns, model.Key{Fields: []string{"email"}}, nil); err == nil {
		t.Error("FindGroup took no values for one field")
	}
}
