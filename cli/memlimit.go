package cli

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"

	"github.com/dupes-tui/dupes/mongo"
)

// boundMemory asks the garbage collector to keep the heap within what the command holds as its
// writes begin (the plan, the scan's chunk) plus one and a half batches' bytes
// (mongo.ExecBatchBytes), as a soft limit (debug.SetMemoryLimit), unless $GOMEMLIMIT sets one.
// A batch of large documents is read, backed up and sent in guarded statements that the driver
// copies and pools; with the collector's default pacing (a heap twice what is live) a 16 MiB
// batch of 2 MB documents peaked near 100 MiB, within the limit under 48 MiB (BENCHMARKS.md,
// "Memory by batch bytes"), for a little more collecting. The limit is soft: a command whose
// own data grows past it (the multikey groups a resolve plans together at its end) runs on,
// collecting more often.
func boundMemory() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	runtime.GC()
	live := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(live)
	debug.SetMemoryLimit(int64(live[0].Value.Uint64()) + 3*mongo.ExecBatchBytes/2)
}
