package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report writes results to the terminal and to a Markdown file at once.
type report struct {
	f *os.File
	w io.Writer
}

func newReport(path string) *report {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: results file:", err)
		return &report{w: os.Stdout}
	}
	return &report{f: f, w: io.MultiWriter(os.Stdout, f)}
}

func (r *report) printf(format string, a ...any) { fmt.Fprintf(r.w, format, a...) }

func (r *report) close() {
	if r.f != nil {
		r.f.Close()
	}
}

// machine records what the figures were measured on.
func (r *report) machine() {
	r.printf("# dupes benchmarks, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	r.printf("Command: `go run ./bench %s`\n\n", strings.Join(os.Args[1:], " "))
	r.printf("Machine: %d CPUs (nproc), %s, %s, %s\n\n", runtime.NumCPU(), firstLine("free", "-h"), runtime.Version(), firstLine("java", "-version"))
	r.printf("Code: commit %s\n\n", firstLine("git", "describe", "--always", "--dirty"))
	r.printf("Load average at start: %s (other work shares these cores: compare figures within a run)\n\n", strings.TrimSpace(readFile("/proc/loadavg")))
}

func firstLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return name + ": unavailable"
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if name == "free" && len(lines) > 1 {
		f := strings.Fields(lines[1])
		if len(f) > 1 {
			return "memory " + f[1]
		}
	}
	return lines[0]
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

// median of durations (the middle one; the mean of the two middle ones for an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func sec(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.3gx", float64(a)/float64(b))
}
