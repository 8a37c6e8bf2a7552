package mongo

import (
	"context"
	"net"
	"strings"
	"testing"
)

func TestRedactSecretOptions(t *testing.T) {
	for in, want := range map[string]string{
		"mongodb://h/?tlsCertificateKeyFilePassword=kp1&tls=true":                                             "mongodb://h/?tlsCertificateKeyFilePassword=****&tls=true",
		"mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok,SERVICE_NAME:x": "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:****,SERVICE_NAME:****",
		"mongodb://h/?authMechanismProperties=AWS_SESSION_TOKEN%3Atok":                                        "mongodb://h/?authMechanismProperties=AWS_SESSION_TOKEN:****",
		"mongodb://u:p@a,b:27018/db?sslClientCertificateKeyPassword=x;PROXYPASSWORD=y&proxyUsername=u":        "mongodb://u:****@a,b:27018/db?sslClientCertificateKeyPassword=****;PROXYPASSWORD=****&proxyUsername=u",
		"mongodb://h/?mySecretThing=1&apiToken=2&appName=dupes":                                               "mongodb://h/?mySecretThing=****&apiToken=****&appName=dupes",
		"mongodb://h/?proxyPassword=&retryWrites=true":                                                        "mongodb://h/?proxyPassword=&retryWrites=true",
		"bob:pw@host:27017":     "bob:****@host:27017",
		"localhost:27017":       "localhost:27017",
		"mongodb://host/?x=a@b": "mongodb://host/?x=a@b",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

func TestScrubKeepsMessagesWhole(t *testing.T) {
	uri := "mongodb://dba:pass@h:1/?proxyPassword=S3cret%25x&authMechanismProperties=AWS_SESSION_TOKEN:ref,SERVICE_NAME:mongodb"
	s := secretsOf(uri)
	for in, want := range map[string]string{
		// The secret quoted, raw or decoded, goes; the words around it stay.
		`error parsing uri: invalid option value "S3cret%25x": bad`: `error parsing uri: invalid option value "****": bad`,
		`value S3cret%x rejected`:                                   `value **** rejected`,
		`token "ref" expired`:                                       `token "****" expired`,
		// A secret that is part of a longer word is left: "ref" in "refused", "pass" in "password".
		"connection refused; check the password": "connection refused; check the password",
		// SERVICE_NAME's value is no secret: "mongodb" stays in the text.
		"mongodb error": "mongodb error",
		// The URI quoted whole becomes its redacted form.
		"cannot use " + uri: "cannot use " + Redact(uri),
	} {
		if got := scrub(in, s); got != want {
			t.Errorf("scrub(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestConnectErrorsKeepTheirWordsWithoutTheSecrets reaches for a closed port with every kind
// of secret in the URI: the message must say what failed and where, whole, with each secret
// masked.
func TestConnectErrorsKeepTheirWordsWithoutTheSecrets(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	secrets := []string{"pw-Secret1", "tls-Secret2", "ssl-Secret3", "proxy-Secret4", "aws-Secret5"}
	uri := "mongodb://dba:" + secrets[0] + "@" + addr + "/?directConnection=true&tlsCertificateKeyFilePassword=" + secrets[1] +
		"&sslClientCertificateKeyPassword=" + secrets[2] + "&proxyPassword=" + secrets[3] +
		"&authMechanismProperties=AWS_SESSION_TOKEN:" + secrets[4]
	_, err = Connect(context.Background(), uri, Options{Timeout: 1e9})
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	msg := err.Error()
	t.Logf("error: %s", msg)
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Errorf("the error shows %s: %s", s, msg)
		}
	}
	for _, want := range []string{"connect to mongodb://dba:****@" + addr, "tlsCertificateKeyFilePassword=****", "AWS_SESSION_TOKEN:****",
		"cannot reach the server", "connection refused"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q: %s", want, msg)
		}
	}
	// A URI the driver cannot parse: its complaint quotes the bad value, which is the secret.
	_, err = Connect(context.Background(), "mongodb://h/?proxyPassword=S3cret%zz", Options{Timeout: 1e9})
	if err == nil || strings.Contains(err.Error(), "S3cret") || !strings.Contains(err.Error(), `invalid option value "****": invalid URL escape "%zz"`) {
		t.Fatalf("parse error: %v", err)
	}
}
