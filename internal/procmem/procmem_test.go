package procmem

import (
	"os"
	"testing"
)

// TestRead reads this process's own memory.
func TestRead(t *testing.T) {
	m, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.Peak < m.RSS {
		t.Fatalf("memory %+v: want RSS > 0 and peak ≥ RSS", m)
	}
	if Peak() < m.RSS {
		t.Fatalf("Peak() = %d, below the RSS just read (%d)", Peak(), m.RSS)
	}
}
