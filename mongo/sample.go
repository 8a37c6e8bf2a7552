package mongo

import (
	"context"
	"errors"
	"sort"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// DefaultSample is how many documents SampleFields reads when asked for 0.
const DefaultSample = 1000

// maxSampleDepth stops descent into deeply nested documents; such paths are rarely keys.
const maxSampleDepth = 6

// SampleFields reads a random sample of up to n documents ($sample) and reports every dotted
// path seen, with its BSON types and fill rate, most filled first. Paths into arrays of
// sub-documents ("items.sku") are listed too: a unique index may use them (multikey).
func (c *Client) SampleFields(ctx context.Context, ns model.Namespace, n int) ([]model.FieldInfo, error) {
	if n <= 0 {
		n = DefaultSample
	}
	stats, sampled, err := c.samplePaths(ctx, ns, n, true)
	if err != nil && ctx.Err() == nil && !errors.Is(err, ErrMaxTime) {
		// $sample can fail where a plain read does not (mongo-java-server's random sort
		// breaks its sort's contract now and then): the first n documents in natural order
		// are a poorer sample, but enough to tell a misspelled key from a real one. A sample
		// past --max-time is not read again another way.
		stats, sampled, err = c.samplePaths(ctx, ns, n, false)
	}
	if err != nil {
		return nil, c.wrap("sample "+ns.String(), err)
	}
	out := make([]model.FieldInfo, 0, len(stats))
	orders := map[string]int{}
	for path, s := range stats {
		fi := model.FieldInfo{Path: path, Present: s.present, Sampled: sampled}
		for t := range s.types {
			fi.Types = append(fi.Types, t)
		}
		sort.Slice(fi.Types, func(i, j int) bool {
			a, b := s.types[fi.Types[i]], s.types[fi.Types[j]]
			return a > b || (a == b && fi.Types[i] < fi.Types[j])
		})
		orders[path] = s.order
		out = append(out, fi)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Present != out[j].Present {
			return out[i].Present > out[j].Present
		}
		return orders[out[i].Path] < orders[out[j].Path]
	})
	return out, nil
}

// pathStat is what SampleFields learns of one path.
type pathStat struct {
	present int
	types   map[string]int
	order   int
}

// samplePaths reads up to n documents, by $sample when random, else a plain find, and counts
// their paths.
func (c *Client) samplePaths(ctx context.Context, ns model.Namespace, n int, random bool) (map[string]*pathStat, int, error) {
	var cur *readCursor
	var err error
	what := "the sample of " + ns.String()
	if random {
		cur, err = c.readAggregate(ctx, ns, what, bson.A{bson.D{{Key: "$sample", Value: bson.D{{Key: "size", Value: n}}}}}, nil)
	} else {
		cur, err = c.readFind(ctx, ns, what, bson.D{}, options.Find().SetLimit(int64(n)))
	}
	if err != nil {
		return nil, 0, err
	}
	defer cur.Close(ctx)
	stats := map[string]*pathStat{}
	sampled := 0
	for cur.Next(ctx) {
		sampled++
		seen := map[string]bool{}
		walkPaths(cur.Current, "", 0, func(path string, t bson.Type) {
			s := stats[path]
			if s == nil {
				s = &pathStat{types: map[string]int{}, order: len(stats)}
				stats[path] = s
			}
			if !seen[path] {
				seen[path] = true
				s.present++
			}
			s.types[typeName(t)]++
		})
	}
	return stats, sampled, cur.Err()
}

// walkPaths calls fn for every path in doc (documents inside arrays included). A field whose
// name no path can name ("a.b", "$x", "") is left out with what it holds: no index can key it.
func walkPaths(doc bson.Raw, prefix string, depth int, fn func(string, bson.Type)) {
	elems, err := doc.Elements()
	if err != nil || depth > maxSampleDepth {
		return
	}
	for _, e := range elems {
		if !model.QueryName(e.Key()) {
			continue
		}
		path := prefix + e.Key()
		v := e.Value()
		fn(path, v.Type)
		switch v.Type {
		case bson.TypeEmbeddedDocument:
			walkPaths(v.Document(), path+".", depth+1, fn)
		case bson.TypeArray:
			vals, _ := v.Array().Values()
			for _, av := range vals {
				if sub, ok := av.DocumentOK(); ok {
					walkPaths(sub, path+".", depth+1, fn)
				}
			}
		}
	}
}

// HoldsField reports whether any document of the collection has the field (dotted paths reach
// into arrays of sub-documents, as in a query). It stops at the first such document, so a key
// field that exists costs one short read; only a field no document has reads the collection.
func (c *Client) HoldsField(ctx context.Context, ns model.Namespace, path string) (bool, error) {
	cur, err := c.readFind(ctx, ns, "the search for "+path+" in "+ns.String(), bson.D{{Key: path, Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetLimit(-1))
	if err != nil {
		return false, c.wrap("look for "+path+" in "+ns.String(), err)
	}
	defer cur.Close(ctx)
	found := cur.Next(ctx)
	if err := cur.Err(); err != nil {
		return false, c.wrap("look for "+path+" in "+ns.String(), err)
	}
	return found, nil
}
