package mongotest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ClientsBin is where ../shared/clients/install.sh puts MongoDB's own tools.
const ClientsBin = "/opt/dupes-clients/bin"

// Tool finds one of MongoDB's command-line tools (mongorestore, bsondump, mongodump, mongosh)
// on $PATH or in ClientsBin. Without it the test fails under CI=true (CI installs them) and
// is skipped, saying why and how to install them, otherwise.
func Tool(tb testing.TB, name string) string {
	tb.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	p := filepath.Join(ClientsBin, name)
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return p
	}
	msg := name + " is neither on $PATH nor in " + ClientsBin + ": install MongoDB's tools with " +
		"bash ../shared/clients/install.sh mongo-tools mongosh"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}
