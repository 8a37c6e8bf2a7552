package model

import "time"

// Pace is how a run started from the TUI shares a busy primary, as the batch commands' flags
// say it (--batch-size, --max-rate, --max-lag, --pause-file): the adapter's mongo.Pace and
// ExecOptions.BatchDocs, in the domain's words so that the UI's Store interface can carry
// them without importing the adapter. The zero Pace is a run with no limit and no pauses.
type Pace struct {
	// BatchSize caps the documents one batch writes; 0: the store's default.
	BatchSize int
	// MaxRate caps the documents written per second, spread evenly; 0: no limit.
	MaxRate float64
	// MaxLag pauses the run between batches while a secondary is further behind; 0: off.
	MaxLag time.Duration
	// PauseFile pauses the run between batches while this file exists; "": none.
	PauseFile string
	// Hold pauses the run between batches while it returns a reason ("" runs). It is called
	// from the run's goroutine: the TUI's p toggle, read atomically.
	Hold func() string
	// Notice hears, once each, what the pacing cannot do on this deployment (--max-lag on a
	// server that is no replica set); nil drops them.
	Notice func(string)
}
