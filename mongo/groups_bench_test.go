package mongo

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// rawGroups builds n scan result documents like the server's ({_id: {k0: email}, ids: [3
// ObjectIds], n: 3}), for measuring the client side of a scan without a server.
func rawGroups(n int) []bson.Raw {
	out := make([]bson.Raw, n)
	for i := range out {
		ids := bson.A{}
		for j := 0; j < 3; j++ {
			var id bson.ObjectID
			binary.BigEndian.PutUint32(id[0:4], 0x65920080)
			binary.BigEndian.PutUint64(id[4:12], uint64(i*3+j))
			ids = append(ids, id)
		}
		doc, err := bson.Marshal(bson.D{
			{Key: "_id", Value: bson.D{{Key: "k0", Value: fmt.Sprintf("user%08d@example.com", i)}}},
			{Key: "ids", Value: ids},
			{Key: "n", Value: int32(3)},
		})
		if err != nil {
			panic(err)
		}
		out[i] = doc
	}
	return out
}

// BenchmarkScanDecode is the per-group client cost of a scan: BSON group to model.Group.
func BenchmarkScanDecode(b *testing.B) {
	raws := rawGroups(1000)
	cu := &Cursor{key: model.Key{Fields: []string{"email"}}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := cu.decode(raws[i%len(raws)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkGroupsResident decodes 1 000 000 groups and reports their resident heap per group,
// in total and beyond their ids' text (the budget: 300 B/group beyond the ids).
func BenchmarkGroupsResident(b *testing.B) {
	const n = 1_000_000
	raws := rawGroups(1000)
	cu := &Cursor{key: model.Key{Fields: []string{"email"}}}
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		groups := make([]model.Group, 0, n)
		idBytes := 0
		for i := 0; i < n; i++ {
			gs, err := cu.decode(raws[i%len(raws)])
			if err != nil {
				b.Fatal(err)
			}
			for _, g := range gs {
				for _, id := range g.IDs {
					idBytes += len(id)
				}
			}
			groups = append(groups, gs...)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		per := float64(after.HeapAlloc-before.HeapAlloc) / n
		b.ReportMetric(per, "B/group")
		b.ReportMetric(per-float64(idBytes)/n, "B/group-beyond-ids")
		runtime.KeepAlive(groups)
	}
}
