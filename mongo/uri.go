package mongo

import (
	"net/url"
	"strings"
)

// userinfo finds the user:password part of a MongoDB URI (which may list several hosts and so
// is not always a URL net/url accepts). It returns the part's bounds, or -1s.
func userinfo(uri string) (start, end int) {
	scheme := strings.Index(uri, "://")
	if scheme < 0 {
		return -1, -1
	}
	start = scheme + 3
	rest := uri[start:]
	if slash := strings.IndexAny(rest, "/?"); slash >= 0 {
		rest = rest[:slash]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return -1, -1
	}
	return start, start + at
}

// Redact replaces the password in a URI with "****" so the URI can be shown and logged.
func Redact(uri string) string {
	start, end := userinfo(uri)
	if start < 0 {
		return uri
	}
	user, _, hasPass := strings.Cut(uri[start:end], ":")
	if !hasPass {
		return uri
	}
	return uri[:start] + user + ":****" + uri[end:]
}

// password returns the URI's password, decoded, or "".
func password(uri string) string {
	start, end := userinfo(uri)
	if start < 0 {
		return ""
	}
	_, pass, _ := strings.Cut(uri[start:end], ":")
	if dec, err := url.PathUnescape(pass); err == nil {
		return dec
	}
	return pass
}

// scrub removes a secret (raw or percent-encoded) from a message.
func scrub(msg, secret string) string {
	if secret == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, secret, "****")
	return strings.ReplaceAll(msg, url.QueryEscape(secret), "****")
}
