package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// target holds the flags that say what to scan, shared by scan, plan, resolve, report and
// the TUI.
type target struct {
	uri, ns, key, index, filter string
	collation                   string
	ignoreCase, trim            bool
	allowMissingField           bool
	whole                       wholeFlags
	read                        readFlags
	leaseDB                     string // --lease-db, registered by the commands that delete
	cmd                         string // the subcommand, for the comment its commands carry
}

func (t *target) register(fs *flag.FlagSet) {
	t.cmd = fs.Name()
	fs.StringVar(&t.uri, "uri", "", "MongoDB URI (default $MONGODB_URI, else "+mongo.DefaultURI+")")
	fs.StringVar(&t.ns, "ns", "", "namespace DB.COLL")
	fs.StringVar(&t.key, "key", "", "key fields F[,F...]")
	fs.StringVar(&t.index, "index", "", "take the key and its options from this index")
	fs.StringVar(&t.filter, "filter", "", "query document that narrows the scan: mongosh syntax ({status: 'active'}) or JSON")
	fs.StringVar(&t.collation, "collation", "", `compare strings under this collation, as JSON ({"locale": "en", "strength": 2}); `+
		"default: the index's, else the collection's default collation")
	fs.BoolVar(&t.ignoreCase, "ignore-case", false, "strings differing only in case are duplicates")
	fs.BoolVar(&t.trim, "trim", false, "strings differing only in surrounding whitespace are duplicates")
	fs.BoolVar(&t.allowMissingField, "allow-missing-field", false,
		"go on when no sampled document has a --key field (or no group member has the max:/min: field)")
	t.whole.register(fs)
	t.read.register(fs)
}

// readFlags say how dupes reads: from which members (--read-preference) and for how long at
// most (--max-time). Every command that reads documents registers them (target does).
type readFlags struct {
	pref    string
	maxTime time.Duration
}

func (r *readFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.pref, "read-preference", "", "where the scan, samples and document reads go: "+
		strings.Join(mongo.ReadModes, ", ")+" (default: the URI's readPreference, else primary); "+
		"deletes and their checks always go to the primary")
	fs.DurationVar(&r.maxTime, "max-time", 0, "stop a scan, sample or document read that runs longer (maxTimeMS on "+
		"the server, and dupes' own deadline), with an error; 0: no limit")
}

// check refuses a mode or a duration that is no such thing, before anything connects.
func (r *readFlags) check(cmd string) error {
	if err := mongo.CheckReadPreference(r.pref); err != nil {
		return usagef("%s: --read-preference: %v", cmd, err)
	}
	if r.maxTime < 0 {
		return usagef("%s: --max-time %s: want a positive duration, or 0 for no limit", cmd, r.maxTime)
	}
	return nil
}

// options are the connection options of subcommand cmd reading as the flags say.
func (r *readFlags) options(cmd string) mongo.Options {
	return mongo.Options{Command: cmd, ReadPreference: r.pref, MaxTime: r.maxTime}
}

// command names the subcommand in the comment its commands carry: the TUI's flag set is
// named after the program.
func (t *target) command() string {
	if t.cmd == "" || t.cmd == "dupes" {
		return "tui"
	}
	return t.cmd
}

// scanRequest is a checked target: what to connect to and what to scan.
type scanRequest struct {
	uri string
	ns  model.Namespace
	key model.Key // without the index's options until resolve
	// fields are the field paths a sample of the collection holds, for did-you-mean, read
	// once (didSample) and only when one is needed.
	fields    []model.FieldInfo
	didSample bool
}

// check validates the flags before anything connects; every mistake is a usage error.
func (t *target) check(cmd string, positional []string) (scanRequest, error) {
	var r scanRequest
	uri, err := uriFrom(cmd, t.uri, positional)
	if err != nil {
		return r, err
	}
	r.uri = uri
	if err := t.read.check(cmd); err != nil {
		return r, err
	}
	if t.ns == "" {
		return r, usagef("%s: --ns DB.COLL is required", cmd)
	}
	if r.ns, err = model.ParseNamespace(t.ns); err != nil {
		return r, usagef("%s: --ns: %v", cmd, err)
	}
	if !t.hasKey() {
		return r, usagef("%s: --key F[,F...] or --index NAME is required", cmd)
	}
	r.key, err = t.buildKey(cmd)
	return r, err
}

// hasKey reports whether the flags name a key: fields, an index or the whole document.
func (t *target) hasKey() bool {
	return t.key != "" || t.index != "" || t.whole.on || t.whole.ignore != "" || t.whole.anyOrder
}

// buildKey reads the key and its options from the flags: the fields (or the index's name,
// completed by open, or the whole document), the loose modes, the filter and the collation.
// Without a key it still returns the options, which the TUI's key screen starts with.
func (t *target) buildKey(cmd string) (model.Key, error) {
	var key model.Key
	var err error
	switch {
	case t.whole.on || t.whole.ignore != "" || t.whole.anyOrder:
		if err := t.whole.check(cmd, t, &key); err != nil {
			return key, err
		}
	case t.key != "" && t.index != "":
		return key, usagef("%s: give --key or --index, not both (--index takes the key from the index)", cmd)
	case t.key != "":
		if key.Fields, err = model.ParseFields(t.key); err != nil {
			return key, usagef("%s: --key: %v", cmd, err)
		}
	case t.index != "":
		key.Index = t.index
	}
	if t.filter != "" {
		// mongosh syntax or JSON, read by the one parser the TUI's F uses too.
		f, err := model.ParseFilter(t.filter)
		if err == nil {
			err = mongo.CheckFilter(f)
		}
		if err != nil {
			return key, usagef("%s: --filter: %v", cmd, err)
		}
		t.filter = f
	}
	if t.collation != "" {
		if t.index != "" || key.WholeDocument {
			return key, usagef("%s: --collation goes with --key (an index brings its own collation)", cmd)
		}
		if key.Collation, err = model.ParseCollation(t.collation); err != nil {
			return key, usagef("%s: --collation: %v", cmd, err)
		}
	}
	key.Filter, key.IgnoreCase, key.Trim = t.filter, t.ignoreCase, t.trim
	return key, nil
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
	opt := t.read.options(t.command())
	opt.LeaseDB = t.leaseDB
	c, err := mongo.Connect(ctx, r.uri, opt)
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
	key, applied, err := r.key.WithDefaultCollation(col)
	if err != nil {
		closeClient(c)
		return nil, col, err
	}
	if applied {
		r.key = key
		fmt.Fprintf(stderr, "note: %s compares strings under its default collation (locale %s, strength %d): "+
			"the scan does too, as a unique index on it would\n", r.ns, key.Collation.Locale, key.Collation.Strength)
	}
	if err := r.checkFields(ctx, c, t, stderr); err != nil {
		closeClient(c)
		return nil, col, err
	}
	return c, col, nil
}

// checkFields refuses a --key (or --ignore) field that no document holds: a misspelled key
// makes every document "lack" it, one group of the whole collection. Each field is looked up
// with one short read that stops at the first document holding it; only when one is missing
// is the collection sampled, for a did-you-mean. --allow-missing-field turns the refusal into
// a warning. A key taken from an index is not checked: the index exists, whatever the
// documents hold.
func (r *scanRequest) checkFields(ctx context.Context, c *mongo.Client, t *target, stderr io.Writer) error {
	if t.index != "" {
		return nil
	}
	fields := append(append([]string(nil), r.key.Fields...), r.key.Ignore...)
	held := true
	for _, f := range fields {
		ok, err := c.HoldsField(ctx, r.ns, f)
		if err != nil {
			fmt.Fprintf(stderr, "warning: could not check that %s holds %s: %v\n", r.ns, f, err)
			return nil
		}
		held = held && ok
	}
	if held {
		return nil
	}
	err := model.CheckKeyFields(fields, r.sampled(ctx, c, stderr))
	if err == nil {
		// Missing from every document, yet the sample (which reads positional paths through
		// arrays) says it is there: trust the sample, as before.
		return nil
	}
	if t.allowMissingField {
		fmt.Fprintf(stderr, "warning: %v; going on (--allow-missing-field)\n", err)
		return nil
	}
	return fmt.Errorf("%w: refusing to scan (a misspelled key makes every document one group); "+
		"--allow-missing-field goes on anyway", err)
}

// sampled is the collection's sampled field paths, read once, when a did-you-mean needs them.
func (r *scanRequest) sampled(ctx context.Context, c *mongo.Client, stderr io.Writer) []model.FieldInfo {
	if !r.didSample {
		r.didSample = true
		fields, err := c.SampleFields(ctx, r.ns, 0)
		if err != nil {
			fmt.Fprintf(stderr, "warning: could not sample %s for a did-you-mean: %v\n", r.ns, err)
		}
		r.fields = fields
	}
	return r.fields
}

// paths lists the sampled field paths, most filled first: the did-you-mean candidates.
func (r *scanRequest) paths(ctx context.Context, c *mongo.Client, stderr io.Writer) []string {
	fields := r.sampled(ctx, c, stderr)
	out := make([]string, 0, len(fields))
	for _, f := range fields {
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
