package mongo

import "testing"

// Restore counts a duplicate _id as "exists, not overwritten" and any other duplicate key as
// a failure: both engines' wordings must be told apart.
func TestIsIDDup(t *testing.T) {
	for msg, want := range map[string]bool{
		`E11000 duplicate key error collection: shop.users index: _id_ dup key: { _id: 1 }`:    true,
		`E11000 duplicate key error index: shop.users.$_id_  dup key: { : 1 }`:                 false, // pre-3.4: unreadable, counted as failed
		`E11000 duplicate key error collection: shop.users index: email_1 dup key: { e: 1 }`:   false,
		`Duplicate key violation on the requested collection: Index '_id_'`:                    true,
		`Duplicate key violation on the requested collection: Index 'email_1'`:                 false,
		`E11000 duplicate key error collection: shop.users index: _id_x_1 dup key: { _id: 1 }`: false,
	} {
		if got := isIDDup(msg); got != want {
			t.Errorf("isIDDup(%q) = %v, want %v", msg, got, want)
		}
	}
}
