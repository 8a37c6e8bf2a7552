package memstore

import (
	"testing"

	"github.com/dupes-tui/dupes/model"
)

// TestBackupSizeEstimate: the demo store's estimate is the BSON of exactly the documents
// named, those that exist.
func TestBackupSizeEstimate(t *testing.T) {
	s, ns := users()
	docs := s.Docs(ns)
	var want int64
	for _, d := range docs[:2] {
		raw, err := model.ReadDoc(model.DocJSON(d))
		if err != nil {
			t.Fatal(err)
		}
		want += int64(len(raw))
	}
	got, err := s.BackupSizeEstimate(ctx, ns, []model.Value{docs[0].ID, docs[1].ID, `"no such document"`})
	if err != nil || got != want {
		t.Fatalf("estimate %d, %v; want %d", got, err, want)
	}
}
