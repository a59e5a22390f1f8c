package auth

import (
	"slices"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// Role is an editorial role. Roles are ordered: each one can do everything
// the roles below it can.
type Role string

// Roles, lowest first.
const (
	RoleViewer    Role = "viewer"    // reads rules, audit and statistics
	RoleEditor    Role = "editor"    // writes drafts and shadow rules
	RolePublisher Role = "publisher" // makes rules live and publishes rule sets
	RoleAdmin     Role = "admin"     // manages partners and everything else
)

// Roles lists every role, lowest first. The order is the hierarchy.
var Roles = []Role{RoleViewer, RoleEditor, RolePublisher, RoleAdmin}

// ParseRole returns the role named s. An unknown name is an EINVALID error,
// so a typo in a token command or a config file is caught at once.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", contextlens.Errorf(contextlens.EINVALID, "unknown role %q (want viewer, editor, publisher or admin)", s)
	}
	return r, nil
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// AtLeast reports whether r grants everything min grants. An unknown role
// grants nothing, and nothing is at least an unknown role, so a corrupted
// value can never widen access.
func (r Role) AtLeast(min Role) bool {
	have, want := slices.Index(Roles, r), slices.Index(Roles, min)
	return have >= 0 && want >= 0 && have >= want
}

// String returns the role's name.
func (r Role) String() string { return string(r) }
