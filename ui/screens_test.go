package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/memstore"
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
	h.wantView("URI › mongodb://bob:****@db.example:27017/?authSource=admin")
	if strings.Contains(h.m.View(), "s3cret") {
		t.Fatal("the edit field holds the password")
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
	// The header (and the restore command) show the URI that worked, not the one given.
	h.wantView("mongodb://bob:****@db.example:27017/?authSource=adminq")
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
	h.wantView("Collections of shop", "view", "time-series", "system", "sku_1 (sku)", "32")
	h.keys("enter") // active_users, a view
	h.wantScreen(scrKey)
	h.keys("esc")
	h.wantScreen(scrCollections)
	h.wantView("Collections of shop")
	h.keys("esc")
	h.wantView("Databases")
	if got := cursorLine(h.m.View()); !strings.Contains(got, "shop") {
		t.Fatalf("esc: the database list's cursor is on %q, want shop", got)
	}
}

func TestKeyScreenBuildsCompoundKeyWithOptions(t *testing.T) {
	sh := openScreen(t, Config{}, memstore.Demo(), openKeyMsg{ns: ns("crm.contacts")})
	if fields := fieldRows(" " + strings.ReplaceAll(sh.s.View(), "\n", "\n ")); slices.Contains(fields, "_id") || len(fields) == 0 {
		t.Fatalf("fields offered: %v (never _id)", fields)
	}
	for _, f := range []string{"lastName", "firstName", "birthDate", "firstName", "firstName"} { // firstName off, then on: last
		sh.cursorTo(f)
		sh.keys("space")
	}
	sh.keys("i", "t")
	sh.wantView("[x] ignore case", "[x] trim", "(lastName, birthDate, firstName)")
	sh.keys("enter")
	c, ok := last[keyChosenMsg](sh)
	if !ok {
		t.Fatal("enter chose no key")
	}
	if k := c.key; strings.Join(k.Fields, ",") != "lastName,birthDate,firstName" || !k.IgnoreCase || !k.Trim || c.ns != ns("crm.contacts") {
		t.Fatalf("chose %+v on %s", k, c.ns)
	}
	// The root scans it: the groups of the compound key.
	h := newHarness(t, func(c *Config) { c.NS = "crm.contacts" })
	h.send(c)
	h.wantScreen(scrGroups)
	h.wantView("KEY (lastName, birthDate, firstName)", "ignore case; trim whitespace")
	if number(t, h.m.View(), "group") == 0 {
		t.Fatal("no groups for the compound key")
	}
}

func TestKeyScreenStartsFromUniqueIndex(t *testing.T) {
	sh := openScreen(t, Config{}, memstore.Demo(), openKeyMsg{ns: ns("shop.products")})
	sh.wantView("START FROM A UNIQUE INDEX", "name_ci", "collation en strength 2")
	sh.cursorTo("name_ci")
	sh.keys("enter")
	c, _ := last[keyChosenMsg](sh)
	if k := c.key; k.Index != "name_ci" || k.Collation == nil || k.Collation.Strength != 2 {
		t.Fatalf("key %+v, want index name_ci with its collation", k)
	}
}

func TestKeyScreenFilterAndE11000Prompts(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.orders" })
	h.keys("F")
	h.wantView("filter › ")
	h.typ(`{"status": "paid"}`)
	h.keys("enter")
	h.wantView(`filter (F): {"status": "paid"}`)
	h.keys("e")
	h.typ("not an error message")
	h.keys("enter")
	h.wantScreen(scrKey)
	h.wantView("Could not read that message")
}

func TestOpenOnNamespaceAndKeyLandsOnGroups(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	// The three documents without an email lack the key: flagged, listed first, not surplus.
	h.wantView("8 groups · 11 surplus documents", "⚑ 3 documents lack email: left alone", "left alone (m)", "DEMO DATA", "undecided")
	if got := cursorLine(h.m.View()); !strings.Contains(got, "⚑ 3 documents lack email") || !strings.Contains(got, " 3  left alone") {
		t.Fatalf("first row %q: documents missing the email should collide as null, first", got)
	}
	exact := number(t, h.m.View(), "surplus documents")

	// Ignore case finds the case variants too.
	ic := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	ic.keys("i")
	ic.cursorTo("email")
	ic.keys("enter")
	if got := number(t, ic.m.View(), "surplus documents"); got <= exact {
		t.Fatalf("ignore case surplus %d, exact %d: case variants not caught", got, exact)
	}
}

func TestGroupsNavigateFilterAndMouse(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	row := func() int { return rowOfCursor(t, h.m.View(), "KEY email") }
	h.keys("down", "down")
	if row() != 2 {
		t.Fatalf("cursor on row %d", row())
	}
	h.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if row() != 5 {
		t.Fatalf("wheel: cursor on row %d, want 5", row())
	}
	h.keys("/")
	h.wantView("/ ", "enter keep filter")
	h.typ("TURING") // the debounce tick runs synchronously in the harness
	h.wantView("1 of 8")
	if rows := len(listRows(h.m.View(), "KEY email")); rows != 1 {
		t.Fatalf("the filter shows %d rows", rows)
	}
	h.keys("enter")
	h.wantView("1 of 8")
	if strings.Contains(h.m.View(), "enter keep filter") {
		t.Fatal("enter should keep the filter and leave the field")
	}
	h.keys("esc")
	if rows := len(listRows(h.m.View(), "KEY email")); rows != 9 || strings.Contains(h.m.View(), " of 8") {
		t.Fatalf("esc: %d rows\n%s", rows, h.m.View())
	}
	h.keys("esc")
	h.wantScreen(scrKey)
}

// TestGroupsFilterIsIncrementalOnNewBatches: a filter set while the scan goes on takes in the
// groups of each new batch; a stale filter result (typing went on) is ignored.
func TestGroupsFilterIsIncrementalOnNewBatches(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.NS = "shop.users"
		c.Connect = func(context.Context, string) (Store, error) { return splitScan{memstore.Demo(), 4}, nil }
	})
	batches := 0
	h.hold = func(msg tea.Msg) bool { // the batches after the first wait
		_, ok := msg.(groupsMsg)
		if ok {
			batches++
		}
		return ok && batches > 1
	}
	h.cursorTo("email")
	h.keys("enter")
	h.wantView("3 groups so far") // and the flagged group of the documents lacking an email
	h.keys("enter")               // browse
	h.wantScreen(scrGroups)
	h.keys("/")
	h.typ("example")
	h.wantView("3 of 3")
	h.hold = nil
	h.release()
	h.wantView("8 of 8")
	if rows := len(listRows(h.m.View(), "KEY email")); rows != 8 {
		t.Fatalf("%d rows after the last batch, want the 8 matching groups", rows)
	}
	before := h.m.View()
	h.send(filterDoneMsg{seq: -1, query: "x"})
	if h.m.View() != before {
		t.Fatal("a stale filter result was applied")
	}
}

// splitScan is the demo store whose scans deliver their first groups in a batch of their own.
type splitScan struct {
	*memstore.Store
	first int
}

func (s splitScan) Scan(ctx context.Context, ns model.Namespace, k model.Key) (GroupCursor, error) {
	cur, err := s.Store.Scan(ctx, ns, k)
	return &splitCursor{GroupCursor: cur, first: s.first}, err
}

type splitCursor struct {
	GroupCursor
	first int
}

func (c *splitCursor) NextBatch(ctx context.Context, max int) ([]model.Group, error) {
	if c.first > 0 {
		max, c.first = c.first, 0
	}
	return c.GroupCursor.NextBatch(ctx, max)
}

func TestGroupScreenDiffKeepAndNextPrevious(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("down", "down", "down", "enter") // edijkstra: 3 members
	h.wantScreen(scrGroup)
	h.wantView("Group 4 of 9", "edijkstra", "3 members", "≠ plan", "≠ tags", "   name ", "created 2024-03-09", "#3")
	if strings.Contains(h.m.View(), "≠ name") {
		t.Fatal("name, the same in every member, is marked as differing")
	}
	h.wantView("space keep this one", "p previous group")
	h.keys("l", "l", "space")
	s := h.m.sess
	if s.nHand != 1 || s.preview.Deletes() != 2 {
		t.Fatalf("after space: nHand %d deletes %d", s.nHand, s.preview.Deletes())
	}
	h.wantView("#3 ★ keep", "#1 ✗ delete", "#2 ✗ delete")
	h.keys("n")
	h.wantView("Group 5 of 9")
	h.keys("p", "p")
	h.wantView("Group 3 of 9")
	h.keys("p", "p")
	h.wantView("Group 1 of 9")
	if strings.Contains(h.m.View(), "p previous group") {
		t.Fatal("p is offered on the first group")
	}
	h.keys("p") // nothing before the first
	h.wantView("Group 1 of 9")
	h.keys("n", "n", "esc")
	h.wantScreen(scrGroups)
	if row := rowOfCursor(t, h.m.View(), "KEY email"); row != 2 {
		t.Fatalf("back on the list, the cursor is on row %d, want the last group shown (2)", row)
	}
	if got := cursorLine(h.m.View()); !strings.Contains(got, "aturing") {
		t.Fatalf("cursor on %q", got)
	}
	h.cursorTo("edijkstra")
	h.wantView("hand: keep #3")
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
	h.cursorTo("fallen")
	h.keys("enter", "l", "space", "esc") // a hand choice: keep #2
	h.keys("r")
	h.wantScreen(scrRules)
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
	if s.nRule != 7 || s.nHand != 1 {
		t.Fatalf("nRule %d nHand %d", s.nRule, s.nHand)
	}
	h.wantView("rule: first", "decided 8 (1 by hand)")
	for _, l := range listRows(h.m.View(), "KEY email")[1:] {
		want := "rule: keep #1"
		if strings.Contains(l, "fallen") {
			want = "hand: keep #2"
		}
		if !strings.Contains(l, want) {
			t.Fatalf("row %q, want %s", l, want)
		}
	}
	h.keys("r", "esc")
	h.wantScreen(scrGroups)
}

func TestRuleMaxAsksForTheField(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("r", "down", "down", "enter")
	h.wantView("max of a field: which field?", "field › ", "fields: name, plan")
	h.typ("updat")
	h.keys("tab", "enter") // tab completes the sampled path
	h.wantScreen(scrGroups)
	h.wantView("rule: max:updatedAt")
	// In every demo user group the last member was updated last.
	for _, l := range listRows(h.m.View(), "KEY email")[1:] {
		members := strings.Fields(l)[len(strings.Fields(l))-4]
		if !strings.HasSuffix(l, "rule: keep #"+members) {
			t.Fatalf("row %q does not keep its last member", l)
		}
	}
}

func TestReviewConfirmsByTypingTheNamespaceThenDeletes(t *testing.T) {
	h := openGroups(t, "shop.orders", "orderNo", nil)
	before := len(h.store.Docs(ns("shop.orders")))
	h.keys("D")
	h.wantScreen(scrReview)
	h.wantView("No group has a keeper yet")
	if strings.Contains(h.m.View(), "Press enter to confirm") {
		t.Fatal("confirmation offered with nothing decided")
	}
	h.keys("esc", "r", "enter", "D")
	h.wantView("Press enter to confirm by typing shop.orders", "to delete", "8 documents", "in memory")
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
	h.wantView("✓ Done", "deleted       8 documents", "backup        memory:")
	if n := len(h.store.Backup(backupPath(t, h.m.View()))); n != 8 {
		t.Fatalf("the backup holds %d documents, want 8", n)
	}
	if h.m.sess.pending() {
		t.Fatal("an executed plan is still pending")
	}
	h.keys("esc")
	h.wantScreen(scrKey)
}

// TestReviewConfirmationCarriesThePlan: the typed confirmation's answer is the plan reviewed,
// every decided group in it; nothing else starts a run.
func TestReviewConfirmationCarriesThePlan(t *testing.T) {
	h := openGroups(t, "shop.orders", "orderNo", nil)
	ruleFirst(h)
	sh := openScreen(t, Config{Demo: true}, h.store, openReviewMsg{sess: h.m.sess})
	sh.keys("enter")
	if _, ok := last[executeMsg](sh); ok {
		t.Fatal("enter alone started the run")
	}
	sh.typ("shop.orders")
	sh.keys("enter")
	run, ok := last[executeMsg](sh)
	if !ok || len(run.plan.Groups) != 8 || run.plan.Deletes() != 8 || run.plan.NS != ns("shop.orders") {
		t.Fatalf("the confirmation does not carry the plan: %+v", run)
	}
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
	h.wantView("save plan to › dupes-plan-shop.users-")
	path := filepath.Join(t.TempDir(), "plans", "users.json")
	h.keys("ctrl+u")
	h.typ(path)
	h.keys("enter")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.DecodePlan(b)
	if err != nil || len(p.Groups) != 8 || p.Rule != "first" || p.DeleteMissing {
		t.Fatalf("plan %+v err %v", p, err)
	}
	h.wantView("Plan saved to "+path, "✓ Plan saved to")
	if len(h.store.Docs(ns("shop.users"))) != 33 {
		t.Fatal("saving a plan deleted something")
	}
}

func TestReadOnlyOffersNoDelete(t *testing.T) {
	h := openGroups(t, "shop.users", "email", func(c *Config) { c.ReadOnly = true })
	h.wantView("READ-ONLY")
	h.keys("r", "enter", "D")
	h.wantView("read-only (--read-only): nothing will be deleted", "w export the plan file")
	if strings.Contains(helpLine(h.m.View()), "enter") {
		t.Fatal("read-only review offers a confirmation")
	}
	h.keys("enter")
	if strings.Contains(h.m.View(), "type shop.users") {
		t.Fatal("enter opened a confirmation in read-only mode")
	}
}

func TestUndeletableCollectionGetsNoConfirmation(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.m.sess.col.Type = model.TypeView
	h.keys("r", "enter", "D")
	h.wantView("is a view")
	if v := h.m.View(); strings.Contains(v, "Press enter to confirm") || strings.Contains(helpLine(v), "enter") {
		t.Fatal("a view got a delete confirmation")
	}
}

func TestQuitAsksWhenAPlanIsPending(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("q")
	if !h.quit {
		t.Fatal("q with nothing pending should quit")
	}
	h = openGroups(t, "shop.users", "email", nil)
	h.keys("r", "enter", "q")
	if h.quit {
		t.Fatal("q quit with a pending plan")
	}
	h.wantView("Quit and lose it? y/n")
	h.keys("n")
	if h.quit || strings.Contains(h.m.View(), "Quit and lose it") {
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
	_, cmd := h.m.Update(keyChosenMsg{ns: ns("shop.users"), key: model.Key{Fields: []string{"email"}}})
	h.wantScreen(scrScan)
	h.wantView("Scanning shop.users by email", `db.users.aggregate([{"$group": {"_id": "$email"}}])`, "PIPELINE", "c copy pipeline", "esc cancel scan")
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
	h.wantScreen(scrScan)
	h.wantView("Scan stopped: scan cancelled", "esc back to key")
	h.keys("esc")
	h.wantScreen(scrKey)
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
	h.wantView("Build the unique index orderNo_1_present on orderNo (partial: documents lacking the key are left out of it) of", "shop.orders now? y/n",
		"y yes (any other key: no)")
	h.keys("n")
	h.wantView("Press x to build the unique index")
	if strings.Contains(h.m.View(), "now? y/n") {
		t.Fatal("n did not decline")
	}
	h.keys("x", "y")
	h.wantView("✓ Unique index orderNo_1_present built")
	if strings.Contains(h.m.View(), "x create unique index") {
		t.Fatal("the help line still offers the index it built")
	}
	ix, _ := h.store.Indexes(context.Background(), ns("shop.orders"))
	if last := ix[len(ix)-1]; last.Name != "orderNo_1_present" || !last.Unique {
		t.Fatalf("indexes %v", ix)
	}
}

func TestDoneIndexFailsWhileDuplicatesRemain(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.keys("down", "enter", "space", "esc") // one group decided, seven left
	h.keys("D", "enter")
	h.typ("shop.users")
	h.keys("enter", "x", "y")
	h.wantView("not built", "groups of duplicates remain")
	if strings.Contains(h.m.View(), "✓ Unique index") {
		t.Fatal("the index built although duplicates remain")
	}
}

func TestReadOnlyDoneOffersNoIndex(t *testing.T) {
	sess := &session{ns: ns("shop.users"), key: model.Key{Fields: []string{"email"}}}
	for _, ro := range []bool{false, true} {
		sh := openScreen(t, Config{ReadOnly: ro}, memstore.Demo(), openDoneMsg{report: model.Report{Deleted: 3}, sess: sess})
		if sh.offers("x") == ro {
			t.Fatalf("read-only %v: x offered %v", ro, sh.offers("x"))
		}
	}
}

func TestKeyScreenPastedE11000ScansTheIndex(t *testing.T) {
	sh := openScreen(t, Config{}, memstore.Demo(), openKeyMsg{ns: ns("shop.products")})
	sh.keys("e")
	sh.typ(`E11000 duplicate key error collection: shop.products index: name_ci dup key: { name: "mug" }`)
	sh.keys("enter")
	c, _ := last[keyChosenMsg](sh)
	if k := c.key; k.Index != "name_ci" || k.Collation == nil || len(c.target) != 1 || c.target[0] != `"mug"` {
		t.Fatalf("chose %+v, want the index's own key and the group it names", c)
	}
	h := newHarness(t, func(c *Config) { c.NS = "shop.products" })
	h.keys("e")
	h.typ(`E11000 duplicate key error collection: shop.users index: email_1 dup key: { email: "a@x.com" }`)
	h.keys("enter")
	h.wantScreen(scrKey)
	h.wantView("That error is about shop.users, not shop.products")
}

func TestBrowseGroupsWhileTheScanGoesOn(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.NS = "shop.users" })
	h.hold = func(msg tea.Msg) bool { _, ok := msg.(scanOpenedMsg); return ok } // the cursor waits
	h.cursorTo("email")
	h.keys("enter")
	h.wantScreen(scrScan)
	if strings.Contains(h.m.View(), "browse") {
		t.Fatal("browse offered before any group arrived")
	}
	h.hold = func(msg tea.Msg) bool { g, ok := msg.(groupsMsg); return ok && g.done }
	h.release() // the cursor opens, its first batch arrives; the scan is not over yet
	h.wantScreen(scrScan)
	h.wantView("8 groups so far", "enter browse groups so far")
	h.keys("enter")
	h.wantScreen(scrGroups)
	h.wantView("scanning…")
	h.hold = nil
	h.release()
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
	sh := newScreen(t, Config{Demo: true}, h.store, scrReview)
	cmd := sh.update(openReviewMsg{sess: h.m.sess})
	sh.wantView("Preparing the plan")
	if sh.s.Busy() != true || sh.offers("enter") || sh.offers("w") {
		t.Fatal("the review offers actions before its plan exists")
	}
	sh.send(planMsg{id: h.m.sess.id + 1}) // a stale session's plan is ignored
	sh.wantView("Preparing the plan")
	sh.run(cmd) // the plan, and the size estimate
	sh.wantView("WHAT WILL BE DELETED  1/9", "Press enter to confirm by typing shop.users")
	if !sh.offers("enter") || !sh.offers("w") {
		t.Fatal("the review's plan is there, its actions are not offered")
	}
}

func TestStackedGroupScrollsToTheFocusedMember(t *testing.T) {
	h := openGroups(t, "shop.users", "email", nil)
	h.send(tea.WindowSizeMsg{Width: 64, Height: 20})
	h.keys("down", "down", "down", "enter")
	first := func() string { return strings.Split(h.m.View(), "\n")[4] } // under the title and the legend
	if !strings.HasPrefix(first(), " ›#1") {
		t.Fatalf("the group opens on #1, at its top:\n%s", h.m.View())
	}
	h.keys("l")
	if !strings.HasPrefix(first(), " ›#2") {
		t.Fatalf("l: #2 is not at the top:\n%s", h.m.View())
	}
	h.keys("h")
	if !strings.HasPrefix(first(), " ›#1") {
		t.Fatalf("h: back on #1, not at the top:\n%s", h.m.View())
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
	if got := cursorLine(h.m.View()); !strings.Contains(got, `"jmccarthy@example.com"`) {
		t.Fatalf("the cursor is on %q", got)
	}
	h = newHarness(t, func(c *Config) { c.NS = "shop.users" })
	h.keys("e")
	h.typ(`write exception: write errors: [Duplicate key violation on the requested collection: Index 'email_1']`)
	h.keys("enter")
	h.wantScreen(scrGroups)
	if got := cursorLine(h.m.View()); !strings.Contains(got, "⚑ 3 documents lack email") {
		t.Fatalf("a message without values moved the cursor to %q", got)
	}
}
