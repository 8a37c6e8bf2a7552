package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/dupes-tui/dupes/internal/procmem"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongobench"
)

// bench holds what every experiment needs.
type bench struct {
	cfg       config
	rep       *report
	bin       string
	tmp       string
	uri       string
	serverPid int    // 0 when the server was not launched here
	root      string // the module's root (bench/dedupe.js is under it)
	mongosh   string // the pinned mongosh, when an experiment runs the script
	runs      int
}

var (
	benchNS  = model.Namespace{DB: "dupes_bench", Coll: "users"}
	benchKey = model.Key{Fields: []string{mongobench.KeyField}}
)

func (b *bench) open(ctx context.Context) (*mongobench.Coll, error) {
	return mongobench.Open(ctx, b.uri, benchNS)
}

// seed refills the collection and says so on stderr (seeding is not a measured figure).
func (b *bench) seed(ctx context.Context, c *mongobench.Coll, spec mongobench.Spec) (mongobench.Stats, time.Duration, error) {
	start := time.Now()
	st, err := c.Seed(ctx, spec)
	d := time.Since(start)
	fmt.Fprintf(os.Stderr, "  seeded %d docs, %d groups (%d surplus) in %s\n", st.Docs, st.Groups, st.Surplus, sec(d))
	return st, d, err
}

// serverMem reads the launched server's memory (zero when it was not launched here).
func (b *bench) serverMem() procmem.Memory {
	if b.serverPid == 0 {
		return procmem.Memory{}
	}
	m, _ := procmem.Read(b.serverPid)
	return m
}

// resolve runs `dupes resolve --keep first --yes` with a fresh backup directory, and extra
// flags.
func (b *bench) resolve(ctx context.Context, extra ...string) (cmdResult, error) {
	b.runs++
	dir := filepath.Join(b.tmp, "backup-"+strconv.Itoa(b.runs))
	defer os.RemoveAll(dir)
	return runMeasured(ctx, b.bin, append([]string{"resolve", "--uri", b.uri, "--ns", benchNS.String(),
		"--key", mongobench.KeyField, "--keep", "first", "--yes", "--backup", dir}, extra...)...)
}

// scan runs `dupes scan --format json`, its output discarded.
func (b *bench) scan(ctx context.Context) (cmdResult, error) {
	return runMeasured(ctx, b.bin, "scan", "--uri", b.uri, "--ns", benchNS.String(),
		"--key", mongobench.KeyField, "--format", "json")
}

// scanInProcess is the adapter's scan with no command around it: Scan and All.
func (b *bench) scanInProcess(ctx context.Context) (time.Duration, int, error) {
	start := time.Now()
	cl, err := mongo.Connect(ctx, b.uri, mongo.Options{})
	if err != nil {
		return 0, 0, err
	}
	defer cl.Close(ctx)
	cur, err := cl.Scan(ctx, benchNS, benchKey)
	if err != nil {
		return 0, 0, err
	}
	defer cur.Close(ctx)
	gs, err := cur.All(ctx)
	return time.Since(start), len(gs), err
}

// cleanup reseeds the collection, runs one side of a comparison and checks what it left, so
// every side starts from identical data and is held to the same result.
func (b *bench) cleanup(ctx context.Context, c *mongobench.Coll, spec mongobench.Spec, who string, run func(mongobench.Stats) error) error {
	st, _, err := b.seed(ctx, c, spec)
	if err != nil {
		return err
	}
	if err := run(st); err != nil {
		return err
	}
	return check(ctx, c, st, who)
}

// check verifies that a cleanup left exactly the documents it should have.
func check(ctx context.Context, c *mongobench.Coll, st mongobench.Stats, who string) error {
	n, err := c.Count(ctx)
	if err != nil {
		return err
	}
	if want := int64(st.Docs - st.Surplus); n != want {
		return fmt.Errorf("%s left %d documents, want %d", who, n, want)
	}
	return nil
}

// probe tells whether the server's _id $in lookups and deletes are indexed: their cost per call
// should not grow with the collection.
func (b *bench) probe(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	b.rep.printf("## Probe: cost of one `_id: {$in: [id]}` find and deleteMany by collection size\n\n")
	b.rep.printf("| docs | seed time | find by _id (per call) | deleteMany by _id, 1 id (per call) | deleteMany by _id, 2 ids (the script's) | guarded deleteMany (per call) | server RSS | server live heap |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range b.cfg.sizes {
		spec := mongobench.Spec{Docs: n, Groups: int(float64(n) * b.cfg.ratio), Seed: 1}
		_, sd, err := b.seed(ctx, c, spec)
		if err != nil {
			return err
		}
		f, err := c.FindProbe(ctx, spec, 300)
		if err != nil {
			return err
		}
		d, err := c.DeleteProbe(ctx, spec, 300, 1)
		if err != nil {
			return err
		}
		// Few calls: a server that scans for this shape visits every document each time.
		d2, err := c.DeleteProbe(ctx, spec, 20, 2)
		if err != nil {
			return err
		}
		// Few calls: on a server that scans for this shape each one visits every document.
		g, err := c.GuardProbe(ctx, spec, 20)
		if err != nil {
			return err
		}
		b.rep.printf("| %d | %s | %s | %s | %s | %s | %s | %s |\n", n, sec(sd), ms(f), ms(d), ms(d2), ms(g), mib(b.serverMem().RSS), mib(b.serverLiveHeap()))
	}
	b.rep.printf("\n")
	return c.Drop(ctx)
}

var heapUsed = regexp.MustCompile(`heap\s+total \d+K, used (\d+)K`)

// serverLiveHeap forces a full GC in the launched JVM (jcmd) and returns the heap it still
// uses: the server's live data, which RSS (heap the JVM grew and keeps) overstates.
func (b *bench) serverLiveHeap() int64 {
	if b.serverPid == 0 {
		return 0
	}
	pid := strconv.Itoa(b.serverPid)
	if err := exec.Command("jcmd", pid, "GC.run").Run(); err != nil {
		return 0
	}
	out, err := exec.Command("jcmd", pid, "GC.heap_info").Output()
	if err != nil {
		return 0
	}
	m := heapUsed.FindSubmatch(out)
	if m == nil {
		return 0
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb * 1024
}
