// Command bench measures dupes at scale against the per-group script it replaces (run by real
// mongosh: bench/dedupe.js) and against the server's own aggregation time, on a
// mongo-java-server it launches with a sized heap (or on $MONGODB_URI / -uri). Every
// comparison is measured side by side in one run, rounds interleaved, because the machines it
// runs on are noisy. See BENCHMARKS.md.
//
//	go run ./bench                       # everything, results in bench/results/
//	go run ./bench -only probe -sizes 10000,100000
//	go run ./bench -uri mongodb://127.0.0.1:30500/ -only memory
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// config is the command line.
type config struct {
	uri         string
	xmx         string
	sizes       []int
	ratio       float64
	rounds      int
	only        map[string]bool
	out         string
	cmpDocs     int
	cmpGroups   int
	resDocs     int
	resGroups   int
	baselineMax int
	resolveMax  int
	fetchSizes  []int
	execBatches []int
	memSizes    []int
	mongosh     string
	goBaseline  bool
	batchSizes  []int
	rates       []int
	dupes       string // a dupes binary to measure instead of building this module's
	batchArgs   string // flags added to the batch commands of batchmem and rate
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	var cfg config
	var sizes, only string
	flag.StringVar(&cfg.uri, "uri", os.Getenv("MONGODB_URI"), "server to use instead of launching mongo-java-server (its memory is then not measured)")
	flag.StringVar(&cfg.xmx, "xmx", "8g", "mongo-java-server's maximum heap (-Xmx)")
	flag.StringVar(&sizes, "sizes", "10000,20000,50000,100000,1000000", "document counts of the scaling curve")
	flag.Float64Var(&cfg.ratio, "ratio", 0.15, "duplicate groups per document in the scaling curve (200 000 docs → 30 000 groups)")
	flag.IntVar(&cfg.rounds, "rounds", 3, "interleaved rounds of each side-by-side comparison")
	flag.StringVar(&only, "only", "probe,compare,scan,phases,batches,curve,go", "experiments to run: probe (server lookups by shape), compare (resolve vs the mongosh script), scan (scan vs bare aggregation), phases (resolve by step), batches (batch-size trade-offs), curve (scan and resolve by size), go (UI and decode benchmarks, no server), memory (resolve's peak RSS at -memory-sizes; not in the default set), batchmem (peak RSS of resolve, restore and apply on 400 documents of 2 MiB and 2 000 of 1 KiB), batchsize (apply's run by --batch-size at -docs), rate (the rate apply --max-rate achieves at -rates), pacecost (resolve with a throttle and lag checks that never pause, against plain, through rsproxy); the last four not in the default set, floor (resolve vs the engine's floor: bare scan, unguarded deleteMany by _id, backup write; not in the default set)")
	flag.StringVar(&cfg.mongosh, "mongosh", "", "mongosh binary for the script baseline (default: the one ../shared/clients/install.sh pins, installed when missing)")
	flag.StringVar(&cfg.dupes, "dupes", "", "measure this dupes binary (e.g. an older commit's, built in a git worktree) instead of building this module")
	flag.StringVar(&cfg.batchArgs, "batch-args", "", "flags added to resolve, apply and restore in the batchmem experiment (e.g. \"--batch-size 200\")")
	flag.BoolVar(&cfg.goBaseline, "go-baseline", true, "also run the script through the Go driver in the resolve comparison (a second line: no node start, no shell)")
	flag.StringVar(&cfg.out, "out", "", "results file (default bench/results/TIMESTAMP.md)")
	flag.IntVar(&cfg.cmpDocs, "docs", 200000, "documents of the scan comparison and the batch sweeps")
	flag.IntVar(&cfg.cmpGroups, "groups", 30000, "duplicate groups of the scan comparison and the batch sweeps")
	flag.IntVar(&cfg.resDocs, "resolve-docs", 200000, "documents of the resolve-vs-script comparison (at 200 000 resolve takes about an hour on mongo-java-server: see BENCHMARKS.md)")
	flag.IntVar(&cfg.resGroups, "resolve-groups", 30000, "duplicate groups of the resolve-vs-script comparison")
	flag.IntVar(&cfg.baselineMax, "baseline-max", 200000, "largest size at which the curve also runs the mongosh script (0: never)")
	flag.IntVar(&cfg.resolveMax, "resolve-max", 50000, "largest size at which the curve and the phases run resolve (on mongo-java-server its guarded deletes scan the collection: see BENCHMARKS.md)")
	var fetchSizes, execBatches, memSizes, batchSizes, rates string
	flag.StringVar(&batchSizes, "batch-sizes", "100,250,500,1000,2000,5000", "--batch-size values of the batchsize experiment")
	flag.StringVar(&rates, "rates", "500,1000,2000", "--max-rate values of the rate experiment")
	flag.StringVar(&memSizes, "memory-sizes", "200000,1000000", "document counts of the memory experiment (groups = -ratio of them)")
	flag.StringVar(&fetchSizes, "fetch-sizes", "10,100,200,500,1000,2000,5000", "ids per find in the batches experiment")
	flag.StringVar(&execBatches, "exec-batches", "50,200,500,2000", "groups per executor batch in the batches experiment")
	flag.Parse()
	var err error
	if cfg.fetchSizes, err = ints("-fetch-sizes", fetchSizes); err != nil {
		return err
	}
	if cfg.execBatches, err = ints("-exec-batches", execBatches); err != nil {
		return err
	}
	if cfg.sizes, err = ints("-sizes", sizes); err != nil {
		return err
	}
	if cfg.memSizes, err = ints("-memory-sizes", memSizes); err != nil {
		return err
	}
	if cfg.batchSizes, err = ints("-batch-sizes", batchSizes); err != nil {
		return err
	}
	if cfg.rates, err = ints("-rates", rates); err != nil {
		return err
	}
	cfg.only = map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		cfg.only[strings.TrimSpace(s)] = true
	}

	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if cfg.out == "" {
		cfg.out = filepath.Join(root, "bench", "results", time.Now().UTC().Format("20060102T150405Z")+".md")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.out), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "dupes-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	rep := newReport(cfg.out)
	defer rep.close()
	rep.machine()

	bin := cfg.dupes
	if bin == "" {
		if bin, err = buildDupes(tmp); err != nil {
			return err
		}
	}
	ctx := context.Background()
	b := &bench{cfg: cfg, rep: rep, bin: bin, tmp: tmp, root: root}
	if cfg.only["compare"] || (cfg.only["curve"] && cfg.baselineMax > 0) {
		if b.mongosh, err = findMongosh(root, cfg.mongosh); err != nil {
			return err
		}
	}
	if cfg.uri == "" {
		srv, err := mongotest.Launch("-Xmx" + cfg.xmx)
		if err != nil {
			return err
		}
		defer srv.Stop()
		b.uri, b.serverPid = srv.URI, srv.Pid
		rep.printf("Server: mongo-java-server 1.47.0 (in-memory), launched with -Xmx%s, pid %d\n\n", cfg.xmx, srv.Pid)
	} else {
		b.uri = cfg.uri
		rep.printf("Server: %s at %s (not launched here: its memory is not measured)\n\n", b.serverName(ctx), redact(cfg.uri))
	}
	for _, exp := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"probe", b.probe},
		{"compare", b.compare},
		{"scan", b.scanVsFloor},
		{"phases", b.phases},
		{"batches", b.batches},
		{"curve", b.curve},
		{"memory", b.memory},
		{"batchmem", b.batchMemory},
		{"batchsize", b.batchSizes},
		{"rate", b.rates},
		{"pacecost", b.paceCost},
		{"floor", b.floor},
		{"go", b.goBenchmarks},
	} {
		if !cfg.only[exp.name] {
			continue
		}
		if err := exp.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", exp.name, err)
		}
	}
	fmt.Fprintln(os.Stderr, "results:", cfg.out)
	return nil
}

// ints reads a comma-separated list of positive counts.
func ints(flagName, list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive count", flagName, s)
		}
		out = append(out, n)
	}
	return out, nil
}
