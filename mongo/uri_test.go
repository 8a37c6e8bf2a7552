package mongo

import "testing"

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
