package model

import (
	"strings"
	"testing"
)

func TestOfferIndex(t *testing.T) {
	email := Key{Fields: []string{"email"}}
	o := OfferIndex(email, false, ShardKey{})
	if o.Refused != "" || o.Partial || o.Key.PartialFilter != "" || !strings.Contains(o.Guarantee, "only one may") {
		t.Fatalf("opted in: %+v", o)
	}
	o = OfferIndex(email, true, ShardKey{})
	if !o.Partial || !strings.HasPrefix(o.Key.PartialFilter, `{"email":{"$type":["double","string",`) || strings.Contains(o.Key.PartialFilter, `"null"`) {
		t.Fatalf("lacking left: %+v", o)
	}
	if !strings.Contains(o.Guarantee, "missing or null are left out") {
		t.Fatalf("guarantee %q", o.Guarantee)
	}
	o = OfferIndex(Key{Fields: []string{"last", "first"}}, true, ShardKey{})
	if !strings.HasPrefix(o.Key.PartialFilter, `{"$and":[{"last":{"$type":`) || !strings.Contains(o.Key.PartialFilter, `{"first":{"$type":`) {
		t.Fatalf("compound: %s", o.Key.PartialFilter)
	}
	// A key from an existing index keeps its own options.
	ix := Key{Fields: []string{"email"}, Index: "email_ci", Sparse: true}
	if o = OfferIndex(ix, true, ShardKey{}); o.Partial || o.Key.PartialFilter != "" || !o.Key.Sparse || o.Key.Index != "email_ci" {
		t.Fatalf("index key: %+v", o)
	}
}

func TestOfferIndexSharded(t *testing.T) {
	// The key holds the shard key: the index is the shard key first, then the rest.
	o := OfferIndex(Key{Fields: []string{"email", "tenant"}}, false, ShardKey{Fields: []string{"tenant"}})
	if o.Refused != "" || strings.Join(o.Key.Fields, ",") != "tenant,email" || !strings.Contains(o.Guarantee, "shard key first") {
		t.Fatalf("prefixed: %+v", o)
	}
	// The key lacks a shard key field: no unique index can enforce it.
	o = OfferIndex(Key{Fields: []string{"email"}}, true, ShardKey{Fields: []string{"tenant", "region"}})
	if o.Refused == "" || !strings.Contains(o.Refused, "must start with the shard key") || !strings.Contains(o.Refused, "tenant, region") {
		t.Fatalf("refusal: %+v", o)
	}
	o = OfferIndex(Key{Fields: []string{"email"}}, true, ShardKey{Fields: []string{"email"}, Hashed: true})
	if !strings.Contains(o.Refused, "hashed") {
		t.Fatalf("hashed: %+v", o)
	}
	// Compound shard key, key in another order, lacking documents left: filter on the new order.
	o = OfferIndex(Key{Fields: []string{"sku", "region", "tenant"}}, true, ShardKey{Fields: []string{"tenant", "region"}})
	if strings.Join(o.Key.Fields, ",") != "tenant,region,sku" || !strings.HasPrefix(o.Key.PartialFilter, `{"$and":[{"tenant":`) {
		t.Fatalf("compound shard key: %+v", o)
	}
}

// TestOfferNeverClaimsMoreThanItEnforces: an index compares exactly unless its collation says
// otherwise, so a trimmed scan, or one that ignored case without a case-insensitive collation,
// is offered no index (and told what would enforce it); with strength 2 the offer stands.
func TestOfferNeverClaimsMoreThanItEnforces(t *testing.T) {
	for _, k := range []Key{
		{Fields: []string{"email"}, Trim: true},
		{Fields: []string{"email"}, IgnoreCase: true, Trim: true, Collation: &Collation{Locale: "en", Strength: 2}},
		{Fields: []string{"email"}, IgnoreCase: true},
		{Fields: []string{"email"}, IgnoreCase: true, Collation: &Collation{Locale: "en", Strength: 3}},
	} {
		o := OfferIndex(k, true, ShardKey{})
		if o.Refused == "" || !strings.Contains(o.Refused, "a field of its own") {
			t.Errorf("%s (%s): offered %+v", k, k.Semantics(), o)
		}
	}
	ci := Key{Fields: []string{"email"}, IgnoreCase: true, Collation: &Collation{Locale: "en", Strength: 2}}
	if o := OfferIndex(ci, true, ShardKey{}); o.Refused != "" || o.Key.Collation == nil || o.Key.Collation.Strength != 2 {
		t.Fatalf("ignore case with strength 2: %+v", o)
	}
}
