package mongo_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

func TestRedact(t *testing.T) {
	cases := map[string]string{
		"mongodb://localhost:27017":                               "mongodb://localhost:27017",
		"mongodb://bob:s3cret@db1,db2:27017/app?authSource=admin": "mongodb://bob:****@db1,db2:27017/app?authSource=admin",
		"mongodb+srv://bob:p%40ss@cluster0.example.net/":          "mongodb+srv://bob:****@cluster0.example.net/",
		"mongodb://bob@host/":                                     "mongodb://bob@host/",
		"mongodb://host/?x=a@b":                                   "mongodb://host/?x=a@b",
	}
	for in, want := range cases {
		if got := mongo.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestConnectUnreachableHost(t *testing.T) {
	uri := "mongodb://admin:hunter2-secret@" + closedPort(t) + "/?directConnection=true"
	_, err := mongo.Connect(context.Background(), uri, mongo.Options{Timeout: 1e9})
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	msg := err.Error()
	if strings.Contains(msg, "hunter2-secret") {
		t.Fatalf("error leaks the password: %s", msg)
	}
	if !strings.Contains(msg, "cannot reach the server") || !strings.Contains(msg, "admin:****@") {
		t.Fatalf("error does not say what failed where: %s", msg)
	}
	if strings.Contains(msg, "topology") {
		t.Fatalf("error dumps the driver's topology: %s", msg)
	}
}

func TestConnectBadURI(t *testing.T) {
	for _, uri := range []string{"localhost:27017", "http://x", "mongodb://u:pw-leak@host:notaport/"} {
		_, err := mongo.Connect(context.Background(), uri, mongo.Options{Timeout: 1e9})
		if err == nil {
			t.Errorf("%q: accepted", uri)
			continue
		}
		if strings.Contains(err.Error(), "pw-leak") {
			t.Errorf("%q: error leaks the password: %v", uri, err)
		}
	}
	// A host the driver takes but cannot dial is the URI's fault, not the network's; a host
	// without a port is fine (the default one).
	_, err := mongo.Connect(context.Background(), "mongodb://u:pw-leak@[bad/", mongo.Options{Timeout: 1e9})
	if err == nil || !strings.Contains(err.Error(), "not a valid MongoDB URI") || strings.Contains(err.Error(), "pw-leak") {
		t.Errorf("unclosed bracket: %v", err)
	}
	_, err = mongo.Connect(context.Background(), "mongodb://127.0.0.1:1,localhost/", mongo.Options{Timeout: 1e9})
	if err == nil || strings.Contains(err.Error(), "not a valid MongoDB URI") {
		t.Errorf("a host without a port was refused as invalid: %v", err)
	}
}

func TestConnectPasswordNeverInErrors(t *testing.T) {
	// No user dba exists on the test server (mongo-java-server has no authentication at all),
	// so the handshake fails; the error must say so and must not carry the password.
	uri := strings.Replace(mongotest.URI(t), "mongodb://", "mongodb://dba:Tr0ub4dor%263@", 1)
	_, err := mongo.Connect(context.Background(), uri, mongo.Options{})
	if err == nil {
		t.Fatal("connected with credentials the server does not know")
	}
	msg := err.Error()
	if strings.Contains(msg, "Tr0ub4dor") {
		t.Fatalf("connect error leaks the password: %v", msg)
	}
	if !strings.Contains(msg, "authentication failed") || !strings.Contains(msg, "dba:****@") {
		t.Fatalf("error does not say authentication failed for the redacted URI: %v", msg)
	}
}

func TestReadOnlyRefusesExecute(t *testing.T) {
	c, err := mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if !c.ReadOnly() {
		t.Fatal("ReadOnly() = false")
	}
	if _, err := c.Execute(context.Background(), testPlan(), mongo.ExecOptions{BackupDir: t.TempDir()}); err != mongo.ErrReadOnly {
		t.Fatalf("Execute on a read-only client: %v", err)
	}
}
