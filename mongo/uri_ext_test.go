package mongo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/mongo"
)

// TestConnectErrorsKeepTheirWordsWithoutTheSecrets reaches for a closed port with every kind
// of secret in the URI: the message must say what failed and where, whole, with each secret
// masked.
func TestConnectErrorsKeepTheirWordsWithoutTheSecrets(t *testing.T) {
	addr := closedPort(t)
	secrets := []string{"pw-Secret1", "tls-Secret2", "ssl-Secret3", "proxy-Secret4", "aws-Secret5"}
	uri := "mongodb://dba:" + secrets[0] + "@" + addr + "/?directConnection=true&tlsCertificateKeyFilePassword=" + secrets[1] +
		"&sslClientCertificateKeyPassword=" + secrets[2] + "&proxyPassword=" + secrets[3] +
		"&authMechanismProperties=AWS_SESSION_TOKEN:" + secrets[4]
	_, err := mongo.Connect(context.Background(), uri, mongo.Options{Timeout: 1e9})
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
	_, err = mongo.Connect(context.Background(), "mongodb://h/?proxyPassword=S3cret%zz", mongo.Options{Timeout: 1e9})
	if err == nil || strings.Contains(err.Error(), "S3cret") || !strings.Contains(err.Error(), `invalid option value "****": invalid URL escape "%zz"`) {
		t.Fatalf("parse error: %v", err)
	}
}
