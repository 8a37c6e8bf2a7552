package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/ui"
)

// demoDelay paces the demo's scan and run so the spinner and progress bar are seen.
const demoDelay = 600 * time.Millisecond

// runTUI starts the terminal UI: dupes [URI] [--ns DB.COLL] [--key F[,F...] | --index NAME]
// [--ignore-case] [--trim] [--filter Q] [--plan FILE] [--backup DIR] [--read-only] [--mouse]
// [--demo].
func runTUI(args []string, stdout, stderr io.Writer) error {
	cfg, opt, err := tuiConfig(args)
	if err != nil {
		return err
	}
	if !cfg.Demo && mongo.LacksPassword(cfg.URI) {
		// Asked on the terminal before the screen is taken, as mongosh asks.
		if cfg.URI, err = askPassword(cfg.URI, "has a user and no password", stderr); err != nil {
			return err
		}
	}
	if cfg.Plan != nil && !cfg.Demo {
		if cfg.Interrupted, err = mongo.InterruptedRun(cfg.BackupDir, *cfg.Plan); err != nil {
			fmt.Fprintf(stderr, "warning: could not look for an interrupted run of the plan in %s: %v\n", cfg.BackupDir, err)
		}
	}
	var opened []*mongo.Client
	var mu sync.Mutex
	if cfg.Demo {
		st := memstore.Demo()
		st.Delay, st.ExecBatch = demoDelay, 2
		cfg.Connect = func(context.Context, string) (ui.Store, error) { return st, nil }
	} else {
		readOnly := cfg.ReadOnly
		cfg.Connect = func(ctx context.Context, uri string) (ui.Store, error) {
			c, err := mongo.Connect(ctx, uri, mongo.Options{ReadOnly: readOnly})
			if err != nil {
				return nil, err
			}
			mu.Lock()
			opened = append(opened, c)
			mu.Unlock()
			return mongoStore{c}, nil
		}
	}
	if os.Getenv("NO_COLOR") != "" {
		// lipgloss reads NO_COLOR too; said here so the promise does not hang on a default.
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	out := termenv.NewOutput(os.Stdout)
	cfg.Copy = func(s string) error { out.Copy(s); return nil }

	// The mouse is left to the terminal unless asked for: selecting text (an _id, an error)
	// works as everywhere else. --mouse gives the wheel to the lists instead.
	progOpts := []tea.ProgramOption{tea.WithAltScreen()}
	if opt.mouse {
		progOpts = append(progOpts, tea.WithMouseCellMotion())
	}
	p := tea.NewProgram(ui.New(cfg), progOpts...)
	_, err = p.Run()
	mu.Lock()
	for _, c := range opened {
		closeClient(c)
	}
	mu.Unlock()
	return err
}

// tuiOptions are the TUI's flags that are not the UI's business.
type tuiOptions struct {
	mouse bool
}

// tuiFlags declares the TUI's flags; its help text is what dupes --help prints for them.
func tuiFlags() *flag.FlagSet {
	fs := newFlags("dupes")
	fs.String("ns", "", "namespace DB.COLL to open")
	fs.String("key", "", "key fields F[,F...]; with --ns opens on the scan's groups")
	fs.String("index", "", "with --ns: scan the key of this index, with its options")
	fs.Bool("ignore-case", false, "strings differing only in case are duplicates")
	fs.Bool("trim", false, "strings differing only in surrounding whitespace are duplicates")
	fs.String("filter", "", "only documents matching this query: mongosh syntax ({status: 'active'}) or JSON")
	fs.String("plan", "", "open on a saved plan file and its decisions (offers to resume an interrupted run)")
	fs.String("backup", defaultBackupDir(), "directory for the run's backup")
	fs.Bool("read-only", false, "never write")
	fs.Bool("mouse", false, "capture the mouse (wheel scrolls the lists); without it, the terminal selects text")
	fs.Bool("demo", false, "built-in demo data, no server")
	fs.Bool("allow-missing-field", false, "scan a --key field that no sampled document has")
	return fs
}

// tuiConfig reads the TUI's command line.
func tuiConfig(args []string) (ui.Config, tuiOptions, error) {
	fs := tuiFlags()
	pos, err := parse(fs, args)
	if err != nil {
		return ui.Config{}, tuiOptions{}, err
	}
	get := func(name string) string { return fs.Lookup(name).Value.String() }
	on := func(name string) bool { return get(name) == "true" }
	ns, keyFlag, demo := get("ns"), get("key"), on("demo")
	cfg := ui.Config{URI: defaultURI(), Redact: mongo.Redact, NS: ns, BackupDir: get("backup"), ReadOnly: on("read-only"),
		Demo: demo, AllowMissingField: on("allow-missing-field"), IgnoreCase: on("ignore-case"), Trim: on("trim"), Index: get("index")}
	opt := tuiOptions{mouse: on("mouse")}
	switch {
	case len(pos) > 1:
		return cfg, opt, usagef("one URI at most, got %d arguments", len(pos))
	case len(pos) == 1 && demo:
		return cfg, opt, usagef("--demo uses built-in data: it takes no URI")
	case len(pos) == 1:
		cfg.URI = pos[0]
	}
	if demo {
		cfg.URI = "demo"
	}
	if ns != "" {
		if _, err := model.ParseNamespace(ns); err != nil {
			return cfg, opt, usagef("--ns: %v", err)
		}
	}
	switch {
	case keyFlag != "" && cfg.Index != "":
		return cfg, opt, usagef("give --key or --index, not both (--index takes the key from the index)")
	case (keyFlag != "" || cfg.Index != "") && ns == "":
		return cfg, opt, usagef("--key and --index need --ns DB.COLL: which collection should be scanned?")
	case keyFlag != "":
		if cfg.Key, err = model.ParseFields(keyFlag); err != nil {
			return cfg, opt, usagef("--key: %v", err)
		}
	}
	if f := get("filter"); f != "" {
		if cfg.Filter, err = model.ParseFilter(f); err == nil {
			err = mongo.CheckFilter(cfg.Filter)
		}
		if err != nil {
			return cfg, opt, usagef("--filter: %v", err)
		}
	}
	if path := get("plan"); path != "" {
		if ns != "" || keyFlag != "" || cfg.Index != "" {
			return cfg, opt, usagef("--plan names its namespace and key: give it without --ns, --key or --index")
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, opt, fmt.Errorf("read the plan: %w", err)
		}
		p, err := model.DecodePlan(b)
		if err != nil {
			return cfg, opt, fmt.Errorf("plan %s: %w", path, err)
		}
		cfg.Plan = &p
	}
	return cfg, opt, nil
}

// mongoStore adapts the driver adapter to the UI's Store interface.
type mongoStore struct{ c *mongo.Client }

func (s mongoStore) Databases(ctx context.Context) ([]model.Database, error) {
	return s.c.Databases(ctx)
}

func (s mongoStore) Collections(ctx context.Context, db string) ([]model.Collection, error) {
	return s.c.Collections(ctx, db)
}

func (s mongoStore) Indexes(ctx context.Context, ns model.Namespace) ([]model.Index, error) {
	return s.c.Indexes(ctx, ns)
}

func (s mongoStore) SampleFields(ctx context.Context, ns model.Namespace, n int) ([]model.FieldInfo, error) {
	return s.c.SampleFields(ctx, ns, n)
}

func (s mongoStore) Scan(ctx context.Context, ns model.Namespace, key model.Key) (ui.GroupCursor, error) {
	cur, err := s.c.Scan(ctx, ns, key)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return cur, nil
}

// AvgDocSize lets the review estimate the backup's size (ui.SizeEstimator).
func (s mongoStore) AvgDocSize(ctx context.Context, ns model.Namespace) (int64, error) {
	return s.c.AvgDocSize(ctx, ns)
}

func (s mongoStore) PipelineJSON(key model.Key) (string, error) { return mongo.PipelineJSON(key) }

func (s mongoStore) FetchDocs(ctx context.Context, ns model.Namespace, ids []model.Value) ([]model.Doc, error) {
	return s.c.FetchDocs(ctx, ns, ids)
}

func (s mongoStore) Keepers(ctx context.Context, ns model.Namespace, rule model.KeepRule, groups []model.Group) ([]int, error) {
	return s.c.Keepers(ctx, ns, rule, groups)
}

// ShardKey lets the TUI offer a unique index a sharded collection accepts (ui.ShardKeyer).
func (s mongoStore) ShardKey(ctx context.Context, ns model.Namespace) (model.ShardKey, error) {
	return s.c.ShardKey(ctx, ns)
}

// CreateUniqueIndex builds the offered index; when an index of that name exists and is not
// unique, the error says so in a type (model.IndexExistsError) the done screen offers a fix for.
func (s mongoStore) CreateUniqueIndex(ctx context.Context, ns model.Namespace, key model.Key) (string, error) {
	name, err := s.c.CreateUniqueIndex(ctx, ns, key)
	if err == nil || name == "" {
		return name, err
	}
	if ixs, lerr := s.c.Indexes(ctx, ns); lerr == nil {
		for _, ix := range ixs {
			if ix.Name == name && !ix.Unique {
				return name, &model.IndexExistsError{NS: ns, Name: name, Err: err}
			}
		}
	}
	return name, err
}

// MakeUnique and DropIndex fix an existing non-unique index of the offered name (ui.IndexFixer).
func (s mongoStore) MakeUnique(ctx context.Context, ns model.Namespace, name string) error {
	err := s.c.MakeUnique(ctx, ns, name)
	if errors.Is(err, mongo.ErrNoCollModUnique) {
		return fmt.Errorf("%w: %s", ui.ErrCannotMakeUnique, strings.TrimPrefix(err.Error(), mongo.ErrNoCollModUnique.Error()+": "))
	}
	return err
}

func (s mongoStore) DropIndex(ctx context.Context, ns model.Namespace, name string) error {
	return s.c.DropIndex(ctx, ns, name)
}

// Collations says whether the server builds indexes with a collation (ui.CollationChecker):
// FerretDB has none, so no unique index can ignore case there.
func (s mongoStore) Collations(ctx context.Context) (bool, string, error) {
	e, err := s.c.Engine(ctx)
	return e.Collation, e.String(), err
}

func (s mongoStore) Execute(ctx context.Context, plan model.Plan, backupDir string, progress func(model.Progress)) (model.Report, error) {
	return s.c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: backupDir, Progress: progress})
}
