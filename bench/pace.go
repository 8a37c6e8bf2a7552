package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/mongo/mongobench"
	"github.com/dupes-tui/dupes/mongo/mongotest/rsproxy"
)

// batchSizes is the plan run's time and peak RSS by --batch-size on -docs documents: what the
// default (mongo.ExecBatchDocs) is chosen from. It times `dupes apply` alone (the report's
// startedAt to finishedAt), since the batch size changes nothing before the writes. Rounds are
// interleaved, each on a fresh seed and plan.
func (b *bench) batchSizes(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	spec := mongobench.Spec{Docs: b.cfg.cmpDocs, Groups: b.cfg.cmpGroups, Seed: 1}
	times := map[int][]time.Duration{}
	rss := map[int]int64{}
	for round := range b.cfg.rounds {
		for _, n := range b.cfg.batchSizes {
			var res cmdResult
			var run time.Duration
			err := b.cleanup(ctx, c, spec, "apply --batch-size", func(mongobench.Stats) (err error) {
				res, err = b.applyPlanned(ctx, "--batch-size", strconv.Itoa(n))
				if err == nil {
					_, run, err = reportSpan(res.Head)
				}
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "  round %d, --batch-size %d: %s, %s\n", round+1, n, sec(run), mib(res.PeakRSS))
			times[n] = append(times[n], run)
			rss[n] = max(rss[n], res.PeakRSS)
		}
	}
	b.rep.printf("## Batch sizes: `dupes apply --batch-size N`, the run's own time (%d docs, %d groups, median of %d rounds)\n\n", spec.Docs, spec.Groups, b.cfg.rounds)
	b.rep.printf("| --batch-size | apply run (median) | rounds | peak RSS (max) |\n|---:|---:|---|---:|\n")
	for _, n := range b.cfg.batchSizes {
		b.rep.printf("| %d | %s | %s | %s |\n", n, sec(median(times[n])), secs(times[n]), mib(rss[n]))
	}
	b.rep.printf("\n")
	return c.Drop(ctx)
}

// applyPlanned writes the keep-first plan of the seeded collection and runs `dupes apply
// --format json` on it with extra flags, in a fresh backup directory.
func (b *bench) applyPlanned(ctx context.Context, extra ...string) (cmdResult, error) {
	plan := filepath.Join(b.tmp, "plan.json")
	if _, err := runMeasured(ctx, b.bin, "plan", "--uri", b.uri, "--ns", benchNS.String(),
		"--key", mongobench.KeyField, "--keep", "first", "--out", plan); err != nil {
		return cmdResult{}, err
	}
	b.runs++
	dir := filepath.Join(b.tmp, "backup-"+strconv.Itoa(b.runs))
	defer os.RemoveAll(dir)
	return runMeasured(ctx, b.bin, append([]string{"apply", "--uri", b.uri, "--plan", plan, "--yes", "--backup", dir,
		"--format", "json"}, extra...)...)
}

// rates is the rate `dupes apply --max-rate R` achieves on -docs documents, at each of -rates:
// documents deleted over the run's own time (the report's startedAt to finishedAt).
func (b *bench) rates(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	spec := mongobench.Spec{Docs: b.cfg.cmpDocs, Groups: b.cfg.cmpGroups, Seed: 1}
	b.rep.printf("## --max-rate: the rate `dupes apply` achieves (%d docs, %d groups)\n\n", spec.Docs, spec.Groups)
	b.rep.printf("| --max-rate | deleted | run | achieved | achieved ÷ max | apply (wall) |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, rate := range b.cfg.rates {
		var deleted int
		var run time.Duration
		var res cmdResult
		err := b.cleanup(ctx, c, spec, "apply --max-rate", func(mongobench.Stats) (err error) {
			res, err = b.applyPlanned(ctx, "--max-rate", strconv.Itoa(rate))
			if err != nil {
				return err
			}
			deleted, run, err = reportSpan(res.Head)
			return err
		})
		if err != nil {
			return err
		}
		achieved := float64(deleted) / run.Seconds()
		fmt.Fprintf(os.Stderr, "  --max-rate %d: %d deleted in %s: %.1f/s\n", rate, deleted, sec(run), achieved)
		b.rep.printf("| %d | %d | %s | %.1f/s | %.3f | %s |\n", rate, deleted, sec(run), achieved, achieved/float64(rate), sec(res.Time))
	}
	b.rep.printf("\n")
	return c.Drop(ctx)
}

var (
	reportStart    = regexp.MustCompile(`"startedAt":\s*"([^"]+)"`)
	reportFinish   = regexp.MustCompile(`"finishedAt":\s*"([^"]+)"`)
	reportDeleted  = regexp.MustCompile(`"deleted":\s*(\d+)`)
	reportPausesAt = regexp.MustCompile(`"pauses"`)
)

// reportSpan reads, from the head of apply's --format json, the documents deleted and the
// run's time.
func reportSpan(head string) (int, time.Duration, error) {
	if i := strings.Index(head, `"report"`); i >= 0 {
		head = head[i:]
	}
	s, f, d := reportStart.FindStringSubmatch(head), reportFinish.FindStringSubmatch(head), reportDeleted.FindStringSubmatch(head)
	if s == nil || f == nil || d == nil {
		return 0, 0, fmt.Errorf("no report in apply's output: %.300s", head)
	}
	start, err1 := time.Parse(time.RFC3339Nano, s[1])
	finish, err2 := time.Parse(time.RFC3339Nano, f[1])
	n, err3 := strconv.Atoi(d[1])
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, 0, fmt.Errorf("apply's report: %v %v %v", err1, err2, err3)
	}
	if reportPausesAt.MatchString(head) {
		return 0, 0, fmt.Errorf("apply paused, which this experiment never asks")
	}
	return n, finish.Sub(start), nil
}

// paceCost is what the throttle and the lag checks cost resolve when they never pause: resolve
// plain against resolve with --max-rate far above the server's pace, --max-lag 1h and a
// --pause-file that never exists, both through a scripted replica set (rsproxy) in front of
// the server, so that the lag is really read (every second) as on a replica set. Rounds are
// interleaved.
func (b *bench) paceCost(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	tb := &benchTB{}
	defer tb.cleanup()
	proxy := rsproxy.Start(tb, b.uri, rsproxy.Options{Members: 3})
	uri := proxy.URI()
	spec := mongobench.Spec{Docs: b.cfg.cmpDocs, Groups: b.cfg.cmpGroups, Seed: 1}
	never := filepath.Join(b.tmp, "no-such-pause-file")
	sides := []struct {
		name string
		args []string
	}{
		{"plain", nil},
		{"paced, never pausing", []string{"--max-rate", "100000000", "--max-lag", "1h", "--pause-file", never}},
	}
	times := make([][]time.Duration, len(sides))
	for round := range b.cfg.rounds {
		for i, side := range sides {
			var res cmdResult
			err := b.cleanup(ctx, c, spec, "resolve "+side.name, func(mongobench.Stats) (err error) {
				b.runs++
				dir := filepath.Join(b.tmp, "backup-"+strconv.Itoa(b.runs))
				defer os.RemoveAll(dir)
				res, err = runMeasured(ctx, b.bin, append([]string{"resolve", "--uri", uri, "--ns", benchNS.String(),
					"--key", mongobench.KeyField, "--keep", "first", "--yes", "--backup", dir}, side.args...)...)
				return err
			})
			if err != nil {
				return err
			}
			proxy.Reset() // its record of commands would grow over the rounds
			fmt.Fprintf(os.Stderr, "  round %d, %s: %s\n", round+1, side.name, sec(res.Time))
			times[i] = append(times[i], res.Time)
		}
	}
	b.rep.printf("## What the throttle and the lag checks cost when they never pause (%d docs, %d groups, through rsproxy, %d rounds)\n\n",
		spec.Docs, spec.Groups, b.cfg.rounds)
	b.rep.printf("| resolve | median | rounds |\n|---|---:|---|\n")
	for i, side := range sides {
		b.rep.printf("| %s `%v` | %s | %s |\n", side.name, side.args, sec(median(times[i])), secs(times[i]))
	}
	b.rep.printf("\nPaced ÷ plain (medians): **%s**\n\n", ratio(median(times[1]), median(times[0])))
	return c.Drop(ctx)
}

func secs(ds []time.Duration) string {
	s := ""
	for i, d := range ds {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.2f", d.Seconds())
	}
	return s
}

// benchTB is the little of testing.TB the proxy needs, for a runner outside go test.
type benchTB struct{ cleanups []func() }

func (*benchTB) Helper() {}

func (*benchTB) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: rsproxy: "+format+"\n", args...)
	os.Exit(1)
}

func (t *benchTB) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

func (t *benchTB) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
