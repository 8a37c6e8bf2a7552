package mongo

import (
	"context"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// Pace is how a run shares a busy primary with its applications: a rate, and pauses between
// batches. Plan runs (ExecOptions.Pace) and restores (RestoreOptions.Pace) take it. A batch in
// flight is never paused: a pause, like a cancel, falls between batches.
type Pace struct {
	// MaxRate caps the documents written per second (deleted, keepers a merging plan
	// updates, restored), spread evenly: batches are cut to a quarter second's documents at
	// the rate and each waits for its share. 0: no limit.
	MaxRate float64
	// MaxLag pauses the run while a data-bearing secondary is further behind the primary
	// (ReplicationLag, read at most once a second). 0: not checked.
	MaxLag time.Duration
	// PauseFile pauses the run while this file exists.
	PauseFile string
	// Hold pauses the run while it returns a reason (the user's toggle: SIGUSR1 in the CLI).
	Hold func() string
	// Notice hears, once, what the pacing cannot do here: --max-lag on a server that is no
	// replica set.
	Notice func(string)

	// clock is the real one unless a test of this package sets it.
	clock clock
}

// rateSlice is the time one batch's documents take at --max-rate: short enough that the writes
// are spread, not sent as a burst each second; long enough that the batch costs (a re-read,
// a synced backup write, the manifest) stay small beside the writes.
const rateSlice = time.Second / 4

// rateCatchUp is how far behind its schedule a run may fall and still catch up: a batch slowed
// by a stall (a long fsync, a busy server) is made up by the next batches going without their
// wait, up to this much; a run further behind (a server slower than the rate) keeps its own
// pace and never bursts to catch up more. A pause starts the schedule afresh.
const rateCatchUp = time.Second

// pauseCheck is how often a paused run looks again at what holds it.
const pauseCheck = time.Second

// lagEvery is how often a running run reads the replication lag: at most once a second,
// whatever its batches, so the check costs the primary one small command a second.
const lagEvery = time.Second

// clock is time as the pacer sees it, so that tests can check its schedule exactly.
type clock interface {
	Now() time.Time
	// Sleep waits d, or returns ctx's error if ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pacer applies a Pace to one run, between its batches.
type pacer struct {
	pace  Pace
	clock clock
	// lag reads the replication lag (Client.ReplicationLag; a test's script).
	lag func(context.Context) ([]MemberLag, error)
	// report tells the run's progress that it is paused (why) or resumed ("").
	report func(paused string)

	// tat is when the documents sent so far are paid for at the rate (the "theoretical
	// arrival time" of GCRA, the generic cell rate algorithm): a batch of n documents may
	// start once tat, moved on by n/rate, is reached. It never lags now by more than
	// rateCatchUp: what a stall lost beyond that is not made up later.
	tat time.Time

	lagAt  time.Time // when the lag was last read
	lagWhy string    // what that read says: "" or why to pause
	lagOff bool      // nothing to read (no replica set): said once, not asked again
	// saidMajority: the Notice that only the majority's lag can be read was given.
	saidMajority bool
	pauses       model.Pauses
}

func newPacer(c *Client, p Pace) *pacer {
	pc := &pacer{pace: p, clock: p.clock, report: func(string) {}}
	if pc.clock == nil {
		pc.clock = realClock{}
	}
	if c != nil {
		pc.lag = c.ReplicationLag
	}
	return pc
}

// batchDocs is the most documents a batch may write: max, or a rate slice's worth.
func (p *pacer) batchDocs(max int) int {
	if p.pace.MaxRate <= 0 {
		return max
	}
	return min(max, int(max1(p.pace.MaxRate*rateSlice.Seconds())))
}

func max1(f float64) float64 {
	if f < 1 {
		return 1
	}
	return f
}

// before holds the next batch while the run must pause, then until its n documents are paid
// for at the rate. It fails only when ctx ends meanwhile.
func (p *pacer) before(ctx context.Context, n int) error {
	if err := p.hold(ctx); err != nil {
		return err
	}
	return p.take(ctx, n)
}

// take waits until n documents may be written at the rate.
func (p *pacer) take(ctx context.Context, n int) error {
	if p.pace.MaxRate <= 0 || n <= 0 {
		return nil
	}
	cost := p.cost(n)
	now := p.clock.Now()
	if p.tat.IsZero() {
		p.tat = now // the first batch waits for its own share too: a run of N takes N/rate
	}
	p.tat = later(p.tat, now.Add(-rateCatchUp)).Add(cost)
	return p.clock.Sleep(ctx, p.tat.Sub(now))
}

// refund gives back what a batch paid for and did not write (cut short by its bytes).
func (p *pacer) refund(n int) {
	if p.pace.MaxRate > 0 && n > 0 {
		p.tat = p.tat.Add(-p.cost(n))
	}
}

func (p *pacer) cost(n int) time.Duration {
	return time.Duration(float64(n) / p.pace.MaxRate * float64(time.Second))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
