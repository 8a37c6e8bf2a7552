package model

import "strings"

// UndoCommand is the command line that puts a backup back where it came from. It names the
// server and the namespace, so pasted anywhere it restores into the deployment the documents
// were deleted from, never into whatever $MONGODB_URI or localhost happens to be. uri must
// already be redacted (its password shown as ****): dupes restore asks for the password.
// The CLI, the TUI and the manifests all print this one line.
func UndoCommand(uri string, ns Namespace, backup string) string {
	return "dupes restore --uri " + ShellQuote(uri) + " --ns " + ShellQuote(ns.String()) +
		" --backup " + ShellQuote(backup) + " --yes"
}

// ShellQuote quotes a word for a POSIX shell when it needs it: a URI's ? and & or a path's
// spaces would otherwise be taken by the shell.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if strings.ContainsAny(s, " \t\n'\"$`\\*?[]{}()<>|&;#~!") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
