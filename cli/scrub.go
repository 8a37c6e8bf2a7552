package cli

import (
	"os"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

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
