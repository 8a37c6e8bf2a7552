package cli

import (
	"encoding/json"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// suggestCommand is a dupes command line printed for the user to paste: the subcommand, the
// server as given (redacted: dupes asks for the password), the namespace and the key with
// every option that shaped the scan. Every word is quoted for a POSIX shell, so a field named
// `k;touch PWNED` stays one word of the command instead of becoming a second command.
func suggestCommand(sub, uri string, ns model.Namespace, key model.Key) string {
	words := []string{"dupes", sub, "--uri", mongo.Redact(uri), "--ns", ns.String()}
	switch {
	case key.WholeDocument:
		words = append(words, "--whole-document")
		if len(key.Ignore) > 0 {
			words = append(words, "--ignore", strings.Join(key.Ignore, ","))
		}
		if key.AnyFieldOrder {
			words = append(words, "--any-field-order")
		}
	case key.Index != "":
		words = append(words, "--index", key.Index)
	default:
		words = append(words, "--key", strings.Join(key.Fields, ","))
		if key.Collation != nil {
			if b, err := json.Marshal(key.Collation); err == nil {
				words = append(words, "--collation", string(b))
			}
		}
	}
	if key.IgnoreCase {
		words = append(words, "--ignore-case")
	}
	if key.Trim {
		words = append(words, "--trim")
	}
	if key.Filter != "" {
		words = append(words, "--filter", key.Filter)
	}
	for i, w := range words {
		words[i] = model.ShellQuote(w)
	}
	return strings.Join(words, " ")
}
