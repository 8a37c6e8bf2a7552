package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongobench"
)

// phaseTimes is one in-process resolve split into what `dupes resolve` does in turn.
type phaseTimes struct {
	scan, plan, execute time.Duration
	deleted             int
}

// resolveInProcess runs resolve's steps through the adapter (scan, keepers and the members'
// fingerprints, plan, execute with backup), timing each, so a figure can say which step limits it.
func (b *bench) resolveInProcess(ctx context.Context) (phaseTimes, error) {
	var p phaseTimes
	cl, err := mongo.Connect(ctx, b.uri, mongo.Options{})
	if err != nil {
		return p, err
	}
	defer cl.Close(ctx)
	t0 := time.Now()
	cur, err := cl.Scan(ctx, benchNS, benchKey)
	if err != nil {
		return p, err
	}
	groups, err := cur.All(ctx)
	cur.Close(ctx)
	if err != nil {
		return p, err
	}
	t1 := time.Now()
	rule, err := model.ParseKeepRule("first")
	if err != nil {
		return p, err
	}
	// As resolve: every member read once, the plan recording its fingerprint.
	keep, _, prints, err := cl.KeepersPrinted(ctx, benchNS, rule, groups)
	if err != nil {
		return p, err
	}
	pgs, _ := model.PlanGroups(groups, keep, model.ByRule)
	prints.Stamp(pgs)
	plan := model.Plan{Version: model.PlanVersion, NS: benchNS, Key: benchKey, Semantics: benchKey.Semantics(),
		Rule: rule.String(), CreatedAt: time.Now().UTC(), Groups: pgs}
	t2 := time.Now()
	b.runs++
	dir := filepath.Join(b.tmp, fmt.Sprintf("backup-%d", b.runs))
	defer os.RemoveAll(dir)
	rep, err := cl.Execute(ctx, plan, mongo.ExecOptions{BackupDir: dir})
	if err != nil {
		return p, err
	}
	p.scan, p.plan, p.execute, p.deleted = t1.Sub(t0), t2.Sub(t1), time.Since(t2), rep.Deleted
	return p, nil
}

// phases is resolve split by step, at each curve size up to -resolve-max, with a Go CPU
// profile of the largest run (bench/results/*.resolve.pprof), so the report can say which
// side, ours or the server's, the time goes to.
func (b *bench) phases(ctx context.Context) error {
	c, err := b.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	b.rep.printf("## Resolve by step, in process (scan, keepers + plan, execute with backup)\n\n")
	b.rep.printf("| docs | groups | scan | plan | execute | deleted | execute per group | Go CPU in execute |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range b.cfg.sizes {
		if n > b.cfg.resolveMax {
			continue
		}
		spec := mongobench.Spec{Docs: n, Groups: int(float64(n) * b.cfg.ratio), Seed: 1}
		st, _, err := b.seed(ctx, c, spec)
		if err != nil {
			return err
		}
		prof := b.cfg.out + fmt.Sprintf(".resolve-%d.pprof", n)
		f, err := os.Create(prof)
		if err != nil {
			return err
		}
		cpu0 := cpuTime()
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		p, err := b.resolveInProcess(ctx)
		pprof.StopCPUProfile()
		f.Close()
		cpu := cpuTime() - cpu0
		if err != nil {
			return err
		}
		if err := check(ctx, c, st, "in-process resolve"); err != nil {
			return err
		}
		b.rep.printf("| %d | %d | %s | %s | %s | %d | %s | %s (whole run, profile %s) |\n", n, st.Groups, sec(p.scan), sec(p.plan),
			sec(p.execute), p.deleted, ms(p.execute/time.Duration(max(st.Groups, 1))), sec(cpu), filepath.Base(prof))
	}
	b.rep.printf("\n")
	return c.Drop(ctx)
}
