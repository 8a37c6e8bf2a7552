package mongo

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestPipelineJSONIsThePipelineLaidOut: the shown pipeline is the one sent, byte for byte once
// its layout is removed (key order, numbers, escapes), and short values stay on one line.
func TestPipelineJSONIsThePipelineLaidOut(t *testing.T) {
	for _, key := range []model.Key{
		{Fields: []string{"email"}},
		{Fields: []string{"email"}, IgnoreCase: true, Filter: `{"note": "<é & \"q\">", "n": {"$gt": 1.50}}`},
		{Fields: []string{"last", "addr.zip"}, Sparse: true},
		{WholeDocument: true, Ignore: []string{"updatedAt"}},
	} {
		shown, err := PipelineJSON(key)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Pipeline(key)
		if err != nil {
			t.Fatal(err)
		}
		sent, err := bson.MarshalExtJSON(bson.D{{Key: "p", Value: p}}, false, false)
		if err != nil {
			t.Fatal(err)
		}
		var got, want bytes.Buffer
		if err := json.Compact(&got, []byte(shown)); err != nil {
			t.Fatalf("%s: the shown pipeline is not JSON: %v\n%s", key.Semantics(), err, shown)
		}
		if err := json.Compact(&want, sent); err != nil {
			t.Fatal(err)
		}
		if w := strings.TrimSuffix(strings.TrimPrefix(want.String(), `{"p":`), "}"); got.String() != w {
			t.Errorf("%s: shown\n%s\nsent\n%s", key.Semantics(), got.String(), w)
		}
		if !strings.Contains(shown, `{ "$project": { "ids": { "$slice": ["$ids", 100000] }, "n": 1 } }`) {
			t.Errorf("%s: a short stage is not on one line:\n%s", key.Semantics(), shown)
		}
	}
}
