package mongo

import (
	"net/url"
	"strings"
)

// A MongoDB URI carries secrets in more places than the password: TLS key passwords, proxy
// passwords, AWS session tokens in authMechanismProperties. Redact is the one function that
// makes a URI safe to show or write (screen, errors, manifests); scrub removes the same
// secrets from any message.

// mask stands for a secret.
const mask = HiddenPassword

// uriParts splits scheme://[userinfo@]hosts[/db][?options] at the userinfo and options.
// A MongoDB URI may list several hosts, which net/url does not accept, so this is by hand.
type uriParts struct {
	head     string // "mongodb://"
	user     string // the user name, raw
	pass     string // the password, raw
	hasPass  bool
	hasUser  bool
	hosts    string // hosts and the /db path
	options  string // after '?', raw
	hasQuery bool
}

func splitURI(uri string) uriParts {
	var p uriParts
	// Without a scheme it is no URI, but a mistyped one ("bob:pw@host") still hides its
	// password when quoted back in the error that refuses it.
	if i := strings.Index(uri, "://"); i >= 0 {
		p.head, uri = uri[:i+3], uri[i+3:]
	}
	// The options start at the first '?' after the authority (a password may hold neither
	// '/' nor '?' unescaped, so the first of them ends the authority).
	auth := uri
	if end := strings.IndexAny(uri, "/?"); end >= 0 {
		auth = uri[:end]
	}
	if at := strings.LastIndex(auth, "@"); at >= 0 {
		p.hasUser = true
		p.user, p.pass, p.hasPass = strings.Cut(auth[:at], ":")
		uri = uri[at+1:]
	}
	p.hosts = uri
	if q := strings.IndexByte(uri, '?'); q >= 0 {
		p.hosts, p.options, p.hasQuery = uri[:q], uri[q+1:], true
	}
	return p
}

// secretOption reports an option whose value is a secret: any whose name holds password,
// secret or token (tlsCertificateKeyFilePassword, sslClientCertificateKeyPassword,
// proxyPassword, …), whatever its case.
func secretOption(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || strings.Contains(n, "secret") || strings.Contains(n, "token")
}

// mechProps is the option of "KEY:value,KEY:value" pairs (AWS_SESSION_TOKEN:…, SERVICE_NAME:…).
func mechProps(name string) bool { return strings.EqualFold(name, "authMechanismProperties") }

// options splits the option string at '&' (and ';', which the spec also allows), keeping
// each separator so the URI can be put back together unchanged but for the secrets.
func splitOptions(s string) (opts []string, seps []byte) {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '&' || s[i] == ';' {
			opts, seps = append(opts, s[start:i]), append(seps, s[i])
			start = i + 1
		}
	}
	return append(opts, s[start:]), seps
}

// Redact replaces every secret in a URI with "****": the password, the value of every option
// named like a password, secret or token, and the values of authMechanismProperties (their
// keys stay, so the mechanism's setup can still be read). The result is safe to show and log.
func Redact(uri string) string {
	p := splitURI(uri)
	var b strings.Builder
	b.WriteString(p.head)
	if p.hasUser {
		b.WriteString(p.user)
		if p.hasPass {
			b.WriteString(":" + mask)
		}
		b.WriteByte('@')
	}
	b.WriteString(p.hosts)
	if !p.hasQuery {
		return b.String()
	}
	b.WriteByte('?')
	opts, seps := splitOptions(p.options)
	for i, o := range opts {
		if i > 0 {
			b.WriteByte(seps[i-1])
		}
		name, val, hasVal := strings.Cut(o, "=")
		switch {
		case !hasVal || val == "":
			b.WriteString(o)
		case secretOption(name):
			b.WriteString(name + "=" + mask)
		case mechProps(name):
			b.WriteString(name + "=" + redactProps(val))
		default:
			b.WriteString(o)
		}
	}
	return b.String()
}

// redactProps masks each value of "KEY:value,KEY:value", raw or percent-encoded.
func redactProps(raw string) string {
	val, err := url.QueryUnescape(raw)
	if err != nil {
		return mask
	}
	pairs := strings.Split(val, ",")
	for i, kv := range pairs {
		if k, _, ok := strings.Cut(kv, ":"); ok {
			pairs[i] = k + ":" + mask
		} else {
			pairs[i] = mask
		}
	}
	return strings.Join(pairs, ",")
}

// secrets is what scrub removes from messages: the URI itself and each secret it holds, in
// the forms a message may quote them (raw, decoded, re-encoded).
type secrets struct {
	uri, redacted string
	values        []string
}

// secretsOf finds the secrets a URI holds. Non-secret authMechanismProperties values
// (SERVICE_NAME:mongodb) are masked in Redact but not scrubbed from messages, where a word
// like "mongodb" would be cut out of the text for nothing.
func secretsOf(uri string) secrets {
	s := secrets{uri: uri, redacted: Redact(uri)}
	p := splitURI(uri)
	if p.hasPass {
		s.add(p.pass, url.PathUnescape)
	}
	if !p.hasQuery {
		return s
	}
	opts, _ := splitOptions(p.options)
	for _, o := range opts {
		name, val, _ := strings.Cut(o, "=")
		switch {
		case val == "":
		case secretOption(name):
			s.add(val, url.QueryUnescape)
		case mechProps(name):
			dec, err := url.QueryUnescape(val)
			if err != nil {
				s.add(val, url.QueryUnescape)
				continue
			}
			for _, kv := range strings.Split(dec, ",") {
				if k, v, ok := strings.Cut(kv, ":"); ok && secretOption(k) {
					s.add(v, nil)
				}
			}
		}
	}
	return s
}

// add records a secret in its raw form, decoded, and encoded as a query or a path would be.
func (s *secrets) add(raw string, unescape func(string) (string, error)) {
	forms := []string{raw}
	if unescape != nil {
		if dec, err := unescape(raw); err == nil {
			forms = append(forms, dec)
			raw = dec
		}
	}
	forms = append(forms, url.QueryEscape(raw), url.PathEscape(raw))
	for _, f := range forms {
		if f != "" && !contains(s.values, f) {
			s.values = append(s.values, f)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scrub removes the URI's secrets from a message. The whole URI, quoted anywhere, becomes its
// redacted form; a secret elsewhere is masked only where it stands as a whole word, so a
// short password never cuts a hole in a word of the message around it. The longest forms go
// first, so a secret that holds another is masked whole.
func scrub(msg string, s secrets) string {
	if s.uri != "" && s.uri != s.redacted {
		msg = strings.ReplaceAll(msg, s.uri, s.redacted)
	}
	vals := append([]string(nil), s.values...)
	for i := 1; i < len(vals); i++ {
		for j := i; j > 0 && len(vals[j]) > len(vals[j-1]); j-- {
			vals[j], vals[j-1] = vals[j-1], vals[j]
		}
	}
	for _, v := range vals {
		msg = maskWord(msg, v)
	}
	return msg
}

// maskWord replaces each occurrence of secret in msg that is not part of a longer word: the
// characters on either side are not letters or digits (where the secret's own edge is one).
func maskWord(msg, secret string) string {
	var b strings.Builder
	for {
		i := strings.Index(msg, secret)
		if i < 0 {
			break
		}
		end := i + len(secret)
		before := i > 0 && wordByte(msg[i-1]) && wordByte(secret[0])
		after := end < len(msg) && wordByte(msg[end]) && wordByte(secret[len(secret)-1])
		if before || after {
			b.WriteString(msg[:i+1])
			msg = msg[i+1:]
			continue
		}
		b.WriteString(msg[:i] + mask)
		msg = msg[end:]
	}
	if b.Len() == 0 {
		return msg
	}
	b.WriteString(msg)
	return b.String()
}

func wordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// Scrubber returns the function that removes a URI's secrets from any text: for messages
// that did not come through a Client (the CLI's last word on an error, say).
func Scrubber(uri string) func(string) string {
	s := secretsOf(uri)
	return func(msg string) string { return scrub(msg, s) }
}
