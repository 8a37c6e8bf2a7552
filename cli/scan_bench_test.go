package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/internal/procmem"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// scanLike is n groups shaped as a scan decodes them: a distinct key, three distinct ObjectId
// _ids, each value its own string.
func scanLike(n int) []model.Group {
	gs := make([]model.Group, n)
	for i := range gs {
		g := model.Group{Key: []model.Value{model.Value(fmt.Sprintf(`"user%08d@example.com"`, i))}, IDs: make([]model.Value, 3)}
		for j := range g.IDs {
			g.IDs[j] = model.Value(fmt.Sprintf(`{"$oid":"6592008001%014x"}`, i*3+j))
		}
		gs[i] = g
	}
	return gs
}

// BenchmarkScanJSONOutput writes `dupes scan --format json` for 1 000 000 groups and reports
// the time, the output size, and the peak RSS the writing adds on top of the groups held in
// memory (VmHWM after minus before), so the output path's memory is visible apart from the scan's.
func BenchmarkScanJSONOutput(b *testing.B) {
	const n = 1_000_000
	gs := scanLike(n)
	res := scanResult{groups: gs, summary: model.Summarize(gs)}
	ns := model.Namespace{DB: "shop", Coll: "users"}
	key := model.Key{Fields: []string{"email"}}
	for b.Loop() {
		runtime.GC()
		before := procmem.Peak()
		var w countWriter
		start := time.Now()
		if err := writeScanJSON(&w, ns, key, res); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/write")
		b.ReportMetric(float64(w.n)/(1<<20), "MiB-output")
		b.ReportMetric(float64(procmem.Peak()-before)/(1<<20), "MiB-peak-RSS-added")
		b.ReportMetric(float64(procmem.Peak())/(1<<20), "MiB-peak-RSS")
	}
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// TestScanJSONStreamsTheSameBytes pins the streamed JSON to what encoding the whole object at
// once writes, for no group, one, and several (one cut at the id limit, with its true count).
func TestScanJSONStreamsTheSameBytes(t *testing.T) {
	ns := model.Namespace{DB: "shop", Coll: "users"}
	key := model.Key{Fields: []string{"email", "name"}}
	for _, n := range []int{0, 1, 4} {
		gs := scanLike(n)
		for i := range gs {
			gs[i].Key = append(gs[i].Key, model.Value(`"<&> \u00e9"`))
		}
		res := scanResult{groups: gs, summary: model.Summarize(gs)}
		if n == 4 {
			gs[1].Key[1] = model.Missing // written as null, as Value.MarshalJSON does
			res.oversized = []mongo.Oversized{{Key: gs[2].Key, Count: 9, Listed: 3}}
		}
		var got strings.Builder
		if err := writeScanJSON(&got, ns, key, res); err != nil {
			t.Fatal(err)
		}
		want := scanJSON{NS: ns.String(), Key: key.Fields, Semantics: key.Semantics(), Summary: res.summary, Groups: []groupJSON{}}
		for _, g := range gs {
			want.Groups = append(want.Groups, groupJSON{Key: g.Key, Count: res.trueCount(g), IDs: g.IDs})
		}
		var wantBuf strings.Builder
		enc := json.NewEncoder(&wantBuf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(want); err != nil {
			t.Fatal(err)
		}
		if got.String() != wantBuf.String() {
			t.Fatalf("%d groups:\n got %s\nwant %s", n, got.String(), wantBuf.String())
		}
		if n == 4 && !strings.Contains(got.String(), `"count":9`) {
			t.Fatalf("the cut group's true count is missing: %s", got.String())
		}
	}
}
