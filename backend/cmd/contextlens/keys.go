package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/contextlens/contextlens/backend/auth"
)

// authConfig is the token shape both the server and `token` use.
func (c config) authConfig() auth.Config {
	return auth.Config{Issuer: c.JWTIssuer, Audience: c.JWTAudience}
}

// keys returns the verification keys the settings name, and the HS256 key
// set that can mint tokens (nil when tokens come from an identity provider).
// With no keys configured outside production, a random secret is created in
// the data dir (mode 0600) so a local user can try the admin API at once.
func (c config) keys(ctx context.Context, logger *slog.Logger) (auth.KeySource, *auth.KeySet, error) {
	switch {
	case c.JWKSURL != "":
		remote, err := auth.NewRemoteJWKS(ctx, c.JWKSURL, auth.RemoteJWKSOptions{Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		go remote.Run(ctx)
		return remote, nil, nil
	case c.JWTPublicKeys != "":
		var keys []auth.Key
		for _, item := range strings.Split(c.JWTPublicKeys, ",") {
			kid, path, ok := strings.Cut(strings.TrimSpace(item), "=")
			if !ok || kid == "" || path == "" {
				return nil, nil, fmt.Errorf("CONTEXTLENS_JWT_PUBLIC_KEYS: want kid=path.pem, got %q", item)
			}
			k, err := auth.LoadEd25519PublicKey(path, kid)
			if err != nil {
				return nil, nil, err
			}
			keys = append(keys, k)
		}
		ks, err := auth.NewEd25519KeySet(keys[0], keys[1:]...)
		return ks, nil, err
	case c.JWTSecret != "":
		current := auth.Key{ID: c.JWTKeyID, Secret: []byte(c.JWTSecret)}
		var prev []auth.Key
		if c.JWTPrevSecret != "" {
			prev = append(prev, auth.Key{ID: c.JWTPrevKeyID, Secret: []byte(c.JWTPrevSecret)})
		}
		ks, err := auth.NewHMACKeySet(current, prev...)
		return ks, ks, err
	case c.Env == "production":
		return nil, nil, fmt.Errorf("production needs configured JWT keys")
	default:
		secret, err := auth.LoadOrCreateSecret(c.DataDir)
		if err != nil {
			return nil, nil, err
		}
		ks, err := auth.NewHMACKeySet(auth.Key{ID: "local", Secret: secret})
		return ks, ks, err
	}
}
