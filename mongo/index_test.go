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
	if !strings.Contains(nd.Msg, "E11000") {
		// FerretDB: 1 InternalError 'could not create exclusion constraint', no key in it.
		if e := engineOf(t, c); e.Name != mongo.EngineFerretDB || !strings.Contains(nd.Msg, "exclusion constraint") || len(nd.Dup.Values) != 0 {
			t.Errorf("%s: unexpected refusal read as duplicates: %q (%+v)", e, nd.Msg, nd.Dup)
		}
		return
	}
	if len(nd.Dup.Values) != 1 || nd.Dup.Values[0] != `"a"` {
		t.Errorf("colliding key not read from the server's message: %+v", nd.Dup)
	}
}

func TestCreateUniqueIndexCarriesIndexOptions(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "users"}
	insert(t, db, "users", doc("_id", 1, "email", "a", "active", true))
	ctx := context.Background()
	for _, key := range []model.Key{
		{Fields: []string{"email"}, Index: "email_active", PartialFilter: `{"active":true}`},
		{Fields: []string{"nick"}, Index: "nick_sparse", Sparse: true},
	} {
		name, err := c.CreateUniqueIndex(ctx, ns, key)
		if err != nil || name != key.Index {
			t.Fatalf("CreateUniqueIndex = %q, %v", name, err)
		}
	}
	ixs, err := c.Indexes(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]model.Index{}
	for _, ix := range ixs {
		got[ix.Name] = ix
	}
	if ix := got["email_active"]; !ix.Unique || ix.Sparse || ix.PartialFilter != `{"active":true}` {
		t.Errorf("partial index options lost: %+v", ix)
	}
	if ix := got["nick_sparse"]; !ix.Unique || !ix.Sparse || ix.PartialFilter != "" {
		t.Errorf("sparse index options lost: %+v", ix)
	}
	// Both at once: MongoDB refuses (67), FerretDB too (197), mongo-java-server accepts; dupes
	// refuses it itself, in the same words on every engine, before asking the server.
	both := model.Key{Fields: []string{"email"}, Index: "email_both", Sparse: true, PartialFilter: `{"active":true}`}
	if _, err := c.CreateUniqueIndex(ctx, ns, both); err == nil || !strings.Contains(err.Error(), "cannot be both sparse and partial") {
		t.Errorf("sparse + partial: %v", err)
	}
}

// A unique index with a collation (what --ignore-case offers after a cleanup) is built where
// the engine has collations, and refused with the reason where it has none (FerretDB).
func TestCreateUniqueIndexCollation(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "users"}
	insert(t, db, "users", doc("_id", 1, "email", "a"), doc("_id", 2, "email", "b"))
	ctx := context.Background()
	key := model.Key{Fields: []string{"email"}, Index: "email_ci", Collation: &model.Collation{Locale: "en", Strength: 2}}
	_, err := c.CreateUniqueIndex(ctx, ns, key)
	if e := engineOf(t, c); !e.Collation {
		if !errors.Is(err, mongo.ErrNoCollation) || !strings.Contains(err.Error(), "create unique index email_ci on "+ns.String()) ||
			!strings.Contains(err.Error(), "--ignore-case") {
			t.Fatalf("%s: want a refusal naming the gap, got %v", e, err)
		}
		if _, err := c.FindGroup(ctx, ns, key, []model.Value{`"a"`}); !errors.Is(err, mongo.ErrNoCollation) {
			t.Fatalf("%s: FindGroup with a collation: %v", e, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("CreateUniqueIndex: %v", err)
	}
	ixs, err := c.Indexes(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	for _, ix := range ixs {
		if ix.Name == "email_ci" && (!ix.Unique || !ix.Collation.CaseInsensitive()) {
			t.Fatalf("email_ci = %+v", ix)
		}
	}
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
