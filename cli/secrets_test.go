package cli

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secretURI adds to a URI the secret-bearing options a plain server connects with (the TLS
// and proxy ones do nothing without tls=true or proxyHost) and returns the secrets.
func secretURI(uri string) (string, []string) {
	secrets := []string{"Tls-S3cret", "Ssl-S3cret", "Proxy-S3cret", "My-S3cret"}
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + "tlsCertificateKeyFilePassword=" + secrets[0] + "&sslClientCertificateKeyPassword=" + secrets[1] +
		"&proxyPassword=" + secrets[2] + "&mySecret=" + secrets[3], secrets
}

// TestSecretsNeverShownOrWritten runs scan, plan, apply and resolve with secrets in the URI:
// none may appear in what is printed or in any file written (plan, backup, manifest), and
// the manifest names the URI with them masked.
func TestSecretsNeverShownOrWritten(t *testing.T) {
	f := newFixture(t)
	uri, secrets := secretURI(f.uri)
	docs := []map[string]any{{"_id": 1, "email": "a@x.com"}, {"_id": 2, "email": "a@x.com"}, {"_id": 3, "email": "b@x.com"}}
	f.insert("users", docs...)
	f.insert("people", docs...)
	dir := t.TempDir()
	planFile := filepath.Join(dir, "plan.json")
	backup := filepath.Join(dir, "backups")
	var printed strings.Builder
	for _, args := range [][]string{
		{"scan", "--uri", uri, "--ns", f.ns("users"), "--key", "email"},
		{"plan", uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--out", planFile},
		{"apply", "--uri=" + uri, "--plan", planFile, "--backup", backup, "--yes"},
		{"resolve", "--uri", uri, "--ns", f.ns("people"), "--key", "email", "--keep", "last", "--backup", backup, "--yes"},
	} {
		out, errOut, status := dupesBinary(t, args...)
		if status != 0 {
			t.Fatalf("dupes %s: status %d\n%s%s", args[0], status, out, errOut)
		}
		printed.WriteString(out + errOut)
	}
	if f.count("users") != 2 || f.count("people") != 2 {
		t.Fatalf("the runs did not delete: users %d, people %d", f.count("users"), f.count("people"))
	}
	files := map[string]string{"output": printed.String()}
	var manifests []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = string(b)
		if strings.HasSuffix(p, ".json") && p != planFile {
			manifests = append(manifests, string(b))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 || len(manifests) != 2 {
		t.Fatalf("want output, a plan and two backups with their manifests; got %d files, %d manifests", len(files), len(manifests))
	}
	for name, text := range files {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the secret %s", name, s)
			}
		}
	}
	for _, m := range manifests {
		mustContain(t, "manifest", m, "tlsCertificateKeyFilePassword=****", "proxyPassword=****", "mySecret=****")
	}
}

// TestSecretsAbsentFromErrors: a server nobody answers at, and an auth mechanism property the
// server refuses; each error says what happened, whole, without the secret.
func TestSecretsAbsentFromErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	uri, secrets := secretURI("mongodb://dba:Pw-S3cret@" + addr + "/?directConnection=true&connectTimeoutMS=500&serverSelectionTimeoutMS=500")
	secrets = append(secrets, "Pw-S3cret")
	out, errOut, status := dupesBinary(t, "scan", "--uri", uri, "--ns", "a.b", "--key", "k")
	t.Logf("stderr: %s", errOut)
	if status != 1 {
		t.Fatalf("status %d", status)
	}
	for _, s := range secrets {
		if strings.Contains(out+errOut, s) {
			t.Errorf("the output holds the secret %s: %s", s, errOut)
		}
	}
	mustContain(t, "error", errOut, "connect to mongodb://dba:****@"+addr, "tlsCertificateKeyFilePassword=****",
		"cannot reach the server", "connection refused")

	f := newFixture(t)
	sep := "?"
	if strings.Contains(f.uri, "?") {
		sep = "&"
	}
	out, errOut, status = dupesBinary(t, "scan", f.uri+sep+"authMechanismProperties=AWS_SESSION_TOKEN:Aws-S3cret-Token", "--ns", f.ns("x"), "--key", "k")
	t.Logf("stderr: %s", errOut)
	if status != 1 || strings.Contains(out+errOut, "Aws-S3cret") || !strings.Contains(errOut, "AWS_SESSION_TOKEN:****") {
		t.Fatalf("status %d, error: %s", status, errOut)
	}
}
