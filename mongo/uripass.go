package mongo

import "strings"

// HiddenPassword is how a redacted URI shows its password (Redact), and how manifests and
// undo commands carry it: dupes never stores a password.
const HiddenPassword = "****"

// HidesPassword reports whether a URI's password is the **** of a redacted URI, which the
// user must type back before it can connect.
func HidesPassword(uri string) bool {
	p := splitURI(uri)
	return p.hasPass && p.pass == HiddenPassword
}

// URIUser is the user name of a URI, or "".
func URIUser(uri string) string {
	return splitURI(uri).user
}

// WithPassword puts a password into a URI in place of the one it holds, percent-encoding
// every byte a URI's userinfo cannot hold as it is.
func WithPassword(uri, pass string) string {
	p := splitURI(uri)
	if !p.hasUser {
		return uri
	}
	s := p.head + p.user + ":" + escapeUserinfo(pass) + "@" + p.hosts
	if p.hasQuery {
		s += "?" + p.options
	}
	return s
}

func escapeUserinfo(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// LacksPassword reports a URI with a user name and no password, for a mechanism that needs
// one: mongosh asks for it on the terminal, and so does dupes. X.509, AWS, OIDC and Kerberos
// authenticate without one.
func LacksPassword(uri string) bool {
	p := splitURI(uri)
	if !p.hasUser || p.hasPass || p.user == "" {
		return false
	}
	opts := strings.ToUpper(p.options)
	for _, m := range []string{"MONGODB-X509", "MONGODB-AWS", "MONGODB-OIDC", "GSSAPI"} {
		if strings.Contains(opts, "AUTHMECHANISM="+m) {
			return false
		}
	}
	return true
}
