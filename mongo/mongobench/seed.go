// Package mongobench holds what dupes' benchmarks need from the driver directly: a fast seeder
// of duplicate-laden collections, the per-group script that dupes replaces (README, "Why") as a
// reusable baseline, the bare aggregation that is the scan's floor, and the memory readings of
// a server process. It lives under mongo/ because only mongo/ may import the driver.
package mongobench

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SeedBatch is documents per InsertMany. 10 000 documents of ~150 bytes is a 1.5 MB message:
// large enough that round trips do not matter, small enough to pipeline two at once. It must
// stay under 25 000: DocumentDB (FerretDB 2.5) refuses more operations in one write command,
// while its hello reports maxWriteBatchSize 100 000, so the driver would not split for us.
const SeedBatch = 10000

// Spec describes a seeded collection: Docs documents of which about Groups groups share an
// email (group sizes 2 to 4, mean 3; fewer when Docs cannot hold that many).
type Spec struct {
	Docs   int
	Groups int
	// Seed makes the data reproducible: the same Spec always yields identical documents.
	Seed uint64
}

// Stats says what a seeded collection holds, so runs can check their results against it.
type Stats struct {
	Docs    int // documents inserted
	Groups  int // duplicate groups on email
	Members int // documents in those groups
	Surplus int // Members - Groups: what a cleanup deletes
}

// KeyField is the seeded duplicate key.
const KeyField = "email"

// Seed drops coll and fills it per spec, with unordered InsertMany calls of SeedBatch documents,
// two in flight at a time. _ids are ObjectIDs in insertion order; the duplicate emails are
// scattered through the collection, so a group's members are far apart as in real data.
func Seed(ctx context.Context, coll *mongo.Collection, spec Spec) (Stats, error) {
	if err := coll.Drop(ctx); err != nil {
		return Stats{}, fmt.Errorf("drop %s: %w", coll.Name(), err)
	}
	emails, st := plan(spec)
	rng := rand.New(rand.NewPCG(spec.Seed, 2))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := func(start, end int) []any {
		out := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			out = append(out, bson.D{
				{Key: "_id", Value: objectID(spec.Seed, i)},
				{Key: KeyField, Value: fmt.Sprintf("user%08d@example.com", emails[i])},
				{Key: "name", Value: fmt.Sprintf("User %d", emails[i])},
				{Key: "n", Value: int32(i)},
				{Key: "score", Value: rng.Float64() * 100},
				{Key: "updatedAt", Value: bson.NewDateTimeFromTime(base.Add(time.Duration(i) * time.Second))},
				{Key: "tags", Value: bson.A{"a", "b"}},
			})
		}
		return out
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, 2)
	)
	for start := 0; start < spec.Docs; start += SeedBatch {
		batch := docs(start, min(start+SeedBatch, spec.Docs))
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := coll.InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("seed %s: %w", coll.Name(), err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return st, firstErr
}

// plan assigns each document an email number: the first Members documents form the groups
// (sizes 2..4), the rest are unique; then the assignment is shuffled across the collection.
func plan(spec Spec) ([]int, Stats) {
	rng := rand.New(rand.NewPCG(spec.Seed, 1))
	emails := make([]int, spec.Docs)
	st := Stats{Docs: spec.Docs}
	groups := min(spec.Groups, spec.Docs/2)
	i, email := 0, 0
	for g := 0; g < groups; g++ {
		size := 2 + rng.IntN(3)
		// Leave room for the remaining groups' two members each.
		if room := spec.Docs - i - 2*(groups-g-1); size > room {
			size = room
		}
		if size < 2 {
			break
		}
		for j := 0; j < size; j++ {
			emails[i] = email
			i++
		}
		email++
		st.Groups++
		st.Members += size
	}
	for ; i < spec.Docs; i++ {
		emails[i] = email
		email++
	}
	rng.Shuffle(len(emails), func(a, b int) { emails[a], emails[b] = emails[b], emails[a] })
	st.Surplus = st.Members - st.Groups
	return emails, st
}

// objectID makes the i-th _id: a fixed timestamp and the seed, then i, so ids ascend with i
// and reseeding yields the same ids.
func objectID(seed uint64, i int) bson.ObjectID {
	var id bson.ObjectID
	binary.BigEndian.PutUint32(id[0:4], 0x65920080)
	id[4] = byte(seed)
	binary.BigEndian.PutUint32(id[8:12], uint32(i))
	return id
}
