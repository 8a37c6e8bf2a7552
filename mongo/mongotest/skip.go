package mongotest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// SkipLogEnv names the file Skipf appends to; without it, SkipLog's default.
const SkipLogEnv = "DUPES_SKIP_LOG"

// SkipLog is where Skipf records skipped tests: $DUPES_SKIP_LOG, else dupes-test-skips.log in
// the temporary directory. .ci/run empties it before a run and prints it after.
func SkipLog() string {
	if p := os.Getenv(SkipLogEnv); p != "" {
		return p
	}
	return filepath.Join(os.TempDir(), "dupes-test-skips.log")
}

// Skipf skips the test with its reason, and makes the reason visible without -v: go test
// hides the output of passing packages, skip reasons included, so a skip would otherwise
// pass unseen. The reason goes to standard error (shown with -v or when the package fails)
// and is appended to SkipLog, which CI prints. Use it only where the engine lacks a feature,
// with a second test asserting dupes' clear refusal there.
func Skipf(tb testing.TB, format string, args ...any) {
	tb.Helper()
	pkg, _ := os.Getwd() // go test runs each test binary in its package's directory
	line := fmt.Sprintf("SKIP %s (%s): %s", tb.Name(), filepath.Base(pkg), fmt.Sprintf(format, args...))
	fmt.Fprintln(os.Stderr, line)
	if f, err := os.OpenFile(SkipLog(), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		// One write per line: test binaries run in parallel and append to the same file.
		_, _ = f.WriteString(line + "\n")
		_ = f.Close()
	}
	tb.Skipf(format, args...)
}
