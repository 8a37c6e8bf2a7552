package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// target holds the flags that say what to scan, shared by scan, plan and resolve.
type target struct {
	uri, ns, key, index, filter string
	ignoreCase, trim            bool
	allowMissingField           bool
	whole                       wholeFlags
}

func (t *target) register(fs *flag.FlagSet) {
	fs.StringVar(&t.uri, "uri", "", "MongoDB URI (default $MONGODB_URI, else "+mongo.DefaultURI+")")
	fs.StringVar(&t.ns, "ns", "", "namespace DB.COLL")
	fs.StringVar(&t.key, "key", "", "key fields F[,F...]")
	fs.StringVar(&t.index, "index", "", "take the key and its options from this index")
	fs.StringVar(&t.filter, "filter", "", "query document (relaxed Extended JSON) that narrows the scan")
	fs.BoolVar(&t.ignoreCase, "ignore-case", false, "strings differing only in case are duplicates")
	fs.BoolVar(&t.trim, "trim", false, "strings differing only in surrounding whitespace are duplicates")
	fs.BoolVar(&t.allowMissingField, "allow-missing-field", false,
		"go on when no sampled document has a --key field (or no group member has the max:/min: field)")
	t.whole.register(fs)
}

// scanRequest is a checked target: what to connect to and what to scan.
type scanRequest struct {
	uri string
	ns  model.Namespace
	key model.Key // without the index's options until resolve
	// fields are the field paths a sample of the collection holds, for did-you-mean.
	fields []model.FieldInfo
}

// check validates the flags before anything connects; every mistake is a usage error.
func (t *target) check(cmd string, positional []string) (scanRequest, error) {
	var r scanRequest
	uri, err := uriFrom(cmd, t.uri, positional)
	if err != nil {
		return r, err
	}
	r.uri = uri
	if t.ns == "" {
		return r, usagef("%s: --ns DB.COLL is required", cmd)
	}
	if r.ns, err = model.ParseNamespace(t.ns); err != nil {
		return r, usagef("%s: --ns: %v", cmd, err)
	}
	switch {
	case t.whole.on || t.whole.ignore != "" || t.whole.anyOrder:
		if err := t.whole.check(cmd, t, &r.key); err != nil {
			return r, err
		}
	case t.key != "" && t.index != "":
		return r, usagef("%s: give --key or --index, not both (--index takes the key from the index)", cmd)
	case t.key == "" && t.index == "":
		return r, usagef("%s: --key F[,F...] or --index NAME is required", cmd)
	case t.key != "":
		if r.key.Fields, err = model.ParseFields(t.key); err != nil {
			return r, usagef("%s: --key: %v", cmd, err)
		}
	}
	if t.filter != "" {
		if err := mongo.CheckFilter(t.filter); err != nil {
			return r, usagef("%s: --filter: %v", cmd, err)
		}
	}
	r.key.Filter, r.key.IgnoreCase, r.key.Trim = t.filter, t.ignoreCase, t.trim
	return r, nil
}

// uriFrom takes --uri, or one positional mongodb:// argument, or the default.
func uriFrom(cmd, flagURI string, positional []string) (string, error) {
	uri := flagURI
	for _, p := range positional {
		if !isURI(p) {
			return "", usagef("%s: unexpected argument %q", cmd, p)
		}
		if uri != "" {
			return "", usagef("%s: two URIs given", cmd)
		}
		uri = p
	}
	if uri == "" {
		uri = defaultURI()
	}
	return uri, nil
}

func isURI(s string) bool {
	return strings.HasPrefix(s, "mongodb://") || strings.HasPrefix(s, "mongodb+srv://")
}

// open connects, checks the collection, and completes the key from --index.
func (r *scanRequest) open(ctx context.Context, t *target, stderr io.Writer) (*mongo.Client, model.Collection, error) {
	c, err := mongo.Connect(ctx, r.uri, mongo.Options{})
	if err != nil {
		return nil, model.Collection{}, err
	}
	col, err := c.Collection(ctx, r.ns)
	if err != nil {
		closeClient(c)
		return nil, col, err
	}
	if t.index != "" {
		ix, err := findIndex(ctx, c, r.ns, t.index)
		if err != nil {
			closeClient(c)
			return nil, col, err
		}
		if !ix.Unique {
			fmt.Fprintf(stderr, "note: index %s is not unique; scanning with its key and options\n", ix.Name)
		}
		k := ix.Key()
		k.Filter, k.IgnoreCase, k.Trim = r.key.Filter, r.key.IgnoreCase, r.key.Trim
		r.key = k
	}
	if err := r.checkFields(ctx, c, t, stderr); err != nil {
		closeClient(c)
		return nil, col, err
	}
	return c, col, nil
}

// checkFields samples the collection's field paths and refuses a --key field that no sampled
// document holds: a misspelled key makes every document "lack" it, one group of the whole
// collection. --allow-missing-field turns the refusal into a warning. A key taken from an
// index is not checked: the index exists, whatever the documents hold.
func (r *scanRequest) checkFields(ctx context.Context, c *mongo.Client, t *target, stderr io.Writer) error {
	fields, err := c.SampleFields(ctx, r.ns, 0)
	if err != nil {
		fmt.Fprintf(stderr, "warning: could not sample %s to check the key's fields: %v\n", r.ns, err)
		return nil
	}
	r.fields = fields
	if t.index != "" {
		return nil
	}
	err = model.CheckKeyFields(append(append([]string(nil), r.key.Fields...), r.key.Ignore...), fields)
	if err == nil {
		return nil
	}
	if t.allowMissingField {
		fmt.Fprintf(stderr, "warning: %v; going on (--allow-missing-field)\n", err)
		return nil
	}
	return fmt.Errorf("%w: refusing to scan (a misspelled key makes every document one group); "+
		"--allow-missing-field goes on anyway", err)
}

// paths lists the sampled field paths, most filled first: the did-you-mean candidates.
func (r *scanRequest) paths() []string {
	out := make([]string, 0, len(r.fields))
	for _, f := range r.fields {
		if f.Path != "_id" {
			out = append(out, f.Path)
		}
	}
	return out
}

// findIndex looks an index up by name, listing the others when it is not there.
func findIndex(ctx context.Context, c *mongo.Client, ns model.Namespace, name string) (model.Index, error) {
	ixs, err := c.Indexes(ctx, ns)
	if err != nil {
		return model.Index{}, err
	}
	var names []string
	for _, ix := range ixs {
		if ix.Name == name {
			return ix, nil
		}
		names = append(names, ix.Name)
	}
	return model.Index{}, fmt.Errorf("%s has no index named %q (its indexes: %s)", ns, name, strings.Join(names, ", "))
}

// scanResult is a whole scan: the groups, and those cut at MaxGroupIDs with their true counts.
type scanResult struct {
	groups    []model.Group
	oversized []mongo.Oversized
	summary   model.Summary
}

// scanAll runs the scan to the end, reporting progress on a terminal.
func scanAll(ctx context.Context, c *mongo.Client, ns model.Namespace, key model.Key, prog *progress) (scanResult, error) {
	var res scanResult
	cur, err := c.Scan(ctx, ns, key)
	if err != nil {
		return res, err
	}
	defer closeScan(cur)
	for {
		gs, err := cur.NextBatch(ctx, mongo.ScanBatchSize)
		res.groups = append(res.groups, gs...)
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		prog.printf("scanning %s: %d groups so far", ns, len(res.groups))
	}
	prog.done()
	res.oversized = cur.Oversized()
	res.summary = summarize(res.groups, res.oversized)
	return res, nil
}

// closeScan closes a scan's cursor even when the scan's ctx is cancelled: that is when the
// server's cursor must go.
func closeScan(cur *mongo.Cursor) {
	cctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = cur.Close(cctx)
}

// summarize counts the groups, at their true sizes: a group cut at MaxGroupIDs counts all of
// its members (as lacking the key, when it does: the usual case of a large group).
func summarize(groups []model.Group, oversized []mongo.Oversized) model.Summary {
	s := model.Summarize(groups)
	for _, o := range oversized {
		if (model.Group{Key: o.Key}).LacksKey() {
			s.LackingKey += o.Count - o.Listed
			continue
		}
		s.Documents += o.Count - o.Listed
		s.Surplus += o.Count - o.Listed
	}
	return s
}

// trueCount is a group's member count, the server's when its ids were cut short.
func (res scanResult) trueCount(g model.Group) int {
	for _, o := range res.oversized {
		if len(o.Key) == len(g.Key) && o.Listed == len(g.IDs) && sameValues(o.Key, g.Key) {
			return o.Count
		}
	}
	return g.Count()
}

// whole returns the groups a plan may act on: those listed in full. The others are reported,
// except a group lacking the key that the plan leaves alone anyway.
func (res scanResult) whole(stderr io.Writer, deleteMissing bool) []model.Group {
	if len(res.oversized) == 0 {
		return res.groups
	}
	out := make([]model.Group, 0, len(res.groups))
	for _, g := range res.groups {
		if n := res.trueCount(g); n > g.Count() {
			if g.LacksKey() && !deleteMissing {
				continue
			}
			fmt.Fprintf(stderr, "warning: group %s has %d documents, more than one scan lists (%d): it is left out of the plan; "+
				"narrow the scan with --filter to clean it up\n", keyText(g.Key), n, g.Count())
			continue
		}
		out = append(out, g)
	}
	return out
}

func sameValues(a, b []model.Value) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// keyText renders a group's key values: "a@x.com" or ("Lee", "Oslo").
func keyText(vals []model.Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = v.Display()
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// progress writes a self-overwriting status line to stderr, only when stderr is a terminal,
// so scripts and logs get clean output.
type progress struct {
	w     io.Writer
	shown bool
}

func newProgress(stderr io.Writer) *progress {
	if f, ok := terminalFile(stderr); ok {
		return &progress{w: f}
	}
	return &progress{}
}

// isTerminal reports a character device: a terminal (or /dev/null, harmlessly).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) printf(format string, a ...any) {
	if p == nil || p.w == nil {
		return
	}
	// The line bypasses the terminal guard (it writes its own \r and erase): its text is
	// escaped here instead, a namespace being data too.
	fmt.Fprint(p.w, "\r\033[K"+model.SafeText(fmt.Sprintf(format, a...)))
	p.shown = true
}

func (p *progress) done() {
	if p != nil && p.w != nil && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
