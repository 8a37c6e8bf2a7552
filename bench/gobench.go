package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// goBenchmarks runs the Go benchmarks that need no server (the UI's key presses and resident
// memory at 1 000 and 1 000 000 groups, the scan's per-group decode and resident memory) and
// copies their result lines into the report.
func (b *bench) goBenchmarks(ctx context.Context) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	b.rep.printf("## Go benchmarks (no server)\n\n")
	for _, run := range []struct{ pkg, pattern, benchtime string }{
		{"./ui", "BenchmarkGroupsKeys|BenchmarkGroupsView", "1s"},
		{"./ui", "BenchmarkTUIResident", "1x"},
		{"./mongo", "BenchmarkScanDecode", "1s"},
		{"./mongo", "BenchmarkGroupsResident", "1x"},
	} {
		args := []string{"test", run.pkg, "-run", "^$", "-bench", run.pattern, "-benchtime", run.benchtime, "-benchmem"}
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, tail(string(out)))
		}
		b.rep.printf("`go %s`\n\n```\n", strings.Join(args, " "))
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "Benchmark") {
				b.rep.printf("%s\n", line)
			}
		}
		b.rep.printf("```\n\n")
	}
	return nil
}
