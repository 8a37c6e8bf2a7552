package ui

import "testing"

// TestDoneWarnsThatTheIndexMakesRestoreRefuse: where the done screen offers x (build the unique
// index), it warns that the restore it shows will then refuse the duplicates, and its restore
// command names the server and the namespace.
func TestDoneWarnsThatTheIndexMakesRestoreRefuse(t *testing.T) {
	h := openGroups(t, "shop.orders", "orderNo", func(c *Config) { c.Demo = false })
	h.keys("r", "enter")
	h.send(executeMsg{plan: h.m.sess.plan()})
	h.wantScreen(scrDone)
	h.wantView("Press x to build", "Once the unique index is built, a restore refuses", "dupes restore --uri demo", "--ns shop.orders")
}
