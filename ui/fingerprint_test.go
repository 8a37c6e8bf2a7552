package ui

import (
	"slices"
	"strings"

	"github.com/dupes-tui/dupes/model"
)

// unprinted is a plan without its fingerprints: what the planner alone makes of the decisions.
func unprinted(p model.Plan) model.Plan {
	gs := make([]model.PlanGroup, len(p.Groups))
	for i, g := range p.Groups {
		g.KeepFingerprint, g.DeleteFingerprints = "", nil
		gs[i] = g
	}
	p.Groups = gs
	return p
}

// change rewrites a document of the demo store behind the TUI's back: with a field added, or
// (to nil) back as it was.
func change(h *harness, n model.Namespace, id model.Value, add *model.Field) model.Doc {
	h.t.Helper()
	for _, d := range h.store.Docs(n) {
		if d.ID != id {
			continue
		}
		h.store.Remove(n, id)
		nd := d
		nd.Fields = append([]model.Field(nil), d.Fields...)
		if add != nil {
			nd.Fields = append(nd.Fields, *add)
		}
		h.store.Insert(n, nd)
		return d
	}
	h.t.Fatalf("no document %s", id.Display())
	return model.Doc{}
}

func restore(h *harness, n model.Namespace, d model.Doc) {
	h.store.Remove(n, d.ID)
	h.store.Insert(n, d)
}

// openGroupOf opens the group view and moves it on (n) to a group with the key and at least
// min members, and returns that group.
func openGroupOf(h *harness, min int) model.Group {
	h.t.Helper()
	h.keys("enter")
	h.wantScreen(scrGroup)
	for i := 0; number(h.t, h.m.View(), "members") < min || strings.Contains(h.m.View(), "null/missing"); i++ {
		if i > 50 {
			h.t.Fatalf("no group of %d members", min)
		}
		h.keys("n")
	}
	for _, g := range h.m.sess.groups {
		if strings.Contains(h.m.View(), "email = "+keyText(g)) {
			return g
		}
	}
	h.t.Fatalf("the group on screen is none of the session's:\n%s", h.m.View())
	return model.Group{}
}

func skipReasons(rep model.Report) map[model.Value]string {
	out := map[model.Value]string{}
	for _, g := range rep.Groups {
		for _, s := range g.Skipped {
			out[s.ID] = s.Reason
		}
	}
	return out
}

func present(h *harness, n model.Namespace) map[model.Value]bool {
	out := map[model.Value]bool{}
	for _, d := range h.store.Docs(n) {
		out[d.ID] = true
	}
	return out
}

// groupIndex is the session's index of a group.
func groupIndex(h *harness, g model.Group) int {
	h.t.Helper()
	for gi, sg := range h.m.sess.groups {
		if slices.Equal(sg.Key, g.Key) {
			return gi
		}
	}
	h.t.Fatalf("no group %v", g.Key)
	return -1
}
