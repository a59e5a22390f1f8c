// Package contextlens holds the domain types shared by every other package:
// rules, rule sets, annotations and the error type. It imports nothing of the
// project, so storage, matching and HTTP packages can all depend on it without
// depending on each other.
package contextlens
