package ui

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/dupes-tui/dupes/model"
)

// ErrCannotMakeUnique is wrapped by IndexFixer.MakeUnique when the server has no collMod
// unique (before MongoDB 6.0, FerretDB, mongo-java-server): the done screen then offers to
// drop the index and build the unique one, after a second confirmation.
var ErrCannotMakeUnique = errors.New("the server cannot make an existing index unique in place")

// IndexFixer is what a Store offers to fix the clash of the offered unique index with an
// existing non-unique index of the same name (model.IndexExistsError).
type IndexFixer interface {
	MakeUnique(ctx context.Context, ns model.Namespace, name string) error
	DropIndex(ctx context.Context, ns model.Namespace, name string) error
}

// CollationChecker is what a Store offers when it can tell whether the server builds indexes
// with a collation (FerretDB cannot): an ignore-case scan is then offered a unique index
// with collation strength 2, or told on screen why none can ignore case.
type CollationChecker interface {
	Collations(ctx context.Context) (ok bool, engine string, err error)
}

// collationMsg answers CollationChecker for a session.
type collationMsg struct {
	id     int
	ok     bool
	engine string
}

func collationCmd(ctx context.Context, st Store, id int) tea.Cmd {
	cc, ok := st.(CollationChecker)
	if !ok {
		return func() tea.Msg { return collationMsg{id: id, ok: true} } // the demo store keeps collations
	}
	return func() tea.Msg {
		ok, engine, err := cc.Collations(ctx)
		return collationMsg{id: id, ok: ok || err != nil, engine: engine} // unknown: let the server say
	}
}

// ignoreCaseCollation is the collation a unique index ignores case with: strength 2 compares
// base letters and accents, not case. The scan's ignore-case folds ASCII case only, so the
// index may find a few more duplicates (É/é) and then refuses to build, harmlessly.
var ignoreCaseCollation = model.Collation{Locale: "en", Strength: 2}

// fix steps of the done screen's index clash.
const (
	fixNone    = iota
	fixCollMod // offer: make the existing index unique in place
	fixDrop    // offer: drop it and build the unique one
	fixDropYes // the second confirmation of the drop
)

// fixIndexMsg is a confirmed fix of the clash: collMod, or drop then build.
type fixIndexMsg struct {
	ns   model.Namespace
	name string
	key  model.Key
	drop bool
}

func fixIndexCmd(ctx context.Context, st Store, msg fixIndexMsg) tea.Cmd {
	fx, _ := st.(IndexFixer)
	return func() tea.Msg {
		if !msg.drop {
			if err := fx.MakeUnique(ctx, msg.ns, msg.name); err != nil {
				return ErrorMsg{Where: "make index " + msg.name + " unique", Err: err}
			}
			return indexBuiltMsg{name: msg.name, how: "made unique in place (collMod)"}
		}
		if err := fx.DropIndex(ctx, msg.ns, msg.name); err != nil {
			return ErrorMsg{Where: "drop index " + msg.name, Err: err}
		}
		name, err := st.CreateUniqueIndex(ctx, msg.ns, msg.key)
		if err != nil {
			return ErrorMsg{Where: "create the unique index (" + msg.name + " was dropped)", Err: err}
		}
		return indexBuiltMsg{name: name, how: "built in place of the dropped non-unique one"}
	}
}
