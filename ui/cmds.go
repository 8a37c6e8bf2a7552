package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/internal/atomicfile"
	"github.com/dupes-tui/dupes/model"
)

// Every Cmd constructor here takes copies of what it needs, so nothing reads the model from
// the Cmd's goroutine. Results come back as the typed messages below, failures as ErrorMsg.

// connectedMsg says the store is open, on uri (the one given, or as edited on the connect
// screen).
type connectedMsg struct {
	store Store
	uri   string
}

func connectCmd(ctx context.Context, connect Connector, uri string) tea.Cmd {
	return func() tea.Msg {
		st, err := connect(ctx, uri)
		if err != nil {
			return ErrorMsg{Where: "connect", Err: err}
		}
		return connectedMsg{store: st, uri: uri}
	}
}

// databasesMsg lists the deployment's databases.
type databasesMsg struct{ dbs []model.Database }

func databasesCmd(ctx context.Context, st Store) tea.Cmd {
	return func() tea.Msg {
		dbs, err := st.Databases(ctx)
		if err != nil {
			return ErrorMsg{Where: "list databases", Err: err}
		}
		return databasesMsg{dbs: dbs}
	}
}

// collectionsMsg lists one database's collections with their indexes.
type collectionsMsg struct {
	db      string
	cols    []model.Collection
	indexes [][]model.Index // per collection; nil for views
}

// maxIndexLookups bounds the round trips a database with thousands of collections costs.
const maxIndexLookups = 200

func collectionsCmd(ctx context.Context, st Store, db string) tea.Cmd {
	return func() tea.Msg {
		cols, err := st.Collections(ctx, db)
		if err != nil {
			return ErrorMsg{Where: "list collections", Err: err}
		}
		idx := make([][]model.Index, len(cols))
		for i, c := range cols {
			if c.Type != model.TypeCollection || i >= maxIndexLookups {
				continue
			}
			if idx[i], err = st.Indexes(ctx, c.NS); err != nil {
				return ErrorMsg{Where: "list indexes", Err: err}
			}
		}
		return collectionsMsg{db: db, cols: cols, indexes: idx}
	}
}

// keyDataMsg carries what the key screen offers: the collection, its indexes, sampled fields.
type keyDataMsg struct {
	col       model.Collection
	indexes   []model.Index
	fields    []model.FieldInfo
	sampleErr error // the sample failed: fields is empty
}

// sampleSize is how many documents the key screen samples for field paths.
const sampleSize = 1000

// keyDataCmd reads a collection's description (when not already known), indexes and fields.
func keyDataCmd(ctx context.Context, st Store, ns model.Namespace, known *model.Collection, indexes []model.Index) tea.Cmd {
	return func() tea.Msg {
		var col model.Collection
		if known != nil {
			col = *known
		} else {
			cols, err := st.Collections(ctx, ns.DB)
			if err != nil {
				return ErrorMsg{Where: "open " + ns.String(), Err: err}
			}
			found := false
			for _, c := range cols {
				if c.NS == ns {
					col, found = c, true
				}
			}
			if !found {
				return ErrorMsg{Where: "open " + ns.String(), Err: fmt.Errorf("no such collection (database %q has %d collections)", ns.DB, len(cols))}
			}
		}
		if indexes == nil && col.Type == model.TypeCollection {
			var err error
			if indexes, err = st.Indexes(ctx, ns); err != nil {
				return ErrorMsg{Where: "list indexes", Err: err}
			}
		}
		// A failed sample is a warning, not a dead end: the key screen says so, R retries, and
		// a key given on the command line is scanned without it.
		fields, err := st.SampleFields(ctx, ns, sampleSize)
		return keyDataMsg{col: col, indexes: indexes, fields: fields, sampleErr: err}
	}
}

// scanOpenedMsg says the scan's cursor is open.
type scanOpenedMsg struct {
	id  int
	cur GroupCursor
}

// groupsMsg is one batch of groups from a scan; done marks the end (err says why, if early).
type groupsMsg struct {
	id     int
	cur    GroupCursor // to read the next batch from
	groups []model.Group
	done   bool
	err    error
}

// scanBatch is how many groups one message carries: large enough that a million groups is a
// thousand messages, small enough that the first screenful shows at once.
const scanBatch = 1000

func openScanCmd(ctx context.Context, st Store, id int, ns model.Namespace, key model.Key) tea.Cmd {
	return func() tea.Msg {
		cur, err := st.Scan(ctx, ns, key)
		if err != nil {
			return groupsMsg{id: id, done: true, err: err}
		}
		return scanOpenedMsg{id: id, cur: cur}
	}
}

// nextGroupsCmd reads one batch; the root re-queues it until the scan ends (glow's pattern).
func nextGroupsCmd(ctx context.Context, id int, cur GroupCursor) tea.Cmd {
	return func() tea.Msg {
		gs, err := cur.NextBatch(ctx, scanBatch)
		switch {
		case errors.Is(err, io.EOF):
			_ = cur.Close(context.Background())
			return groupsMsg{id: id, groups: gs, done: true}
		case err != nil:
			_ = cur.Close(context.Background())
			if ctx.Err() != nil {
				err = errors.New("scan cancelled")
			}
			return groupsMsg{id: id, groups: gs, done: true, err: err}
		}
		return groupsMsg{id: id, groups: gs, cur: cur}
	}
}

// docsMsg carries the members of one group.
type docsMsg struct {
	group int
	docs  []model.Doc
}

func docsCmd(ctx context.Context, st Store, ns model.Namespace, group int, ids []model.Value) tea.Cmd {
	return func() tea.Msg {
		docs, err := st.FetchDocs(ctx, ns, ids)
		if err != nil {
			return ErrorMsg{Where: "read the group's documents", Err: err}
		}
		return docsMsg{group: group, docs: docs}
	}
}

// mergePreviewMsg is a group's merged keeper, for the merge options and keeper it was asked for.
type mergePreviewMsg struct {
	group, keep int
	opt         model.MergeOptions
	merged      model.Merged
	err         error
}

func mergePreviewCmd(ctx context.Context, st Store, ns model.Namespace, rule model.KeepRule, opt model.MergeOptions,
	group, keep int, ids []model.Value) tea.Cmd {
	members := make([]model.Value, 0, len(ids))
	for i, id := range ids {
		if i != keep {
			members = append(members, id)
		}
	}
	return func() tea.Msg {
		m, err := st.MergePreview(ctx, ns, rule, opt, ids[keep], members)
		return mergePreviewMsg{group: group, keep: keep, opt: opt, merged: m, err: err}
	}
}

// keepersMsg is a rule's choice for the listed groups.
type keepersMsg struct {
	id     int
	rule   model.KeepRule
	groups []int32 // indexes into the session's groups
	keep   []int
}

// keepersCmd applies a rule to the target groups (nil: every group). It takes the groups
// slice as it stands (groups are only ever appended) and picks the groups itself, so a million
// of them cost the UI nothing. Hand choices are computed too but win in the session (settle):
// u on such a group then falls back to the rule's keeper at once.
func keepersCmd(ctx context.Context, st Store, id int, ns model.Namespace, rule model.KeepRule, all []model.Group, targets []int32, paths []string) tea.Cmd {
	return func() tea.Msg {
		idx := targets
		if idx == nil {
			idx = make([]int32, len(all))
			for i := range all {
				idx[i] = int32(i)
			}
		}
		groups := make([]model.Group, len(idx))
		for j, gi := range idx {
			groups[j] = all[gi]
		}
		keep, err := st.Keepers(ctx, ns, rule, groups)
		var uf *model.UnknownFieldError
		if errors.As(err, &uf) {
			uf.Suggestion = model.Closest(uf.Field, paths)
		}
		if err != nil {
			return ErrorMsg{Where: "apply rule " + rule.String(), Err: err}
		}
		return keepersMsg{id: id, rule: rule, groups: idx, keep: keep}
	}
}

// previewMsg is the model planner's account of a session's decisions (seq: which version of
// them) and, when asked for (surplus >= 0), the surplus of a cleanup of every group.
type previewMsg struct {
	id, seq int
	res     model.PlanResult
	surplus int
	of      surplusInputs // what the surplus was computed from
}

func previewCmd(id, seq int, snap planSnapshot, withSurplus bool, of surplusInputs) tea.Cmd {
	return func() tea.Msg {
		msg := previewMsg{id: id, seq: seq, res: snap.result(), surplus: -1, of: of}
		if withSurplus {
			msg.surplus = snap.surplus()
		}
		return msg
	}
}

// ShardKeyer is what a Store offers when it can tell a sharded collection's shard key (the
// real adapter); a Store without it is taken as unsharded (the demo store).
type ShardKeyer interface {
	ShardKey(ctx context.Context, ns model.Namespace) (model.ShardKey, error)
}

// shardMsg carries the shard key of a session's collection.
type shardMsg struct {
	id  int
	key model.ShardKey
	err error
}

func shardCmd(ctx context.Context, st Store, id int, ns model.Namespace) tea.Cmd {
	sk, ok := st.(ShardKeyer)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		k, err := sk.ShardKey(ctx, ns)
		return shardMsg{id: id, key: k, err: err}
	}
}

// keyFoundMsg is the group whose key a pasted E11000 named (-1: none), for the list to open on.
type keyFoundMsg struct{ id, gi int }

// findKeyCmd looks, off the UI's goroutine, for the group whose key the index would take for
// key (an E11000's value may be spelled otherwise than the scan's, 1 for 1.0): the scan's own
// spelling first, then the key generator's equality. The groups are a finished scan's,
// which nothing changes any more.
func findKeyCmd(id int, spec model.KeySpec, groups []model.Group, key []model.Value) tea.Cmd {
	return func() tea.Msg {
		for gi, g := range groups {
			if slices.Equal(g.Key, key) {
				return keyFoundMsg{id: id, gi: gi}
			}
		}
		want := spec.KeyID(model.IndexKey(key))
		for gi, g := range groups {
			if spec.KeyID(model.IndexKey(g.Key)) == want {
				return keyFoundMsg{id: id, gi: gi}
			}
		}
		return keyFoundMsg{id: id, gi: -1}
	}
}

// planSavedMsg says the plan file was written.
type planSavedMsg struct{ path string }

func savePlanCmd(path string, plan model.Plan) tea.Cmd {
	return func() tea.Msg {
		if err := writePlan(path, plan); err != nil {
			return ErrorMsg{Where: "save the plan", Err: err}
		}
		return planSavedMsg{path: path}
	}
}

// writePlan writes a plan file whole or not at all, making its directory if needed.
func writePlan(path string, plan model.Plan) error {
	b, err := model.EncodePlan(plan)
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	return atomicfile.Write(path, b) // the plan file's one writer, as dupes plan's
}

// progressMsg is one batch done.
type progressMsg model.Progress

// reportMsg ends a run.
type reportMsg struct {
	report model.Report
	err    error
}

// execCmd starts the run in its own goroutine and returns its first event; waitExecCmd reads
// the next ones, so progress arrives one message at a time.
func execCmd(ctx context.Context, st Store, plan model.Plan, backupDir string, pace model.Pace) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan tea.Msg, 8)
		go func() {
			rep, err := st.Execute(ctx, plan, backupDir, pace, func(p model.Progress) {
				select {
				case ch <- progressMsg(p):
				default: // the screen is behind: skip a frame, the next one carries the totals
				}
			})
			ch <- reportMsg{report: rep, err: err}
			close(ch)
		}()
		return execEvent{ch: ch, msg: <-ch}
	}
}

// execEvent is one message of a run (progressMsg or reportMsg) with the channel the next
// one comes from.
type execEvent struct {
	ch  chan tea.Msg
	msg tea.Msg
}

func waitExecCmd(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return execEvent{ch: ch, msg: msg}
	}
}

// filterDoneMsg is a filter's result over a snapshot of the groups.
type filterDoneMsg struct {
	seq   int
	query string
	upto  int     // groups examined: the snapshot's length
	hits  []int32 // matching group indexes
}

func filterCmd(seq int, query string, groups []model.Group) tea.Cmd {
	return func() tea.Msg {
		return filterDoneMsg{seq: seq, query: query, upto: len(groups), hits: filterGroups(groups, 0, query, nil)}
	}
}

// filterGroups appends the indexes (offset by base) of groups matching query.
func filterGroups(groups []model.Group, base int, lowerQuery string, hits []int32) []int32 {
	for i := range groups {
		if matches(groups[i], lowerQuery) {
			hits = append(hits, int32(base+i))
		}
	}
	return hits
}
