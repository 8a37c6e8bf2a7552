package cli

import (
	"bytes"
	"strconv"
	"time"
)

// bgQueryTimeout bounds the TUI's one question to the terminal. A terminal that answers does
// so in a few milliseconds, even over SSH; one that does not must not hold the start for
// termenv's fixed five seconds.
const bgQueryTimeout = 300 * time.Millisecond

// bgQuery asks the background colour (OSC 11) and then the device attributes (DA1). Every
// terminal answers DA1, in order, so its answer ends the wait early on a terminal that ignores
// OSC 11 (the way termenv ends it too).
const bgQuery = "\x1b]11;?\x1b\\" + "\x1b[c"

// parseBackground reads a terminal's answer to bgQuery: whether the OSC 11 colour it holds is
// dark, found false when there is none. Colours come as rgb:R/G/B with 1 to 4 hex digits each.
func parseBackground(answer []byte) (dark, found bool) {
	_, rest, ok := bytes.Cut(answer, []byte("\x1b]11;rgb:"))
	if !ok {
		return false, false
	}
	end := bytes.IndexAny(rest, "\x07\x1b")
	if end < 0 {
		return false, false
	}
	parts := bytes.Split(rest[:end], []byte("/"))
	if len(parts) != 3 {
		return false, false
	}
	var rgb [3]float64
	for i, p := range parts {
		if len(p) == 0 || len(p) > 4 {
			return false, false
		}
		n, err := strconv.ParseUint(string(p), 16, 16)
		if err != nil {
			return false, false
		}
		rgb[i] = float64(n) / float64(uint64(1)<<(4*len(p))-1)
	}
	// Relative luminance (ITU-R BT.709 weights) below a half reads as a dark background.
	lum := 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
	return lum < 0.5, true
}

// answered reports whether an answer holds DA1's reply (ESC [ ? … c): nothing more will come.
func answered(b []byte) bool {
	i := bytes.Index(b, []byte("\x1b[?"))
	return i >= 0 && bytes.IndexByte(b[i:], 'c') >= 0
}
