package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// What the batch commands print holds data: field names, values, collection and index names,
// server messages. Data can hold escape sequences a terminal obeys (a field name that
// retitles the window or writes to the clipboard), so every byte the commands write passes
// through a safeWriter, whichever line printed it: one guard, not one per Fprintf.

// safeWriter escapes, as model.SafeLines does, what it writes: newlines and tabs pass,
// other controls become \x1b, DEL, C1 and bidi controls \u009b. JSON output stays valid JSON:
// the encoders already escape C0 controls, and the \u form is JSON's own.
type safeWriter struct {
	w       io.Writer
	pending []byte // the start of a UTF-8 sequence cut by the end of a Write
}

func newSafeWriter(w io.Writer) *safeWriter { return &safeWriter{w: w} }

func (s *safeWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(s.pending) > 0 {
		p = append(s.pending, p...)
		s.pending = nil
	}
	// Hold back an incomplete sequence at the end: the next Write may complete it.
	for k := 1; k <= utf8.UTFMax-1 && k <= len(p); k++ {
		if c := p[len(p)-k]; c >= 0xc0 {
			if !utf8.FullRune(p[len(p)-k:]) {
				s.pending = append([]byte(nil), p[len(p)-k:]...)
				p = p[:len(p)-k]
			}
			break
		} else if c < 0x80 {
			break
		}
	}
	if _, err := io.WriteString(s.w, model.SafeLines(string(p))); err != nil {
		return 0, err
	}
	return n, nil
}

// flush writes what a cut sequence left pending: invalid bytes, escaped.
func (s *safeWriter) flush() {
	if len(s.pending) > 0 {
		io.WriteString(s.w, model.SafeLines(string(s.pending)))
		s.pending = nil
	}
}

// terminalFile is the terminal behind w, if any: the progress line writes its own
// control sequences there, past the safeWriter.
func terminalFile(w io.Writer) (*os.File, bool) {
	if s, ok := w.(*safeWriter); ok {
		w = s.w
	}
	f, ok := w.(*os.File)
	return f, ok && isTerminal(f)
}

// signalContext is cancelled by SIGINT (ctrl+c) and SIGTERM (kill, systemd, a container
// stop) alike: either one stops the server's work and lets a run finish its batch.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// closeTimeout bounds the cleanup that runs after the work's context is gone (closing a
// cursor, disconnecting): it must still reach the server, but not hang the exit.
const closeTimeout = 5 * time.Second

// closeClient disconnects with a context of its own: the command's may be cancelled already.
func closeClient(c *mongo.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = c.Close(ctx)
}

// scrubbedError is an error whose text had a URI's secrets removed; errors.As still finds
// what it wraps (a usageError keeps its exit status).
type scrubbedError struct {
	msg string
	err error
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.err }

// scrubError is the last guard on the way out: whatever produced the error, the secrets of
// every URI on the command line or in $MONGODB_URI are masked in its text (mongo.Redact's
// rules), and the text is made safe for the terminal.
func scrubError(err error, args []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if env := os.Getenv("MONGODB_URI"); env != "" {
		msg = mongo.Scrubber(env)(msg)
	}
	for i, a := range args {
		// "--uri=U" and "--uri U": the flag's value, whatever it starts with.
		if isURI(a) {
			msg = mongo.Scrubber(a)(msg)
		} else if v, ok := cutFlag(a, "uri"); ok {
			msg = mongo.Scrubber(v)(msg)
		} else if (a == "--uri" || a == "-uri") && i+1 < len(args) {
			msg = mongo.Scrubber(args[i+1])(msg)
		}
	}
	msg = model.SafeLines(msg)
	if msg == err.Error() {
		return err
	}
	return scrubbedError{msg: msg, err: err}
}

// cutFlag reads "--name=value" or "-name=value".
func cutFlag(arg, name string) (string, bool) {
	for _, p := range []string{"--" + name + "=", "-" + name + "="} {
		if len(arg) > len(p) && arg[:len(p)] == p {
			return arg[len(p):], true
		}
	}
	return "", false
}
