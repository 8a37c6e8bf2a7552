package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

func TestConnectFailureShowsRedactedURIAndRetriesWithThePassword(t *testing.T) {
	var tried []string
	uri := "mongodb://bob:s3cret@db.example:27017/?authSource=admin"
	h := newHarness(t, func(c *Config) {
		c.Demo = false
		c.URI = uri
		c.Redact = func(s string) string { return strings.Replace(s, "s3cret", "****", 1) }
		inner := c.Connect
		c.Connect = func(ctx context.Context, u string) (Store, error) {
			tried = append(tried, u)
			if len(tried) == 1 {
				return nil, errors.New("cannot reach the server: connection refused")
			}
			return inner(ctx, u)
		}
	})
	h.wantScreen(scrConnect)
	h.wantView("Cannot connect", "bob:****@db.example", "connection refused")
	if strings.Contains(h.m.View(), "s3cret") {
		t.Fatal("the password is on screen")
	}
	h.keys("e")
	if !h.m.connect.Typing() {
		t.Fatal("e did not open the URI for editing")
	}
	if v := h.m.connect.ask.input.Value(); strings.Contains(v, "s3cret") || !strings.Contains(v, "****") {
		t.Fatalf("edit field holds %q, want the redacted URI", v)
	}
	h.keys("q") // a letter while editing, not quit
	if h.quit {
		t.Fatal("q quit while editing the URI")
	}
	h.keys("enter")
	if len(tried) != 2 {
		t.Fatalf("connect tried %d times, want 2", len(tried))
	}
	// The edit appended a stray "q" to the query string; the password is restored.
	if !strings.HasPrefix(tried[1], "mongodb://bob:s3cret@db.example") {
		t.Fatalf("retried with %q: the password was not restored", tried[1])
	}
	h.wantScreen(scrCollections)
	if h.m.ctx.Cfg.URI != tried[1] {
		t.Fatalf("the header and restore command would show %q, not the URI that worked", h.m.ctx.Cfg.URI)
	}
}

func TestRestoreSecret(t *testing.T) {
	orig := "mongodb://u:p%40ss@h:1/db"
	red := "mongodb://u:****@h:1/db"
	for _, c := range []struct{ edited, want string }{
		{red, orig},
		{"mongodb://u:****@h2:1/db", "mongodb://u:p%40ss@h2:1/db"},
		{"mongodb://u:new@h:1/db", "mongodb://u:new@h:1/db"},
		{"mongodb://h:1", "mongodb://h:1"},
	} {
		if got := restoreSecret(c.edited, orig, red); got != c.want {
			t.Errorf("restoreSecret(%q) = %q, want %q", c.edited, got, c.want)
		}
	}
	if got := restoreSecret("mongodb://x", "mongodb://h", "mongodb://h"); got != "mongodb://x" {
		t.Errorf("no password: got %q", got)
	}
}

func TestCollectionsMarkWhatCannotBeDeleted(t *testing.T) {
	h := newHarness(t, nil)
	h.wantScreen(scrCollections)
	h.wantView("crm", "shop")
	h.keys("down", "enter")
	if h.m.colls.db != "shop" {
		t.Fatalf("opened %q, want shop", h.m.colls.db)
	}
	h.wantView("view", "time-series", "system", "sku_1 (sku)", "32")
	h.keys("enter") // active_users, a view
	h.wantScreen(scrKey)
	h.keys("esc")
	h.wantScreen(scrCollections)
	h.keys("esc")
	if h.m.colls.db != "" || h.m.colls.cursor.pos != 1 {
		t.Fatalf("esc: db %q cursor %d, want the database list on shop", h.m.colls.db, h.m.colls.cursor.pos)
	}
}

func TestKeyScreenBuildsCompoundKeyWithOptions(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "crm.contacts" })
	h.wantScreen(scrKey)
	for _, f := range h.m.key.fields {
		if f.Path == "_id" {
			t.Fatal("_id offered as a key field")
		}
	}
	pick := func(path string) {
		for i, f := range h.m.key.fields {
			if f.Path == path {
				h.m.key.cursor.moveTo(i)
				h.keys("space")
				return
			}
		}
		t.Fatalf("no field %s", path)
	}
	pick("lastName")
	pick("firstName")
	pick("birthDate")
	pick("firstName") // unpick
	pick("firstName") // and pick again: now last
	h.keys("i", "t")
	h.wantView("[x] ignore case", "[x] trim", "(lastName, birthDate, firstName)")
	h.keys("enter")
	h.wantScreen(scrGroups)
	k := h.m.sess.key
	if got := strings.Join(k.Fields, ","); got != "lastName,birthDate,firstName" || !k.IgnoreCase || !k.Trim {
		t.Fatalf("key %+v", k)
	}
	if h.m.sess.sum.Groups == 0 {
		t.Fatal("no groups for the compound key")
	}
}

func TestKeyScreenStartsFromUniqueIndex(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.products" })
	h.wantView("START FROM A UNIQUE INDEX", "name_ci", "collation en strength 2")
	h.m.key.cursor.moveTo(len(h.m.key.fields) + 1)
	h.keys("enter")
	k := h.m.sess.key
	if k.Index != "name_ci" || k.Collation == nil || k.Collation.Strength != 2 {
		t.Fatalf("key %+v, want index name_ci with its collation", k)
	}
}

func TestKeyScreenFilterAndE11000Prompts(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.orders" })
	h.keys("F")
	if !h.m.key.Typing() {
		t.Fatal("F did not open the filter")
	}
	h.typ(`{"status": "paid"}`)
	h.keys("enter")
	if h.m.key.filter != `{"status": "paid"}` {
		t.Fatalf("filter %q", h.m.key.filter)
	}
	h.keys("e")
	h.typ("not an error message")
	h.keys("enter")
	h.wantScreen(scrKey)
	if h.m.key.note == "" {
		t.Fatal("a message that is no E11000 was accepted silently")
	}
}

func TestOpenOnNamespaceAndKeyLandsOnGroups(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	s := h.m.sess
	// The three documents without an email lack the key: flagged, listed first, not surplus.
	if s.sum.Groups != 8 || s.sum.Surplus != 11 || s.sum.LackingKey != 3 {
		t.Fatalf("summary %+v, want 8 groups, 11 surplus, 3 lacking the key", s.sum)
	}
	if s.groups[0].Key[0] != model.Null || s.groups[0].Count() != 3 {
		t.Fatalf("first group %v: documents missing the email should collide as null", s.groups[0])
	}
	h.wantView("8 groups · 11 surplus documents", "⚑ 3 documents lack email: left alone", "⚑ 3 documents lack email", "left alone (m)", "DEMO DATA", "undecided")

	// Ignore case finds the case variants too.
	ic := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	ic.keys("i")
	for i, f := range ic.m.key.fields {
		if f.Path == "email" {
			ic.m.key.cursor.moveTo(i)
		}
	}
	ic.keys("enter")
	if ic.m.sess.sum.Surplus <= s.sum.Surplus {
		t.Fatalf("ignore case surplus %d, exact %d: case variants not caught", ic.m.sess.sum.Surplus, s.sum.Surplus)
	}
}

func TestGroupsNavigateFilterAndMouse(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	g := h.m.groups
	h.keys("down", "down")
	if g.cursor.pos != 2 {
		t.Fatalf("cursor %d", g.cursor.pos)
	}
	h.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if g.cursor.pos != 5 {
		t.Fatalf("wheel: cursor %d, want 5", g.cursor.pos)
	}
	h.keys("/")
	if !g.Typing() {
		t.Fatal("/ did not focus the filter")
	}
	h.typ("TURING") // the debounce tick runs synchronously in the harness
	if g.query != "turing" || len(g.hits) != 1 || g.len() != 1 {
		t.Fatalf("filter %q hits %v", g.query, g.hits)
	}
	h.keys("enter")
	if g.Typing() || g.query == "" {
		t.Fatal("enter should keep the filter and leave the field")
	}
	h.keys("esc")
	if g.query != "" || g.len() != 9 {
		t.Fatalf("esc: query %q len %d", g.query, g.len())
	}
	h.keys("esc")
	h.wantScreen(scrKey)
}

func TestGroupsFilterIsIncrementalOnNewBatches(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	g := h.m.groups
	g.query, g.hits, g.upto = "example", []int32{}, 0
	g.Update(groupsMsg{id: h.m.sess.id})
	if len(g.hits) != 8 || g.upto != 9 {
		t.Fatalf("hits %v upto %d", g.hits, g.upto)
	}
	extra := model.Group{Key: []model.Value{`"zed@example.com"`}, IDs: []model.Value{`{"$numberInt":"1"}`, `{"$numberInt":"2"}`}}
	h.m.sess.add([]model.Group{extra})
	g.Update(groupsMsg{id: h.m.sess.id})
	if len(g.hits) != 9 || g.hits[8] != 9 || g.upto != 10 {
		t.Fatalf("after a batch: hits %v upto %d", g.hits, g.upto)
	}
	// A stale filter result (typing went on) is ignored.
	g.seq = 7
	g.Update(filterDoneMsg{seq: 6, query: "x"})
	if g.query != "example" {
		t.Fatal("a stale filter result was applied")
	}
}

func TestGroupScreenDiffKeepAndNextPrevious(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("down", "down", "down", "enter") // edijkstra: 3 members
	h.wantScreen(scrGroup)
	gs := h.m.group
	if gs.pos != 3 || len(gs.docs) != 3 {
		t.Fatalf("pos %d docs %d", gs.pos, len(gs.docs))
	}
	same := map[string]bool{}
	for _, r := range gs.rows {
		same[r.Path] = r.Same
	}
	if !same["name"] || same["plan"] || same["tags"] {
		t.Fatalf("diff rows %v", same)
	}
	h.wantView("Group 4 of 9", "≠ plan", "created 2024-03-09", "#3")
	if gs.keys.Keep.Enabled() != true || gs.keys.Prev.Enabled() != true {
		t.Fatal("keep/prev should be enabled")
	}
	h.keys("l", "l", "space")
	s := h.m.sess
	if s.how[3] != byHand || s.keep[3] != 2 || s.nHand != 1 || s.preview.Deletes() != 2 {
		t.Fatalf("after space: how %d keep %d nHand %d deletes %d", s.how[3], s.keep[3], s.nHand, s.preview.Deletes())
	}
	h.wantView("#3 ★ keep", "#1 ✗ delete")
	h.keys("n")
	if gs.pos != 4 || h.m.groups.cursor.pos != 4 {
		t.Fatalf("n: group %d list %d", gs.pos, h.m.groups.cursor.pos)
	}
	h.keys("p", "p")
	if gs.pos != 2 {
		t.Fatalf("p p: group %d", gs.pos)
	}
	h.m.groups.cursor.moveTo(0)
	h.send(openGroupMsg{pos: 0})
	if gs.keys.Prev.Enabled() {
		t.Fatal("p is enabled on the first group")
	}
	h.keys("esc")
	h.wantScreen(scrGroups)
}

func TestGroupScreenStacksWhenNarrow(t *testing.T) {
	if !layoutSideBySide(120, 3, 12) || layoutSideBySide(70, 3, 12) {
		t.Fatal("layout threshold")
	}
	h := openGroups(t, "shop.users", "email", nil)
	h.send(tea.WindowSizeMsg{Width: 64, Height: 40})
	h.keys("down", "down", "down", "enter")
	v := h.m.View()
	if !strings.Contains(v, "›#1  ObjectId(") || !strings.Contains(v, " #2  ObjectId(") {
		t.Fatalf("not stacked:\n%s", v)
	}
}

func TestRuleMenuOrderFirstHighlightedAndHandDecisionsKept(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.m.sess.decide(4, 1, byHand)
	h.keys("r")
	h.wantScreen(scrRules)
	if h.m.rules.cursor.pos != 0 {
		t.Fatalf("highlighted %d, want first", h.m.rules.cursor.pos)
	}
	v := h.m.View()
	order := []string{"› first", "last", "max of a field", "min of a field", "most fields"}
	at := -1
	for _, o := range order {
		i := strings.Index(v, o)
		if i <= at {
			t.Fatalf("menu order wrong at %q:\n%s", o, v)
		}
		at = i
	}
	h.keys("enter")
	h.wantScreen(scrGroups)
	s := h.m.sess
	// The group lacking the key gets the rule's keeper too, but is not counted (nor planned).
	if s.nRule != 7 || s.nHand != 1 || s.keep[4] != 1 || s.how[4] != byHand {
		t.Fatalf("nRule %d nHand %d keep[4] %d", s.nRule, s.nHand, s.keep[4])
	}
	for i := range s.groups {
		if i != 4 && (s.how[i] != byRule || s.keep[i] != 0) {
			t.Fatalf("group %d: how %d keep %d", i, s.how[i], s.keep[i])
		}
	}
	if !s.ruleSet || s.rule.Kind != model.KeepFirst {
		t.Fatalf("rule %+v", s.rule)
	}
	h.keys("r", "esc")
	h.wantScreen(scrGroups)
}

func TestRuleMaxAsksForTheField(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("r", "down", "down", "enter")
	if !h.m.rules.Typing() {
		t.Fatal("max did not ask for a field")
	}
	h.wantView("fields: name, plan")
	h.typ("updat")
	h.keys("tab", "enter") // tab completes the sampled path
	s := h.m.sess
	if s.rule.String() != "max:updatedAt" {
		t.Fatalf("rule %s", s.rule)
	}
	// In every demo user group the last member was updated last.
	for i, g := range s.groups[1:] {
		if int(s.keep[i+1]) != g.Count()-1 {
			t.Fatalf("group %d keeps #%d", i+1, s.keep[i+1]+1)
		}
	}
}

func TestReviewConfirmsByTypingTheNamespaceThenDeletes(t *testing.T) {
	h := openGroups(t, "shop.orders", "orderNo", nil)
	before := len(h.store.Docs(ns("shop.orders")))
	h.keys("D")
	h.wantScreen(scrReview)
	if h.m.review.confirm != nil {
		t.Fatal("confirmation offered with nothing decided")
	}
	h.keys("esc", "r", "enter", "D")
	r := h.m.review
	if r.confirm == nil {
		t.Fatal("no confirmation")
	}
	if a, ok := r.confirm.action.(executeMsg); !ok || len(a.plan.Groups) != h.m.sess.sum.Groups {
		t.Fatalf("the confirmation does not carry the plan: %#v", r.confirm.action)
	}
	h.wantView("to delete", "8 documents", "in memory")
	h.keys("enter")
	h.typ("shop.order")
	h.keys("enter")
	h.wantScreen(scrReview)
	h.wantView("is not shop.orders: nothing deleted")
	if n := len(h.store.Docs(ns("shop.orders"))); n != before {
		t.Fatalf("a wrong answer deleted %d documents", before-n)
	}
	h.typ("s")
	h.keys("enter")
	h.wantScreen(scrDone)
	after := len(h.store.Docs(ns("shop.orders")))
	if before-after != 8 {
		t.Fatalf("deleted %d, want 8", before-after)
	}
	if h.m.done.rep.Deleted != 8 || len(h.store.Backup(h.m.done.rep.BackupPath)) != 8 {
		t.Fatalf("report %+v", h.m.done.rep)
	}
	h.wantView("✓ Done", "deleted       8 documents", "backup")
	if h.m.sess.pending() {
		t.Fatal("an executed plan is still pending")
	}
	h.keys("esc")
	h.wantScreen(scrKey)
}

func TestDoneShowsRestoreCommandAndSkips(t *testing.T) {
	h := openGroups(t, "shop.orders", "orderNo", func(c *Config) { c.Demo = false })
	h.keys("r", "enter")
	// A member vanishes behind dupes' back: it must be skipped and reported, never counted.
	g := h.m.sess.groups[0]
	h.store.Remove(ns("shop.orders"), g.IDs[1])
	h.send(executeMsg{plan: h.m.sess.plan()})
	h.wantScreen(scrDone)
	h.wantView("skipped       1 document", "gone: the document no longer exists", "dupes restore --uri demo", "--backup memory:shop.orders.20240601T120000Z.bson")
}

func TestReviewSavesThePlanFile(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("r", "enter", "D", "w")
	if !h.m.review.Typing() {
		t.Fatal("w did not ask for a path")
	}
	path := filepath.Join(t.TempDir(), "plans", "users.json")
	h.m.review.ask.input.SetValue(path)
	h.keys("enter")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.DecodePlan(b)
	if err != nil || len(p.Groups) != 8 || p.Rule != "first" || p.DeleteMissing {
		t.Fatalf("plan %+v err %v", p, err)
	}
	h.wantView("Plan saved to " + path)
	if len(h.store.Docs(ns("shop.users"))) != 33 {
		t.Fatal("saving a plan deleted something")
	}
}

func TestReadOnlyOffersNoDelete(t *testing.T) {
	h := openGroups(t, "shop.users", "email", func(c *Config) { c.ReadOnly = true })
	h.wantView("READ-ONLY")
	h.keys("r", "enter", "D")
	r := h.m.review
	if r.confirm != nil || r.keys.Open.Enabled() {
		t.Fatal("read-only review offers a confirmation")
	}
	h.wantView("read-only (--read-only): nothing will be deleted")
	h.keys("enter")
	if r.Typing() {
		t.Fatal("enter opened a confirmation in read-only mode")
	}
	if !r.keys.Save.Enabled() {
		t.Fatal("read-only should still save the plan")
	}
}

func TestUndeletableCollectionGetsNoConfirmation(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.m.sess.col.Type = model.TypeView
	h.keys("r", "enter", "D")
	if h.m.review.confirm != nil {
		t.Fatal("a view got a delete confirmation")
	}
	h.wantView("is a view")
}

func TestQuitAsksWhenAPlanIsPending(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("q")
	if !h.quit {
		t.Fatal("q with nothing pending should quit")
	}
	h = openGroups(t, "shop.users", "email", nil)
	h.keys("r", "enter", "q")
	if h.quit || h.m.quit == nil {
		t.Fatal("q quit with a pending plan")
	}
	h.wantView("Quit and lose it? y/n")
	h.keys("n")
	if h.quit || h.m.quit != nil {
		t.Fatal("n did not cancel")
	}
	h.keys("ctrl+c", "y")
	if !h.quit {
		t.Fatal("y did not quit")
	}
}

func TestScanScreenCancelKillsTheScan(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.users"; c.Copy = func(string) error { return nil } })
	h.store.Delay = 1 << 62 // the cursor would block for ever: only cancelling ends it
	h.store.Command = func(ns model.Namespace, k model.Key) (string, error) {
		return "db." + ns.Coll + `.aggregate([{"$group": {"_id": "$` + k.Fields[0] + `"}}])`, nil
	}
	_, cmd := h.m.Update(startScanMsg{key: model.Key{Fields: []string{"email"}}})
	h.wantScreen(scrScan)
	h.wantView("Scanning shop.users by email", `db.users.aggregate([{"$group": {"_id": "$email"}}])`, "PIPELINE")
	if !h.m.scan.keys.Copy.Enabled() {
		t.Fatal("copy disabled though a clipboard is configured")
	}
	var next tea.Cmd
	for _, c := range cmd().(tea.BatchMsg) {
		if m, ok := c().(scanOpenedMsg); ok {
			_, next = h.m.Update(m)
		}
	}
	if next == nil {
		t.Fatal("the scan did not ask for its first batch")
	}
	h.keys("esc")
	h.run(next)
	s := h.m.sess
	if s.scanning || s.scanErr == nil || !strings.Contains(s.scanErr.Error(), "cancelled") {
		t.Fatalf("scanning %v err %v", s.scanning, s.scanErr)
	}
	h.wantScreen(scrScan)
	h.wantView("Scan stopped: scan cancelled")
	h.keys("esc")
	h.wantScreen(scrKey)
}

func TestExecuteScreenCancelAndProgress(t *testing.T) {
	h := newHarness(t, nil)
	e := h.m.exec
	plan := model.Plan{NS: ns("shop.orders"), Key: model.Key{Fields: []string{"orderNo"}}, Groups: []model.PlanGroup{{}, {}}}
	e.plan = plan
	e.prog = model.Progress{GroupsTotal: 2, DocsTotal: 10}
	called := false
	e.run.cancel, e.run.on = func() { called = true }, true
	e.setKeys()
	e.Update(progressMsg{GroupsDone: 1, GroupsTotal: 2, DocsDeleted: 5, DocsTotal: 10, Elapsed: 1e9})
	e.SetSize(100, 20)
	v := e.View()
	for _, want := range []string{"5 of 10 documents deleted", "5 docs/s", "ETA 1.0s", "50%"} {
		if !strings.Contains(v, want) {
			t.Fatalf("view lacks %q:\n%s", want, v)
		}
	}
	e.Update(keyMsg("esc"))
	if !called || !e.cancelling || e.keys.Back.Enabled() {
		t.Fatal("esc did not cancel")
	}
}

func TestTooSmallTerminalSaysSo(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	h.wantView("needs at least 60×16")
}

func TestHelpTogglesAndHidesTypedKeys(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("?")
	h.wantView("page down", "rule menu", "review deletes")
	if strings.Contains(h.m.View(), "keep this one") {
		t.Fatal("full help on the groups screen lists space, which does nothing there")
	}
	h.keys("?", "/")
	if strings.Contains(h.m.View(), "q quit") {
		t.Fatal("help advertises q while the filter field has the keys")
	}
}

func TestMissingNamespaceSaysSoAndEscLeadsToTheList(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.nope" })
	h.wantScreen(scrKey)
	h.wantView("no such collection", "esc goes to the collection list")
	h.keys("esc")
	h.wantScreen(scrCollections)
	h.wantView("crm", "shop")
}

func TestDoneOffersTheUniqueIndex(t *testing.T) {
	h := openGroups(t, "shop.orders", "orderNo", nil)
	h.keys("r", "enter", "D", "enter")
	h.typ("shop.orders")
	h.keys("enter")
	h.wantScreen(scrDone)
	h.wantView("Press x to build the unique index orderNo_1_present on orderNo (partial: documents lacking the key are left out of it)",
		"x create unique index") // in the help line too, where a DBA looks for keys
	h.keys("x")
	h.wantView("Build the unique index orderNo_1_present on orderNo (partial: documents lacking the key are left out of it) of", "shop.orders now? y/n")
	h.keys("n")
	if h.m.done.ask != nil || h.m.done.built != "" {
		t.Fatal("n did not decline")
	}
	h.keys("x", "y")
	if h.m.done.built != "orderNo_1_present" || h.m.done.keys.Index.Enabled() {
		t.Fatalf("built %q", h.m.done.built)
	}
	if strings.Contains(h.m.View(), "x create unique index") {
		t.Fatal("the help line still offers the index it built")
	}
	ix, _ := h.store.Indexes(context.Background(), ns("shop.orders"))
	if last := ix[len(ix)-1]; last.Name != "orderNo_1_present" || !last.Unique {
		t.Fatalf("indexes %v", ix)
	}
	h.wantView("✓ Unique index orderNo_1_present built")
}

func TestDoneIndexFailsWhileDuplicatesRemain(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.m.sess.decide(1, 0, byHand) // one group decided, eight left
	h.keys("D", "enter")
	h.typ("shop.users")
	h.keys("enter", "x", "y")
	if h.m.done.indexErr == nil || h.m.done.built != "" {
		t.Fatal("the index built although duplicates remain")
	}
	h.wantView("not built", "groups of duplicates remain")
}

func TestReadOnlyDoneOffersNoIndex(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ReadOnly = true })
	h.m.done.open(model.Report{Deleted: 3}, nil, &session{ns: ns("shop.users"), key: model.Key{Fields: []string{"email"}}})
	if h.m.done.keys.Index.Enabled() {
		t.Fatal("read-only offers to build an index")
	}
}

func TestKeyScreenPastedE11000ScansTheIndex(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.products" })
	h.keys("e")
	h.typ(`E11000 duplicate key error collection: shop.products index: name_ci dup key: { name: "mug" }`)
	h.keys("enter")
	h.wantScreen(scrGroups)
	if k := h.m.sess.key; k.Index != "name_ci" || k.Collation == nil {
		t.Fatalf("key %+v, want the index's own key", k)
	}
	h = newHarness(t, func(c *Config) { c.NS = "shop.products" })
	h.keys("e")
	h.typ(`E11000 duplicate key error collection: shop.users index: email_1 dup key: { email: "a@x.com" }`)
	h.keys("enter")
	h.wantScreen(scrKey)
	h.wantView("That error is about shop.users, not shop.products")
}

func TestBrowseGroupsWhileTheScanGoesOn(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	_, cmd := h.m.Update(startScanMsg{key: model.Key{Fields: []string{"email"}}})
	var next tea.Cmd
	for _, c := range cmd().(tea.BatchMsg) {
		if m, ok := c().(scanOpenedMsg); ok {
			_, next = h.m.Update(m)
		}
	}
	if h.m.scan.keys.Browse.Enabled() {
		t.Fatal("browse offered before any group arrived")
	}
	_, next = h.m.Update(next()) // the first batch; the scan is not over yet
	if !h.m.sess.scanning || h.m.sess.sum.Groups != 8 {
		t.Fatalf("scanning %v groups %d", h.m.sess.scanning, h.m.sess.sum.Groups)
	}
	h.wantScreen(scrScan)
	h.wantView("8 groups so far")
	h.keys("enter")
	h.wantScreen(scrGroups)
	h.wantView("scanning…")
	h.run(next) // end of the cursor
	if h.m.sess.scanning {
		t.Fatal("the scan did not end")
	}
	h.wantScreen(scrGroups)
	if strings.Contains(h.m.View(), "scanning…") {
		t.Fatal("still says scanning")
	}
	h.keys("esc")
	h.wantScreen(scrKey)
}

func TestReviewBuildsThePlanOffTheUIPath(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("r", "enter")
	r := h.m.review
	cmd := r.open(h.m.sess)
	if !r.preparing || r.keys.Open.Enabled() || r.keys.Save.Enabled() || !strings.Contains(r.View(), "Preparing the plan") {
		t.Fatal("the review offers actions before its plan exists")
	}
	r.Update(planMsg{id: h.m.sess.id + 1}) // a stale session's plan is ignored
	if !r.preparing {
		t.Fatal("a stale plan was taken")
	}
	for _, c := range cmd().(tea.BatchMsg) { // the plan, and the size estimate
		if c != nil {
			r.Update(c())
		}
	}
	if r.preparing || r.confirm == nil || len(r.plan.Groups) != 8 {
		t.Fatalf("preparing %v plan %d groups", r.preparing, len(r.plan.Groups))
	}
}

func TestStackedGroupScrollsToTheFocusedMember(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(tea.WindowSizeMsg{Width: 64, Height: 20})
	h.keys("down", "down", "down", "enter", "l")
	gs := h.m.group
	if gs.scroll == 0 || !strings.Contains(h.m.View(), "›#2") {
		t.Fatalf("scroll %d:\n%s", gs.scroll, h.m.View())
	}
	h.keys("h")
	if gs.scroll != 0 {
		t.Fatalf("back on #1: scroll %d", gs.scroll)
	}
}

// TestDatabaseListOffersNoCancel: once the databases are listed nothing is loading, so the help
// line must not offer esc to cancel (it did until the next key press).
func TestDatabaseListOffersNoCancel(t *testing.T) {
	h := newHarness(t, nil)
	h.wantScreen(scrCollections)
	h.wantView("Databases", "enter open database")
	if v := h.m.View(); strings.Contains(v, "esc cancel") {
		t.Fatalf("the loaded database list offers esc cancel:\n%s", v)
	}
}

// TestPastedE11000OpensOnItsGroup: the list opens with the cursor on the group the message
// names, not on its first row (the flagged group of documents lacking the key sorts first);
// a message that names no values (FerretDB's) says that it cannot.
func TestPastedE11000OpensOnItsGroup(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	h.keys("e")
	h.typ(`E11000 duplicate key error collection: shop.users index: email_1 dup key: { email: "jmccarthy@example.com" }`)
	h.keys("enter")
	h.wantScreen(scrGroups)
	g := h.m.sess.groups[h.m.groups.at(h.m.groups.cursor.pos)]
	if len(g.Key) != 1 || g.Key[0] != `"jmccarthy@example.com"` || h.m.groups.cursor.pos == 0 {
		t.Fatalf("the cursor is on row %d, group %v", h.m.groups.cursor.pos, g.Key)
	}
	h = newHarness(t, func(c *Config) { c.NS = "shop.users" })
	h.keys("e")
	h.typ(`write exception: write errors: [Duplicate key violation on the requested collection: Index 'email_1']`)
	h.keys("enter")
	h.wantScreen(scrGroups)
	if h.m.groups.cursor.pos != 0 {
		t.Fatalf("a message without values moved the cursor to %d", h.m.groups.cursor.pos)
	}
}
