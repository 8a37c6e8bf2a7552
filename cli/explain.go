package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// membersShown is how many members explain-error prints in full.
const membersShown = 20

// runExplainError is `dupes explain-error`: read an E11000 message (argument, or standard
// input with "-" or no argument) and print that very group from the live data. It only reads.
// FerretDB's duplicate-key message names only the index: --ns then says where it is, and the
// index's key comes from listIndexes.
func runExplainError(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("explain-error")
	uriFlag := fs.String("uri", "", "MongoDB URI (default $MONGODB_URI, else "+mongo.DefaultURI+")")
	nsFlag := fs.String("ns", "", "DB.COLL the error came from, when the message does not say (FerretDB's form)")
	positional, err := parse(fs, args)
	if err != nil {
		return err
	}
	uri := *uriFlag
	var words []string
	for _, p := range positional {
		if isURI(p) && uri == "" && len(words) == 0 {
			uri = p
			continue
		}
		words = append(words, p)
	}
	if uri == "" {
		uri = defaultURI()
	}
	msg := strings.Join(words, " ")
	if msg == "" && isTerminal(os.Stdin) {
		return usagef("explain-error: give the E11000 message as an argument (quoted), or pipe it in")
	}
	if msg == "" || msg == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fmt.Errorf("read the message from standard input: %w", err)
		}
		msg = string(b)
	}
	if strings.TrimSpace(msg) == "" {
		return usagef("explain-error: give the E11000 message as an argument (quoted) or on standard input")
	}
	dup, err := model.ParseE11000(msg)
	if err != nil {
		return usagef("explain-error: %v", err)
	}
	if *nsFlag != "" {
		ns, err := model.ParseNamespace(*nsFlag)
		if err != nil {
			return usagef("explain-error: --ns: %v", err)
		}
		if dup.NS.DB != "" && dup.NS != ns {
			return usagef("explain-error: the message is about %s, --ns says %s", dup.NS, ns)
		}
		dup.NS = ns
	}
	if dup.NS.DB == "" {
		return usagef("explain-error: the message names index %s but not its collection (FerretDB's form): "+
			"give it with --ns DB.COLL", dup.Index)
	}
	// Ctrl+C cancels the context, which kills the server-side cursor instead of leaving the
	// aggregation running after we are gone.
	ctx, stop := signalContext()
	defer stop()
	c, err := mongo.Connect(ctx, uri, mongo.Options{ReadOnly: true, Command: "explain-error"})
	if err != nil {
		return err
	}
	defer closeClient(c)
	if _, err := c.Collection(ctx, dup.NS); err != nil {
		return err
	}
	key, note, err := explainKey(ctx, c, dup)
	if err != nil {
		return err
	}
	if len(dup.Values) == 0 {
		return explainWithoutValues(stdout, uri, dup, key, note)
	}
	g, err := c.FindGroup(ctx, dup.NS, key, dup.Values)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "namespace: %s\nindex:     %s%s\n", dup.NS, dup.Index, note)
	for i, f := range key.Fields {
		fmt.Fprintf(stdout, "key:       %s: %s\n", f, dup.Values[i].Display())
	}
	fmt.Fprintf(stdout, "semantics: %s\n", key.Semantics())
	return printMembers(ctx, stdout, c, uri, dup.NS, key, g)
}

// explainKey finds the key the message speaks of: the index's own, when it still exists,
// else the fields the message names.
func explainKey(ctx context.Context, c *mongo.Client, dup model.DupKeyError) (model.Key, string, error) {
	ixs, err := c.Indexes(ctx, dup.NS)
	if err != nil {
		return model.Key{}, "", err
	}
	for _, ix := range ixs {
		if ix.Name != dup.Index {
			continue
		}
		if len(dup.Values) > 0 && len(ix.Fields) != len(dup.Values) {
			return model.Key{}, "", fmt.Errorf("index %s of %s has %d fields now, the message %d values: the index changed since the error",
				ix.Name, dup.NS, len(ix.Fields), len(dup.Values))
		}
		note := " (unique, on " + ix.Key().String() + ")"
		if !ix.Unique {
			note = " (exists, not unique, on " + ix.Key().String() + ")"
		}
		return ix.Key(), note, nil
	}
	if len(dup.Values) == 0 {
		return model.Key{}, "", fmt.Errorf("%s has no index %s now, and the message names neither its key fields nor the values "+
			"(FerretDB's form): scan with dupes scan --ns %s --key FIELDS", dup.NS, dup.Index, dup.NS)
	}
	if dup.Fields == nil {
		return model.Key{}, "", fmt.Errorf("%s has no index %s now, and the message does not name the key fields "+
			"(servers before 4.2 leave them out): scan with dupes scan --ns %s --key FIELDS", dup.NS, dup.Index, dup.NS)
	}
	return model.Key{Fields: dup.Fields}, " (not present now: a failed index build leaves none; grouping by the fields the message names)", nil
}

// explainWithoutValues answers a message that names the index but not the values that
// collided: the key is known, the group is not, so it says how to list every group instead.
func explainWithoutValues(w io.Writer, uri string, dup model.DupKeyError, key model.Key, note string) error {
	fmt.Fprintf(w, "namespace: %s\nindex:     %s%s\n", dup.NS, dup.Index, note)
	fmt.Fprintf(w, "key:       %s: values not in the message (this server's duplicate-key errors name only the index)\n",
		strings.Join(key.Fields, ", "))
	fmt.Fprintf(w, "semantics: %s\n", key.Semantics())
	fmt.Fprintf(w, "to list every duplicate group under this key: %s\n",
		suggestCommand("scan", uri, dup.NS, model.Key{Index: dup.Index}))
	return nil
}

func printMembers(ctx context.Context, w io.Writer, c *mongo.Client, uri string, ns model.Namespace, key model.Key, g model.Group) error {
	switch len(g.IDs) {
	case 0:
		fmt.Fprintln(w, "members:   none: no document holds this key now (deleted or changed since the error)")
		return nil
	case 1:
		fmt.Fprintln(w, "members:   1 document holds this key; the write that failed would have been its duplicate")
	default:
		fmt.Fprintf(w, "members:   %d documents\n", len(g.IDs))
	}
	docs, err := c.FetchDocs(ctx, ns, g.IDs[:min(len(g.IDs), membersShown)])
	if err != nil {
		return err
	}
	for _, d := range docs {
		fmt.Fprintf(w, "  _id: %s", d.ID.Display())
		for _, f := range key.Fields {
			v := d.Get(f)
			fmt.Fprintf(w, "  %s: %s", f, v.Display())
		}
		fmt.Fprintf(w, "  (%d fields set)\n", d.Present())
	}
	if len(g.IDs) > membersShown {
		fmt.Fprintf(w, "  … and %d more\n", len(g.IDs)-membersShown)
	}
	if len(g.IDs) > 1 {
		fmt.Fprintf(w, "to clean up: %s --keep first (then review, or resolve with --yes)\n",
			suggestCommand("resolve", uri, ns, key))
	}
	return nil
}
