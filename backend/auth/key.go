package auth

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// Algorithms a KeySet can pin. Only one family is ever accepted by a
// verifier, which is what defeats algorithm-confusion attacks (an HS256
// token "signed" with a public key that the verifier would treat as a secret).
const (
	AlgHS256 = "HS256"
	AlgEdDSA = "EdDSA"
)

// minSecretLen is the shortest HS256 secret accepted: RFC 7518 section 3.2
// asks for a key at least as long as the hash output.
const minSecretLen = 32

// Key is one signing or verification key with its key id ("kid").
// Exactly one of Secret (HS256) or PublicKey (EdDSA) is set; PrivateKey is
// optional and only needed to mint EdDSA tokens (tests, tools).
type Key struct {
	ID         string
	Secret     []byte
	PublicKey  ed25519.PublicKey
	PrivateKey ed25519.PrivateKey
}

// KeySet is an immutable set of keys of one algorithm family. The first key
// is the current one (it signs new tokens); the others are previous keys
// that still verify, so tokens minted before a rotation stay valid until
// they expire or the key is dropped.
type KeySet struct {
	alg  string
	keys []Key
}

// KeySource gives a Verifier its keys on every call. *KeySet is a static
// source; *RemoteJWKS swaps in fresh keys as it refreshes them.
type KeySource interface {
	Keys() *KeySet
}

// NewHMACKeySet returns an HS256 key set. Every key needs a secret of at
// least 32 bytes; ids must be unique, and may be empty only if the set has
// a single key (tokens without a kid are then accepted).
func NewHMACKeySet(current Key, previous ...Key) (*KeySet, error) {
	keys := append([]Key{current}, previous...)
	for i, k := range keys {
		if len(k.Secret) < minSecretLen {
			return nil, fmt.Errorf("auth: key %q: HS256 secret must be at least %d bytes", k.ID, minSecretLen)
		}
		if k.PublicKey != nil || k.PrivateKey != nil {
			return nil, fmt.Errorf("auth: key %q: HS256 key set cannot hold Ed25519 keys", k.ID)
		}
		// Copy so a caller reusing its buffer cannot change a live key.
		keys[i] = Key{ID: k.ID, Secret: slices.Clone(k.Secret)}
	}
	return newKeySet(AlgHS256, keys)
}

// NewEd25519KeySet returns an EdDSA key set. Every key needs a public key;
// a private key is kept only for the current key (to mint tokens).
func NewEd25519KeySet(current Key, previous ...Key) (*KeySet, error) {
	keys := append([]Key{current}, previous...)
	for i, k := range keys {
		if k.Secret != nil {
			return nil, fmt.Errorf("auth: key %q: EdDSA key set cannot hold HS256 secrets", k.ID)
		}
		if k.PublicKey == nil && len(k.PrivateKey) == ed25519.PrivateKeySize {
			k.PublicKey = k.PrivateKey.Public().(ed25519.PublicKey)
		}
		if len(k.PublicKey) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("auth: key %q: want a %d-byte Ed25519 public key", k.ID, ed25519.PublicKeySize)
		}
		if k.PrivateKey != nil {
			if len(k.PrivateKey) != ed25519.PrivateKeySize || !k.PublicKey.Equal(k.PrivateKey.Public()) {
				return nil, fmt.Errorf("auth: key %q: private key does not match public key", k.ID)
			}
		}
		keys[i] = Key{ID: k.ID, PublicKey: slices.Clone(k.PublicKey), PrivateKey: slices.Clone(k.PrivateKey)}
	}
	return newKeySet(AlgEdDSA, keys)
}

func newKeySet(alg string, keys []Key) (*KeySet, error) {
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if k.ID == "" && len(keys) > 1 {
			// With several keys a token must say which one signed it;
			// trying them all would make rotation mistakes invisible.
			return nil, errors.New("auth: every key needs an id when there are several keys")
		}
		if seen[k.ID] {
			return nil, fmt.Errorf("auth: duplicate key id %q", k.ID)
		}
		seen[k.ID] = true
	}
	return &KeySet{alg: alg, keys: keys}, nil
}

// Keys returns ks itself, so a *KeySet is a KeySource.
func (ks *KeySet) Keys() *KeySet { return ks }

// Algorithm returns the one JWT "alg" the set accepts: AlgHS256 or AlgEdDSA.
func (ks *KeySet) Algorithm() string { return ks.alg }

// Current returns the key that signs new tokens.
func (ks *KeySet) Current() Key { return ks.keys[0] }

// IDs returns the key ids, current first (for logs and health output).
func (ks *KeySet) IDs() []string {
	ids := make([]string, len(ks.keys))
	for i, k := range ks.keys {
		ids[i] = k.ID
	}
	return ids
}

// lookup finds the verification key for a token's kid header. A missing kid
// is accepted only when the set has exactly one key: otherwise it would be a
// guess, and rotation bugs would pass silently.
func (ks *KeySet) lookup(kid string, hasKid bool) (any, error) {
	if !hasKid {
		if len(ks.keys) != 1 {
			return nil, errMissingKid
		}
		return ks.verifyKey(ks.keys[0]), nil
	}
	for _, k := range ks.keys {
		if k.ID == kid {
			return ks.verifyKey(k), nil
		}
	}
	return nil, errUnknownKid
}

// verifyKey returns the key in the type jwt's signing method expects; the
// types differ per family, so a key of the wrong family can never verify.
func (ks *KeySet) verifyKey(k Key) any {
	if ks.alg == AlgHS256 {
		return k.Secret
	}
	return k.PublicKey
}

// LoadEd25519PublicKey reads an Ed25519 public key from a PEM file
// ("PUBLIC KEY", PKIX), as an external identity provider publishes it.
func LoadEd25519PublicKey(path, kid string) (Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("auth: read public key: %w", err)
	}
	pub, err := jwt.ParseEdPublicKeyFromPEM(b)
	if err != nil {
		return Key{}, fmt.Errorf("auth: %s: %w", path, err)
	}
	edPub, ok := pub.(ed25519.PublicKey)
	if !ok {
		return Key{}, fmt.Errorf("auth: %s: not an Ed25519 public key", path)
	}
	return Key{ID: kid, PublicKey: edPub}, nil
}
