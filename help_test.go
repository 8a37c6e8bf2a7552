package main

import (
	"strings"
	"testing"
)

func TestHelpExitsCleanly(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"scan", "--help"}, {"restore", "-h"}} {
		var out, errOut strings.Builder
		if err := run(args, &out, &errOut); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out.String(), "dupes scan") {
			t.Errorf("%v printed no usage: %q", args, out.String())
		}
	}
}
