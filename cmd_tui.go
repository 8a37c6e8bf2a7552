package main

import (
	"context"
	"io"
	"os"
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

// runTUI starts the terminal UI: dupes [URI] [--ns DB.COLL] [--key F[,F...]] [--backup DIR]
// [--read-only] [--demo].
func runTUI(args []string, stdout, stderr io.Writer) error {
	cfg, err := tuiConfig(args)
	if err != nil {
		return err
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

	p := tea.NewProgram(ui.New(cfg), tea.WithAltScreen(), tea.WithMouseCellMotion())
	_, err = p.Run()
	mu.Lock()
	for _, c := range opened {
		closeClient(c)
	}
	mu.Unlock()
	return err
}

// tuiConfig reads the TUI's command line.
func tuiConfig(args []string) (ui.Config, error) {
	fs := newFlags("dupes")
	ns := fs.String("ns", "", "namespace DB.COLL to open")
	keyFlag := fs.String("key", "", "key fields F[,F...]; with --ns opens on the scan's groups")
	backup := fs.String("backup", defaultBackupDir(), "directory for the run's backup")
	readOnly := fs.Bool("read-only", false, "never write")
	demo := fs.Bool("demo", false, "built-in demo data, no server")
	allowMissing := fs.Bool("allow-missing-field", false, "scan a --key field that no sampled document has")
	pos, err := parse(fs, args)
	if err != nil {
		return ui.Config{}, err
	}
	cfg := ui.Config{URI: defaultURI(), Redact: mongo.Redact, NS: *ns, BackupDir: *backup, ReadOnly: *readOnly, Demo: *demo, AllowMissingField: *allowMissing}
	switch {
	case len(pos) > 1:
		return cfg, usagef("one URI at most, got %d arguments", len(pos))
	case len(pos) == 1 && *demo:
		return cfg, usagef("--demo uses built-in data: it takes no URI")
	case len(pos) == 1:
		cfg.URI = pos[0]
	}
	if *demo {
		cfg.URI = "demo"
	}
	if *ns != "" {
		if _, err := model.ParseNamespace(*ns); err != nil {
			return cfg, usagef("--ns: %v", err)
		}
	}
	if *keyFlag != "" {
		if *ns == "" {
			return cfg, usagef("--key needs --ns DB.COLL: which collection should be scanned?")
		}
		if cfg.Key, err = model.ParseFields(*keyFlag); err != nil {
			return cfg, usagef("--key: %v", err)
		}
	}
	return cfg, nil
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

func (s mongoStore) CreateUniqueIndex(ctx context.Context, ns model.Namespace, key model.Key) (string, error) {
	return s.c.CreateUniqueIndex(ctx, ns, key)
}

func (s mongoStore) Execute(ctx context.Context, plan model.Plan, backupDir string, progress func(model.Progress)) (model.Report, error) {
	return s.c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: backupDir, Progress: progress})
}
