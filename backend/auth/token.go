package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/golang-jwt/jwt/v5"
)

// DefaultLeeway absorbs clock skew between the machine that minted a token
// and the replica checking it, without keeping expired tokens alive for long.
const DefaultLeeway = 30 * time.Second

// maxTokenLen rejects absurd inputs before any base64 or JSON work.
const maxTokenLen = 8 << 10

// Claims is what a verified token says about its bearer.
type Claims struct {
	Subject   string    `json:"sub"` // who: recorded as the author of revisions and audit entries
	Role      Role      `json:"role"`
	Issuer    string    `json:"iss"`
	Audience  []string  `json:"aud"`
	ExpiresAt time.Time `json:"exp"`
	IssuedAt  time.Time `json:"iat,omitzero"`  // zero if the token has no iat
	NotBefore time.Time `json:"nbf,omitzero"`  // zero if the token has no nbf
	ID        string    `json:"jti,omitempty"` // for audit and future revocation lists
}

// jwtClaims is the wire form: the registered claims plus our role claim.
type jwtClaims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
}

// Config is shared by Verifier and Issuer so both agree on the token shape.
type Config struct {
	Issuer   string        // required: "iss" minted and demanded
	Audience string        // required: "aud" minted and demanded
	Leeway   time.Duration // clock skew allowance; 0 means DefaultLeeway
	// Now returns the current time; nil means time.Now. Tests fake the clock.
	Now func() time.Time
}

func (c Config) check() (Config, error) {
	if c.Issuer == "" || c.Audience == "" {
		return c, errors.New("auth: issuer and audience are required")
	}
	if c.Leeway <= 0 {
		c.Leeway = DefaultLeeway
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// Verifier checks tokens. It is safe for concurrent use.
type Verifier struct {
	keys KeySource
	cfg  Config
}

// NewVerifier returns a verifier that takes its keys from keys on every call
// (so a refreshed JWKS applies at once).
func NewVerifier(keys KeySource, cfg Config) (*Verifier, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if keys == nil || keys.Keys() == nil {
		return nil, errors.New("auth: verifier needs keys")
	}
	return &Verifier{keys: keys, cfg: cfg}, nil
}

// Sentinel errors from the key lookup, mapped to messages in unauthorized.
var (
	errMissingKid = errors.New("missing kid")
	errUnknownKid = errors.New("unknown kid")
	errBadKid     = errors.New("bad kid")
	errBadAlg     = errors.New("bad alg")
	errNoSubject  = errors.New("no subject")
	errBadRole    = errors.New("bad role")
)

// Verify checks the token's signature, algorithm, key id, issuer, audience,
// expiry, not-before and role, and returns its claims.
//
// Errors: always a *contextlens.Error with code EUNAUTHORIZED and a short
// message safe to show; the token itself is never echoed.
func (v *Verifier) Verify(tokenString string) (Claims, error) {
	if tokenString == "" || len(tokenString) > maxTokenLen {
		return Claims{}, unauthorized("malformed token")
	}
	ks := v.keys.Keys()
	p := jwt.NewParser(
		// The family is pinned by our keys, never chosen by the token:
		// this is what rejects "none", RS256 and HS256-with-a-public-key.
		jwt.WithValidMethods([]string{ks.alg}),
		jwt.WithIssuer(v.cfg.Issuer),
		jwt.WithAudience(v.cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.cfg.Leeway),
		jwt.WithTimeFunc(v.cfg.Now),
		jwt.WithStrictDecoding(),
	)
	var wc jwtClaims
	tok, err := p.ParseWithClaims(tokenString, &wc, func(t *jwt.Token) (any, error) {
		if t.Method.Alg() != ks.alg { // belt and braces; the parser checked already
			return nil, errBadAlg
		}
		raw, hasKid := t.Header["kid"]
		kid, isString := raw.(string)
		if hasKid && !isString {
			return nil, errBadKid
		}
		return ks.lookup(kid, hasKid)
	})
	if err != nil {
		return Claims{}, verifyError(tok, &wc, ks.alg, err)
	}
	if wc.Subject == "" {
		return Claims{}, verifyError(tok, &wc, ks.alg, errNoSubject)
	}
	role := Role(wc.Role)
	if !role.Valid() {
		return Claims{}, verifyError(tok, &wc, ks.alg, errBadRole)
	}
	c := Claims{
		Subject:   wc.Subject,
		Role:      role,
		Issuer:    wc.Issuer,
		Audience:  slices.Clone([]string(wc.Audience)),
		ExpiresAt: wc.ExpiresAt.Time,
		ID:        wc.ID,
	}
	if wc.IssuedAt != nil {
		c.IssuedAt = wc.IssuedAt.Time
	}
	if wc.NotBefore != nil {
		c.NotBefore = wc.NotBefore.Time
	}
	return c, nil
}

// verifyError turns a parse or validation failure into a short, safe
// EUNAUTHORIZED message. Order matters: jwt joins several errors, and the
// most specific cause should win.
func verifyError(tok *jwt.Token, wc *jwtClaims, alg string, err error) error {
	switch {
	case errors.Is(err, errBadAlg), tok != nil && tok.Method != nil && tok.Method.Alg() != alg:
		return unauthorized("unexpected signing algorithm")
	case errors.Is(err, errMissingKid):
		return unauthorized("token has no key id")
	case errors.Is(err, errUnknownKid):
		return unauthorized("unknown key id")
	case errors.Is(err, errBadKid):
		return unauthorized("bad key id")
	case errors.Is(err, errNoSubject):
		return unauthorized("token has no subject")
	case errors.Is(err, errBadRole):
		return unauthorized("token has no valid role")
	case errors.Is(err, jwt.ErrTokenMalformed):
		return unauthorized("malformed token")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return unauthorized("bad signature")
	case errors.Is(err, jwt.ErrTokenExpired):
		return unauthorized("token expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return unauthorized("token not valid yet")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return unauthorized("wrong token issuer")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return unauthorized("wrong token audience")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		// jwt names the claim only in its message text; the decoded
		// claims say which one is missing without parsing that.
		switch {
		case wc.Issuer == "":
			return unauthorized("token has no issuer")
		case len(wc.Audience) == 0:
			return unauthorized("token has no audience")
		case wc.ExpiresAt == nil:
			return unauthorized("token has no expiry")
		}
		return unauthorized("token lacks a required claim")
	default:
		return unauthorized("invalid token")
	}
}

func unauthorized(msg string) error {
	return &contextlens.Error{Code: contextlens.EUNAUTHORIZED, Message: msg}
}

// Issuer mints tokens with the current key of a key set. It is safe for
// concurrent use.
type Issuer struct {
	key    Key
	method jwt.SigningMethod
	cfg    Config
}

// NewIssuer returns an issuer signing with keys.Current(): HS256 with its
// secret, or EdDSA if it is an Ed25519 key with a private key.
func NewIssuer(keys *KeySet, cfg Config) (*Issuer, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	k := keys.Current()
	switch keys.alg {
	case AlgHS256:
		return &Issuer{key: k, method: jwt.SigningMethodHS256, cfg: cfg}, nil
	case AlgEdDSA:
		if k.PrivateKey == nil {
			return nil, fmt.Errorf("auth: key %q has no private key to sign with", k.ID)
		}
		return &Issuer{key: k, method: jwt.SigningMethodEdDSA, cfg: cfg}, nil
	}
	return nil, fmt.Errorf("auth: unsupported algorithm %q", keys.alg)
}

// Mint returns a signed token for sub with role, valid for ttl from now.
// Errors: EINVALID for an empty subject, unknown role or non-positive ttl.
func (is *Issuer) Mint(sub string, role Role, ttl time.Duration) (string, error) {
	if sub == "" {
		return "", contextlens.Errorf(contextlens.EINVALID, "token subject is required")
	}
	if !role.Valid() {
		return "", contextlens.Errorf(contextlens.EINVALID, "unknown role %q", role)
	}
	if ttl <= 0 {
		return "", contextlens.Errorf(contextlens.EINVALID, "token lifetime must be positive")
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", fmt.Errorf("auth: token id: %w", err)
	}
	// Second precision: NumericDate truncates anyway, and exp must not land
	// before now+ttl by a fraction of a second in tests.
	now := is.cfg.Now().Truncate(time.Second)
	claims := jwtClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    is.cfg.Issuer,
			Subject:   sub,
			Audience:  jwt.ClaimStrings{is.cfg.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        hex.EncodeToString(jti[:]),
		},
		Role: string(role),
	}
	t := jwt.NewWithClaims(is.method, claims)
	if is.key.ID != "" {
		t.Header["kid"] = is.key.ID
	}
	var signKey any = is.key.Secret
	if is.method == jwt.SigningMethodEdDSA {
		signKey = is.key.PrivateKey
	}
	s, err := t.SignedString(signKey)
	if err != nil {
		return "", fmt.Errorf("auth: sign token: %w", err)
	}
	return s, nil
}
