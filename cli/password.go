package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"

	"github.com/dupes-tui/dupes/mongo"
)

// askPassword asks for the password of uri's user on the terminal, without echo, as mongosh
// does, and returns the URI holding it. The prompt names the user and the redacted URI, never
// a password. Without a terminal it refuses, saying how to give the password instead.
// why says what is missing, for the refusal ("has a user and no password").
func askPassword(uri, why string, stderr io.Writer) (string, error) {
	shown := mongo.Redact(uri)
	if !term.IsTerminal(os.Stdin.Fd()) {
		return "", fmt.Errorf("%s %s, and there is no terminal to ask for it: "+
			"give the URI with its password in --uri or $MONGODB_URI", shown, why)
	}
	fmt.Fprintf(stderr, "Enter password for %s (%s): ", mongo.URIUser(uri), shown)
	pass, err := term.ReadPassword(os.Stdin.Fd())
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return mongo.WithPassword(uri, strings.TrimRight(string(pass), "\r\n")), nil
}
