package model

import (
	"bytes"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// minInline is the longest value kept on one line however deep it stands.
const minInline = 40

// jsonNode is one value of the driver's compact Extended JSON text, cut where the layout may
// put a space or a line break: a scalar's text as the driver wrote it, or the members of an
// object or array (keys as written, for an object). An Extended JSON wrapper such as
// {"$date": {"$numberLong": "…"}} is an object here too, so a long one opens as the
// document around it does.
type jsonNode struct {
	text  string
	open  byte // '{' or '[' for a container, 0 for a scalar
	keys  []string
	items []jsonNode
}

// LayoutJSON lays out Extended JSON the way a DBA writes it in mongosh: a value that fits in
// the width stays on one line ({ "$gt": 1 }), a longer one opens one member per line; open
// opens the outermost one anyway (a pipeline's stages, a document's fields, one a line).
// src, a document or an array, is read by the driver and written again by it: relaxed when
// src is the driver's compact relaxed text (a pipeline to paste into mongosh), canonical
// otherwise. Key order is kept, and without the layout the result is the driver's compact text.
func LayoutJSON(src []byte, width int, open bool) (string, error) {
	text, err := driverText(src)
	if err != nil {
		return "", fmt.Errorf("lay out %.20s…: %w", src, err)
	}
	n, _ := cutJSON(text, 0)
	var b strings.Builder
	n.write(&b, 0, 0, 0, width, open)
	return b.String(), nil
}

// driverText is src read by the driver and written back compact: relaxed when src is the
// driver's own relaxed text, canonical otherwise.
func driverText(src []byte) (string, error) {
	src = bytes.TrimSpace(src)
	doc, err := ReadDoc([]byte(`{"v":` + string(src) + `}`))
	if err != nil {
		return "", err
	}
	rv := doc.Lookup("v")
	if rv.Type != bson.TypeEmbeddedDocument && rv.Type != bson.TypeArray {
		return "", fmt.Errorf("not a document or an array but a %s", typeName(rv.Type))
	}
	relaxed, err := bson.MarshalExtJSON(doc, false, false)
	if err != nil {
		return "", err
	}
	if r := relaxed[len(`{"v":`) : len(relaxed)-1]; bytes.Equal(r, src) {
		return string(r), nil
	}
	v, err := ValueOf(rv)
	return string(v), err
}

// cutJSON cuts the value that starts at text[i] into a jsonNode and returns the index after
// it. text is the driver's compact output, which is well formed and has no space between
// tokens: a quote opens a string that ends at the next quote not escaped, and a comma, colon
// or bracket outside strings is syntax. Nothing is read as a value here.
func cutJSON(text string, i int) (jsonNode, int) {
	c := text[i]
	if c != '{' && c != '[' {
		end := scalarEnd(text, i)
		return jsonNode{text: text[i:end]}, end
	}
	n := jsonNode{open: c}
	i++
	for text[i] != closer(c) {
		if text[i] == ',' {
			i++
		}
		if c == '{' {
			end := scalarEnd(text, i)
			n.keys = append(n.keys, text[i:end])
			i = end + 1 // the colon
		}
		var item jsonNode
		item, i = cutJSON(text, i)
		n.items = append(n.items, item)
	}
	return n, i + 1
}

// scalarEnd is the index after the string, number or literal starting at text[i].
func scalarEnd(text string, i int) int {
	if text[i] == '"' {
		for j := i + 1; j < len(text); j++ {
			switch text[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(text)
	}
	j := i
	for j < len(text) && !strings.ContainsRune(",:]}", rune(text[j])) {
		j++
	}
	return j
}

func closer(open byte) byte {
	if open == '{' {
		return '}'
	}
	return ']'
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
		return string([]byte{n.open, closer(n.open)})
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
	b.WriteString(string(rune(n.open)) + "\n")
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
	b.WriteString(strings.Repeat("  ", indent) + string(rune(closer(n.open))))
}

// QuoteJSON is s as a JSON string, as the driver writes one: control characters escaped,
// "<" and "&" left alone.
func QuoteJSON(s string) string { return quote(s) }
