package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"github.com/dupes-tui/dupes/memstore"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/ui"
)

// demoDelay paces the demo's scan and run so the spinner and progress bar are seen.
const demoDelay = 600 * time.Millisecond

// runTUI starts the terminal UI: dupes [URI] [--ns DB.COLL] [--key F[,F...] | --index NAME]
// [--ignore-case] [--trim] [--filter Q] [--plan FILE] [--backup DIR] [--batch-size N]
// [--max-rate N] [--max-lag D] [--pause-file F] [--read-only] [--mouse] [--demo].
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
		desc, finished, err := mongo.PriorRun(cfg.BackupDir, *cfg.Plan)
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "warning: could not look for an earlier run of the plan in %s: %v\n", cfg.BackupDir, err)
		case finished:
			cfg.Applied = desc
		default:
			cfg.Interrupted = desc
		}
	}
	// SIGUSR1 toggles a pause as in apply and resolve (the --pause-file flag's help says so);
	// the execute screen's p is the other way, and says which one holds the run.
	pause := watchPause()
	defer pause.stop()
	cfg.Pace.Hold = pause.hold
	var opened []*mongo.Client
	var mu sync.Mutex
	if cfg.Demo {
		st := demoStore()
		cfg.Connect = func(context.Context, string) (ui.Store, error) { return st, nil }
	} else {
		readOnly := cfg.ReadOnly
		cfg.Connect = func(ctx context.Context, uri string) (ui.Store, error) {
			o := opt.read.options("tui")
			o.ReadOnly, o.LeaseDB = readOnly, opt.leaseDB
			c, err := mongo.Connect(ctx, uri, o)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			opened = append(opened, c)
			mu.Unlock()
			return mongoStore{c}, nil
		}
	}
	setUpColours()
	out := termenv.NewOutput(os.Stdout)
	cfg.Copy = func(s string) error { out.Copy(s); return nil }
	if !cfg.Demo {
		cfg.WithPassword = mongo.WithPassword
		cfg.PriorRun = mongo.PriorRun // the review and the next scan say what an earlier run did
	}

	// The mouse is left to the terminal unless asked for: selecting text (an _id, an error)
	// works as everywhere else. --mouse gives the wheel to the lists instead.
	// Bubble Tea's own handler would turn SIGTERM into an immediate quit, even mid-run; the
	// UI is told instead, so a run finishes its batch and stays resumable (as apply does).
	// ctrl+c typed in the terminal is a key (raw mode) and never reaches this.
	progOpts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithoutSignalHandler()}
	if opt.mouse {
		progOpts = append(progOpts, tea.WithMouseCellMotion())
	}
	p := tea.NewProgram(ui.New(cfg), progOpts...)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for range sigs {
			p.Send(ui.TerminateMsg{})
		}
	}()
	_, err = p.Run()
	signal.Stop(sigs)
	close(sigs)
	mu.Lock()
	for _, c := range opened {
		closeClient(c)
	}
	mu.Unlock()
	return err
}

// setUpColours gives lipgloss a renderer that reads the terminal as the user has it. The
// default one was made while internal/noquery held TERM=dumb, so that no command waits on a
// colour query at start; only the TUI asks for the background colour, once, only when it
// owns a terminal on both ends, and for at most bgQueryTimeout (bgcolour.go) where termenv
// would wait five seconds. A terminal that does not say is taken as dark.
func setUpColours() {
	termenv.SetDefaultOutput(termenv.NewOutput(os.Stdout))
	r := lipgloss.NewRenderer(os.Stdout)
	dark := true
	if term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()) {
		if d, ok := queryBackground(os.Stdin, os.Stdout, bgQueryTimeout); ok {
			dark = d
		}
	}
	r.SetHasDarkBackground(dark)
	lipgloss.SetDefaultRenderer(r)
	if os.Getenv("NO_COLOR") != "" {
		// lipgloss reads NO_COLOR too; said here so the promise does not hang on a default.
		lipgloss.SetColorProfile(termenv.Ascii)
	}
}

// tuiOptions are the TUI's flags that are not the UI's business.
type tuiOptions struct {
	mouse   bool
	leaseDB string
	read    readFlags // --read-preference, --max-time
}

// tuiFlagSet is the TUI's command line as declared: the scan's flags (target) and a run's pace
// (the same group as apply's and resolve's), the rest read by name from the set.
type tuiFlagSet struct {
	target
	pace paceFlags
}

// tuiFlags declares the TUI's flags: what to scan is the same flag group as dupes scan's
// (target), and how a run shares a busy primary the same as apply's (paceFlags), so every
// scan and pace flag works here too; the rest are the TUI's own. Its help text is what
// dupes --help prints.
func tuiFlags(f *tuiFlagSet) *flag.FlagSet {
	fs := newFlags("dupes")
	t := &f.target
	t.register(fs)
	f.pace.register(fs, mongo.ExecBatchDocs)
	leaseDBFlag(fs, &t.leaseDB)
	fs.String("plan", "", "open on a saved plan file and its decisions (offers to resume an interrupted run)")
	fs.String("backup", defaultBackupDir(), "directory for the run's backup")
	fs.Bool("read-only", false, "never write")
	fs.Bool("mouse", false, "capture the mouse (wheel scrolls the lists); without it, the terminal selects text")
	fs.Bool("demo", false, "built-in demo data, no server")
	return fs
}

// tuiConfig reads the TUI's command line.
func tuiConfig(args []string) (ui.Config, tuiOptions, error) {
	var f tuiFlagSet
	fs := tuiFlags(&f)
	t := &f.target
	pos, err := parse(fs, args)
	if err != nil {
		return ui.Config{}, tuiOptions{}, err
	}
	get := func(name string) string { return fs.Lookup(name).Value.String() }
	on := func(name string) bool { return get(name) == "true" }
	demo := on("demo")
	cfg := ui.Config{Redact: mongo.Redact, NS: t.ns, BackupDir: get("backup"), ReadOnly: on("read-only"),
		Demo: demo, AllowMissingField: t.allowMissingField}
	opt := tuiOptions{mouse: on("mouse"), leaseDB: t.leaseDB, read: t.read}
	if err := checkLeaseDB("dupes", t.leaseDB); err != nil {
		return cfg, opt, err
	}
	if err := t.read.check("dupes"); err != nil {
		return cfg, opt, err
	}
	if err := f.pace.check("dupes"); err != nil {
		return cfg, opt, err
	}
	cfg.Pace = model.Pace{BatchSize: f.pace.batchSize, MaxRate: f.pace.maxRate, MaxLag: f.pace.maxLag, PauseFile: f.pace.pauseFile}
	if demo && (len(pos) > 0 || t.uri != "") {
		return cfg, opt, usagef("--demo uses built-in data: it takes no URI")
	}
	if cfg.URI, err = uriFrom("dupes", t.uri, pos); err != nil {
		return cfg, opt, err
	}
	if demo {
		cfg.URI = "demo"
	}
	if t.ns != "" {
		if _, err := model.ParseNamespace(t.ns); err != nil {
			return cfg, opt, usagef("--ns: %v", err)
		}
	}
	if t.hasKey() && t.ns == "" {
		return cfg, opt, usagef("--key, --index and --whole-document need --ns DB.COLL: which collection should be scanned?")
	}
	if cfg.Key, err = t.buildKey("dupes"); err != nil {
		return cfg, opt, err
	}
	if path := get("plan"); path != "" {
		if t.ns != "" || t.hasKey() {
			return cfg, opt, usagef("--plan names its namespace and key: give it without --ns, --key or --index")
		}
		p, err := loadPlan(path)
		if err != nil {
			return cfg, opt, err
		}
		cfg.Plan = &p
	}
	return cfg, opt, nil
}

// demoStore is --demo's data, slowed to a server's pace, with the scan screen showing the
// aggregation dupes sends MongoDB for the key: what a viewer copies is what dupes runs.
func demoStore() *memstore.Store {
	st := memstore.Demo()
	st.Delay, st.ExecBatch = demoDelay, 2
	st.Command = mongo.MongoshCommand
	return st
}
