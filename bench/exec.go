package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cmdResult is one measured process (dupes or mongosh): wall time and peak resident memory.
type cmdResult struct {
	Time    time.Duration
	PeakRSS int64  // bytes
	Stdout  int    // bytes written to stdout
	Head    string // the first outHead bytes of stdout (a script's summary line)
	Stderr  string
}

// buildDupes compiles the dupes binary of the module this runner belongs to.
func buildDupes(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "dupes")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run the benchmarks from inside the dupes module")
	}
	return filepath.Dir(mod), nil
}

// outHead is how much of a command's stdout is kept: enough for a summary line.
const outHead = 4096

// countingWriter counts what the command prints, so its output costs the command what writing
// to a pipe costs and no more (like `> /dev/null`), keeping only its first outHead bytes.
type countingWriter struct {
	n    int
	head []byte
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if room := outHead - len(w.head); room > 0 {
		w.head = append(w.head, p[:min(room, len(p))]...)
	}
	w.n += len(p)
	return len(p), nil
}

// runMeasured runs a program and measures it, from fork to exit. stdout is discarded (counted,
// its head kept); stderr is kept for error messages.
//
// The peak RSS comes from GNU time (/usr/bin/time -f %M) when it is installed: the rusage Go
// gets from wait4 is wrong for this, because Go starts children with vfork semantics and Linux
// carries the parent's (this runner's) RSS into the child's maxrss at exec.
func runMeasured(ctx context.Context, bin string, args ...string) (cmdResult, error) {
	var out countingWriter
	var errb bytes.Buffer
	name, argv := bin, args
	gnuTime := false
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		name, argv, gnuTime = "/usr/bin/time", append([]string{"-f", "dupes-bench-maxrss:%M", bin}, args...), true
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Stdout = &out
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	r := cmdResult{Time: time.Since(start), Stdout: out.n, Head: string(out.head), Stderr: errb.String()}
	if gnuTime {
		if i := strings.LastIndex(r.Stderr, "dupes-bench-maxrss:"); i >= 0 {
			kb, _ := strconv.ParseInt(strings.TrimSpace(r.Stderr[i+len("dupes-bench-maxrss:"):]), 10, 64)
			r.PeakRSS = kb * 1024
			r.Stderr = r.Stderr[:i]
		}
	} else if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.PeakRSS = ru.Maxrss * 1024 // an upper bound: see above
		}
	}
	if err != nil {
		return r, fmt.Errorf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, tail(r.Stderr))
	}
	return r, nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// cpuTime is this process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
