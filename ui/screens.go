package ui

import tea "github.com/charmbracelet/bubbletea"

// screenID names a screen of the registry.
type screenID int

const (
	scrConnect screenID = iota
	scrCollections
	scrKey
	scrScan
	scrGroups
	scrGroup
	scrRules
	scrReview
	scrExecute
	scrDone
	scrDoc
)

// registry builds every screen. A new screen is its own file (the screen contract in
// context.go), its screenID above and its line here: a screen asks to be shown with pushMsg,
// and its Cmds' results reach it, shown or not, by implementing targeted.
var registry = [...]func(*Context) screen{
	scrConnect:     func(c *Context) screen { return newConnectScreen(c) },
	scrCollections: func(c *Context) screen { return newCollectionsScreen(c) },
	scrKey:         func(c *Context) screen { return newKeyScreen(c) },
	scrScan:        func(c *Context) screen { return newScanScreen(c) },
	scrGroups:      func(c *Context) screen { return newGroupsScreen(c) },
	scrGroup:       func(c *Context) screen { return newGroupScreen(c) },
	scrRules:       func(c *Context) screen { return newRulesScreen(c) },
	scrReview:      func(c *Context) screen { return newReviewScreen(c) },
	scrExecute:     func(c *Context) screen { return newExecuteScreen(c) },
	scrDone:        func(c *Context) screen { return newDoneScreen(c) },
	scrDoc:         func(c *Context) screen { return newDocScreen(c) },
}

// pushMsg shows screen to on top of the active one and hands it with (its opening message).
type pushMsg struct {
	to   screenID
	with tea.Msg
}

// targeted is a result message that belongs to one screen, whichever is showing.
type targeted interface{ target() screenID }

func (databasesMsg) target() screenID     { return scrCollections }
func (collectionsMsg) target() screenID   { return scrCollections }
func (keyDataMsg) target() screenID       { return scrKey }
func (docsMsg) target() screenID          { return scrGroup }
func (mergePreviewMsg) target() screenID  { return scrGroup }
func (indexBuiltMsg) target() screenID    { return scrDone }
func (buildIndexMsg) target() screenID    { return scrDone }
func (filterTickMsg) target() screenID    { return scrGroups }
func (filterDoneMsg) target() screenID    { return scrGroups }
func (sortedMsg) target() screenID        { return scrGroups }
func (resortMsg) target() screenID        { return scrGroups }
func (sizeMsg) target() screenID          { return scrReview }
func (backupCheckedMsg) target() screenID { return scrReview }
func (fixIndexMsg) target() screenID      { return scrDone }
func (dropConfirmedMsg) target() screenID { return scrDone }
