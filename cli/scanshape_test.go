package cli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// shapeData: 18 pairs differing only in updatedAt, 3 identical copies, a group of 120 whose
// updatedAt differs and one qty is double 1.0 among int 1s, two documents lacking the key.
func shapeData(f fixture) string {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	var docs []bson.D
	id := 0
	add := func(email any, updated time.Time, qty any) {
		id++
		d := bson.D{{Key: "_id", Value: id}}
		if email != nil {
			d = append(d, bson.E{Key: "email", Value: email})
		}
		docs = append(docs, append(d, bson.E{Key: "qty", Value: qty}, bson.E{Key: "updatedAt", Value: updated}))
	}
	for g := 0; g < 18; g++ {
		for m := 0; m < 2; m++ {
			add("pair"+string(rune('a'+g))+"@x.com", at.Add(time.Duration(m)*time.Hour), int32(1))
		}
	}
	for m := 0; m < 3; m++ {
		add("same@x.com", at, int32(1))
	}
	for m := 0; m < 120; m++ {
		var qty any = int32(1)
		if m == 7 {
			qty = 1.0
		}
		add("big@x.com", at.Add(time.Duration(m)*time.Minute), qty)
	}
	add(nil, at, int32(1))
	add(nil, at, int32(2))
	f.insertD("shape", docs...)
	return f.ns("shape")
}

// TestScanShape: --shape adds the shape to both outputs, as measured; without it, neither
// output has one (it costs a second pass).
func TestScanShape(t *testing.T) {
	f := newFixture(t)
	ns := shapeData(f)
	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--key", "email", "--shape", "--format", "json")
	if status != 0 {
		t.Fatalf("scan --shape: %d %s", status, errOut)
	}
	var got struct {
		Shape *model.Shape `json:"shape"`
		Error *string      `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Shape == nil || got.Error != nil {
		t.Fatalf("scan --shape --format json: %v\n%s", err, out)
	}
	s := *got.Shape
	if s.Total != 21 || s.Measured != 21 || s.Partial || s.Compared != 20 || s.LackingKey != 1 || s.IdenticalGroups != 1 || s.Gone != 0 {
		t.Errorf("counts %+v", s)
	}
	wantSizes := []model.SizeBucket{{Label: "2", Min: 2, Max: 2, Groups: 18, Documents: 36}, {Label: "3", Min: 3, Max: 3, Groups: 1, Documents: 3},
		{Label: "4-9", Min: 4, Max: 9}, {Label: "10-99", Min: 10, Max: 99}, {Label: "100+", Min: 100, Groups: 1, Documents: 120}}
	if !reflect.DeepEqual(s.Sizes, wantSizes) {
		t.Errorf("sizes %+v", s.Sizes)
	}
	wantFields := []model.FieldDiff{{Path: "updatedAt", Groups: 19, Share: 0.95}, {Path: "qty", Groups: 1, Share: 0.05, TypeOnly: 1}}
	if !reflect.DeepEqual(s.Fields, wantFields) {
		t.Errorf("fields %+v", s.Fields)
	}
	if s.Suggestion == nil || s.Suggestion.Keep != "max:updatedAt" || s.Suggestion.Why == "" {
		t.Errorf("suggestion %+v", s.Suggestion)
	}

	out, errOut, status = dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--key", "email", "--shape")
	if status != 0 {
		t.Fatalf("scan --shape: %d %s", status, errOut)
	}
	for _, want := range []string{
		"shape of the 20 groups (every member read):",
		"  2      18      36\n",
		"  100+   1       120\n",
		"identical but for _id: 1 of 20 groups (5 %)",
		"  updatedAt  95 %  19 groups\n",
		"  qty        5 %   1 group    1 only in type (equal by value, as 1 and 1.0)\n",
		"1 group lacking the key: not read, not counted",
		"suggestion (nothing is applied): --keep max:updatedAt. updatedAt differs in 95 % of the 20 groups",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table output lacks %q:\n%s", want, out)
		}
	}

	for _, format := range []string{"json", "table"} {
		out, _, _ = dupes(t, "scan", "--uri", f.uri, "--ns", ns, "--key", "email", "--format", format)
		if strings.Contains(out, `"shape":`) || strings.Contains(out, "shape of the") {
			t.Errorf("scan --format %s without --shape prints a shape:\n%s", format, out)
		}
	}
}

// TestScanShapePartial: a shape pass that stopped prints the whole scan with the shape marked
// partial, and the reason in the JSON's error.
func TestScanShapePartial(t *testing.T) {
	b := model.NewShapeBuilder()
	b.Add([]model.Doc{{ID: `"a"`, Fields: []model.Field{{Path: "n", Value: `"x"`}}}, {ID: `"b"`, Fields: []model.Field{{Path: "n", Value: `"y"`}}}})
	s := b.PartialShape(40)
	g := model.Group{Key: []model.Value{`"k"`}, IDs: []model.Value{`"a"`, `"b"`}}
	res := scanResult{groups: []model.Group{g}, summary: model.Summarize([]model.Group{g}), shape: &s, shapeErr: "read documents of d.c: cancelled"}
	var js, table bytes.Buffer
	if err := writeScanJSON(&js, model.Namespace{DB: "d", Coll: "c"}, model.Key{Fields: []string{"k"}}, res); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Shape  model.Shape `json:"shape"`
		Error  string      `json:"error"`
		Groups []any       `json:"groups"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil || !got.Shape.Partial || got.Shape.Measured != 1 || got.Shape.Total != 40 ||
		got.Error != res.shapeErr || len(got.Groups) != 1 {
		t.Errorf("partial shape in JSON: %v\n%s", err, js.String())
	}
	writeShapeText(&table, s)
	if !strings.Contains(table.String(), "shape of the first 1 of 40 groups (stopped: partial):") {
		t.Errorf("partial shape in the table:\n%s", table.String())
	}
}
