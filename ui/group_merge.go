package ui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// The group view's merge (M): the plan fills each keeper's missing or null fields from the
// members it deletes. M cycles off → merge → merge with array union → off, for the whole plan;
// the group view shows what the keeper on screen would become before anything runs, asked of
// the store (the adapter reads the documents and merges as the run will; the run recomputes it
// from what it re-reads).

// mergeGains is how many gained fields the group view lists before "… and N more".
const mergeGains = 4

// mergeKey is what a preview was computed for: a stale answer is dropped.
type mergeKey struct {
	gi, keep int
	opt      model.MergeOptions
}

type mergePreview struct {
	key     mergeKey
	asked   bool
	loaded  bool
	merged  model.Merged
	err     error
	shownAt int // fetch count the preview belongs to: a refetch asks again
}

// mergeRule is the order the merge takes members in: the plan's rule (model.Plan.MergeRule).
func (s *session) mergeRule() model.KeepRule {
	if s.ruleSet {
		return s.rule
	}
	return model.KeepRule{Kind: model.KeepFirst}
}

// toggleMerge cycles the plan's merge and says what it does now.
func (s *groupScreen) toggleMerge() tea.Cmd {
	ss := s.sess
	var say string
	switch {
	case ss.merge == nil:
		ss.merge = &model.MergeOptions{}
		say = "Merge on: " + ss.merge.String() + ". M again adds the union of array fields."
	case !ss.merge.Arrays:
		ss.merge = &model.MergeOptions{Arrays: true}
		say = "Merge with arrays: " + ss.merge.String() + ". M again turns the merge off."
	default:
		ss.merge = nil
		say = "Merge off: keepers are left as they are."
	}
	s.setKeys()
	return tea.Batch(func() tea.Msg { return statusMsg(say) }, s.previewMerge())
}

// previewMerge asks for the merged keeper of the group on screen when the merge is on and the
// group has a keeper, unless that preview is already there or on its way.
func (s *groupScreen) previewMerge() tea.Cmd {
	ss := s.sess
	if ss == nil || ss.merge == nil || s.docs == nil || s.call.on || !ss.decidedAt(s.gi) {
		return nil
	}
	keep := int(ss.keep[s.gi])
	if keep < 0 || keep >= len(s.docs) || s.gone[keep] {
		return nil
	}
	k := mergeKey{gi: s.gi, keep: keep, opt: *ss.merge}
	if s.mp.asked && s.mp.key == k && s.mp.shownAt == s.fetch {
		return nil
	}
	s.mp = mergePreview{key: k, asked: true, shownAt: s.fetch}
	return mergePreviewCmd(s.ctx.base, s.ctx.Store, ss.ns, ss.mergeRule(), k.opt, s.gi, keep,
		append([]model.Value(nil), ss.groups[s.gi].IDs...))
}

func (s *groupScreen) onMergePreview(msg mergePreviewMsg) {
	if msg.group != s.mp.key.gi || msg.keep != s.mp.key.keep || msg.opt != s.mp.key.opt {
		return
	}
	s.mp.loaded, s.mp.merged, s.mp.err = true, msg.merged, msg.err
}

// mergeLines are the lines under the legend that show the merged keeper: what it gains,
// each gained field marked +, or why there is nothing to show. None when the merge is off.
func (s *groupScreen) mergeLines() []string {
	ss := s.sess
	if ss == nil || ss.merge == nil || s.docs == nil {
		return nil
	}
	st := s.ctx.Styles
	head := "⊕ merge"
	if ss.merge.Arrays {
		head += " (arrays united)"
	}
	k := s.mp.key
	current := s.mp.asked && ss.decidedAt(s.gi) && k.gi == s.gi && k.keep == int(ss.keep[s.gi]) && k.opt == *ss.merge
	switch {
	case !ss.decidedAt(s.gi):
		return []string{fit(st.Muted.Render(head+": choose a keeper (space, or a rule) to see what it gains"), s.w)}
	case !current || !s.mp.loaded:
		return []string{fit(st.Muted.Render(head+": reading what the keeper would gain…"), s.w)}
	case s.mp.err != nil:
		return []string{fit(st.Error.Render(head+": "+model.SafeText(s.mp.err.Error())), s.w)}
	case len(s.mp.merged.Gains) == 0:
		return []string{fit(st.Muted.Render(head+fmt.Sprintf(": keeper #%d gains nothing from the members; it is left as it is", k.keep+1)), s.w)}
	}
	m := s.mp.merged
	out := []string{fit(st.OK.Render(head+fmt.Sprintf(": merged keeper #%d gains %s", k.keep+1,
		plural(len(m.Gains), "field", "fields")))+st.Muted.Render(" — "+m.Describe()), s.w)}
	for i, g := range m.Gains {
		if i == mergeGains {
			out = append(out, fit(st.Muted.Render(fmt.Sprintf("  … and %d more", len(m.Gains)-i)), s.w))
			break
		}
		was := ""
		if g.Was == model.Null {
			was = " (was null)"
		} else if g.Was != model.Missing {
			was = " (was " + oneLine(g.Was.Display()) + ")"
		}
		out = append(out, fit(st.OK.Render("  + "+g.Field)+": "+oneLine(g.Value.Display())+st.Muted.Render(was), s.w))
	}
	return out
}
