// Package auth issues and verifies the JWTs that guard the admin API, and
// defines the editorial roles.
//
// It knows nothing about HTTP: the HTTP package reads the bearer token,
// calls Verifier.Verify and maps the *contextlens.Error it may return
// (always code EUNAUTHORIZED) to a status. Role checks that fail are the
// caller's to report as EFORBIDDEN.
//
// Security choices, each pinned rather than negotiated with the token:
//   - the algorithm family comes from the configured keys (HS256 for shared
//     secrets, EdDSA for Ed25519 keys), never from the token header;
//   - issuer, audience and expiry are required;
//   - the "kid" header selects the key, so keys can rotate: the current key
//     signs, previous keys still verify until they are removed.
package auth
