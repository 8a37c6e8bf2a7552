package mongo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// hold keeps the run between two batches while something asks it to pause: the user (Hold),
// the pause file, or a secondary lagging more than MaxLag. It looks again every pauseCheck,
// counts the pauses and their time (a pause whose cause changes counts again, so lag pauses
// are told apart), and reports each change. The lease is renewed meanwhile in the background
// (lease.go), and the next batch's deadline is taken from it afterwards, so a long pause
// neither loses the lease nor lets a write outlive it. Only ctx's end stops it early.
func (p *pacer) hold(ctx context.Context) error {
	why, cause := p.why(ctx)
	if cause == running {
		return nil
	}
	last := p.clock.Now()
	p.start(cause)
	for {
		p.report(why)
		err := p.clock.Sleep(ctx, pauseCheck)
		now := p.clock.Now()
		p.add(now.Sub(last), cause)
		last = now
		if err != nil {
			return err
		}
		var next pauseCause
		why, next = p.why(ctx)
		switch {
		case next == running:
			p.tat = time.Time{} // the rate's schedule starts afresh: a pause earns no burst
			p.report("")
			return nil
		case next != cause:
			cause = next
			p.start(cause)
		}
	}
}

// pauseCause is what holds a run: one pause lasts while its cause does (a lag that shrinks
// from 14 s to 11 s is still one pause).
type pauseCause int

const (
	running pauseCause = iota
	heldByUser
	heldByFile
	heldByLag
)

// start counts a pause.
func (p *pacer) start(cause pauseCause) {
	p.pauses.Count++
	if cause == heldByLag {
		p.pauses.LagCount++
	}
}

func (p *pacer) add(d time.Duration, cause pauseCause) {
	p.pauses.Total += d
	if cause == heldByLag {
		p.pauses.LagTotal += d
	}
}

// why says whether the run must pause now, why, and for which cause (running: it need not).
func (p *pacer) why(ctx context.Context) (string, pauseCause) {
	if p.pace.Hold != nil {
		if why := p.pace.Hold(); why != "" {
			return why, heldByUser
		}
	}
	if f := p.pace.PauseFile; f != "" {
		if _, err := os.Stat(f); err == nil {
			return fmt.Sprintf("the pause file %s exists (remove it to resume)", f), heldByFile
		}
	}
	if why := p.lagging(ctx); why != "" {
		return why, heldByLag
	}
	return "", running
}

// lagging reads the replication lag (at most once every lagEvery) and says which secondary is
// further behind than MaxLag, or "". A failed read pauses the run too: a primary that cannot
// say how far its secondaries are is no primary to keep writing to blindly.
func (p *pacer) lagging(ctx context.Context) string {
	if p.pace.MaxLag <= 0 || p.lagOff || p.lag == nil {
		return ""
	}
	now := p.clock.Now()
	if !p.lagAt.IsZero() && now.Sub(p.lagAt) < lagEvery {
		return p.lagWhy
	}
	p.lagAt = now
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	members, err := p.lag(rctx)
	cancel()
	switch {
	case errors.Is(err, ErrNoReplicaSet):
		p.lagOff, p.lagWhy = true, ""
		if p.pace.Notice != nil {
			p.pace.Notice(fmt.Sprintf("--max-lag %s does nothing here: %v; the run goes on without lag checks", p.pace.MaxLag, err))
		}
	case err != nil && ctx.Err() != nil:
		p.lagWhy = "" // the run is stopping: the caller sees ctx's end
	case err != nil:
		p.lagWhy = "cannot read the replication lag (" + err.Error() + ")"
	default:
		p.lagWhy = ""
		var worst MemberLag
		for _, m := range members {
			if m.Name == MajorityName && !p.saidMajority && p.pace.Notice != nil {
				p.saidMajority = true
				p.pace.Notice(fmt.Sprintf("--max-lag %s checks how far the majority of the replica set is behind (hello), "+
					"not each secondary: this user may not run replSetGetStatus (it needs the clusterMonitor role)", p.pace.MaxLag))
			}
			if m.Lag > p.pace.MaxLag && m.Lag > worst.Lag {
				worst = m
			}
		}
		if worst.Lag > 0 {
			p.lagWhy = fmt.Sprintf("%s is %s behind (--max-lag %s)", lagSubject(worst.Name), worst.Lag.Round(time.Second), p.pace.MaxLag)
		}
	}
	return p.lagWhy
}

// lagSubject names who is behind: a secondary, or the majority (the hello fallback).
func lagSubject(name string) string {
	if name == MajorityName {
		return "the majority of the replica set"
	}
	return "secondary " + name
}
