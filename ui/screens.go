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
	scrCensus
)

// registry builds every screen. A new screen is one file (its type, which keeps the screen
// contract of context.go; the opener message that carries its arguments; the messages it
// answers with), its screenID above and its line here.
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
	scrCensus:      func(c *Context) screen { return newCensusScreen(c) },
}

// opener is a message that opens a screen: the root builds the screen from the registry, puts
// it on the stack and hands it the message, its first, which carries the screen's arguments.
type opener interface {
	tea.Msg
	opens() screenID
}

// targeted is a result message that belongs to one screen, shown or not: the root hands it to
// the topmost screen of that kind on the stack (none there: the answer is no longer wanted).
type targeted interface{ target() screenID }

// askMsg asks the root to put a y/n question in the footer; y sends action (q and esc with a
// plan pending ask this way).
type askMsg struct {
	question string
	action   tea.Msg
}
