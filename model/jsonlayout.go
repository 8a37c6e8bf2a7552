package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// minInline is the longest value kept on one line however deep it stands.
const minInline = 40

// jsonNode is a JSON value in its original order: a scalar's encoded text, or the members of an
// object or array (keys encoded, for an object). It is not decode's tree (display.go), which
// turns {"$…": …} objects into maps: a pipeline's {"$gte": …, "$lt": …} must keep its order, and
// a scalar its exact text, for the layout to be the statement byte for byte.
type jsonNode struct {
	text  string
	open  json.Delim // '{' or '[' for a container, 0 for a scalar
	keys  []string
	items []jsonNode
}

// LayoutJSON lays out JSON the way a DBA writes it in mongosh: a value that fits in the
// width stays on one line ({ "$gt": 1 }), a longer one opens one member per line; open opens
// the outermost one anyway (a pipeline's stages, a document's fields, one a line). Key order,
// numbers and strings are kept as given: without the layout it is src, byte for byte.
func LayoutJSON(src []byte, width int, open bool) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return "", fmt.Errorf("lay out %.20s…: %w", src, err)
	}
	var b strings.Builder
	n.write(&b, 0, 0, 0, width, open)
	return b.String(), nil
}

func readNode(dec *json.Decoder) (jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return jsonNode{}, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		text, err := encode(tok)
		return jsonNode{text: text}, err
	}
	n := jsonNode{open: d}
	for dec.More() {
		if d == '{' {
			k, err := dec.Token()
			if err != nil {
				return n, err
			}
			key, err := encode(k)
			if err != nil {
				return n, err
			}
			n.keys = append(n.keys, key)
		}
		item, err := readNode(dec)
		if err != nil {
			return n, err
		}
		n.items = append(n.items, item)
	}
	_, err = dec.Token() // the closing delimiter
	return n, err
}

// encode writes a scalar token back as JSON, without the HTML escaping that would turn
// "<" into "\u003c" in a pipeline meant to be read.
func encode(tok any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(tok); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func (n jsonNode) closer() string {
	if n.open == '{' {
		return "}"
	}
	return "]"
}

func (n jsonNode) member(i int) string {
	if n.open == '{' {
		return n.keys[i] + ": "
	}
	return ""
}

// inline is the node on one line.
func (n jsonNode) inline() string {
	if n.open == 0 {
		return n.text
	}
	if len(n.items) == 0 {
		return string(n.open) + n.closer()
	}
	parts := make([]string, len(n.items))
	for i, it := range n.items {
		parts[i] = n.member(i) + it.inline()
	}
	if n.open == '{' {
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// write lays the node out at indent, the cursor standing at column col; tail is what follows
// it on its line (its comma).
func (n jsonNode) write(b *strings.Builder, indent, col, tail, width int, open bool) {
	// Deep in a compiled key, the room left is small: a short value stays whole there anyway.
	if s := n.inline(); n.open == 0 || len(n.items) == 0 || !open && len(s)+tail <= max(width-col, minInline) {
		b.WriteString(s)
		return
	}
	pad := strings.Repeat("  ", indent+1)
	b.WriteString(string(n.open) + "\n")
	for i, it := range n.items {
		m := n.member(i)
		b.WriteString(pad + m)
		comma := 0
		if i < len(n.items)-1 {
			comma = 1
		}
		it.write(b, indent+1, len(pad)+len(m), comma, width, false)
		if comma > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(strings.Repeat("  ", indent) + n.closer())
}

// QuoteJSON is s as a JSON string, without the HTML escaping ("<" as "\u003c") that
// json.Marshal adds.
func QuoteJSON(s string) string {
	q, _ := encode(s) // a string always encodes
	return q
}
