//go:build !unix

package cli

import (
	"os"
	"time"
)

// queryBackground does not ask on systems without select(2): the TUI assumes a dark
// background there.
func queryBackground(in, out *os.File, timeout time.Duration) (dark, ok bool) { return true, false }
