//go:build unix

package cli

import (
	"os"
	"time"

	"github.com/charmbracelet/x/term"
	"golang.org/x/sys/unix"
)

// queryBackground asks the terminal on in/out for its background colour, once, waiting at
// most timeout: ok is false when it did not say. in is put in raw mode for the question, so
// the answer is not echoed and arrives byte by byte.
func queryBackground(in, out *os.File, timeout time.Duration) (dark, ok bool) {
	if state, err := term.MakeRaw(in.Fd()); err == nil {
		defer func() { _ = term.Restore(in.Fd(), state) }()
	}
	if _, err := out.WriteString(bgQuery); err != nil {
		return false, false
	}
	deadline := time.Now().Add(timeout)
	var got []byte
	buf := make([]byte, 256)
	for !answered(got) {
		left := time.Until(deadline)
		if left <= 0 || !readable(int(in.Fd()), left) {
			break
		}
		n, err := in.Read(buf)
		if n > 0 {
			got = append(got, buf[:n]...)
		}
		if err != nil {
			break
		}
	}
	return parseBackground(got)
}

// readable waits up to d for fd to have bytes to read.
func readable(fd int, d time.Duration) bool {
	tv := unix.NsecToTimeval(d.Nanoseconds())
	var set unix.FdSet
	set.Set(fd)
	for {
		n, err := unix.Select(fd+1, &set, nil, nil, &tv)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n > 0
	}
}
