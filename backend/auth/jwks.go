package auth

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"time"
)

// maxJWKSSize caps a JWKS document; real ones are a few kilobytes, and an
// identity provider gone wrong must not make us buffer gigabytes.
const maxJWKSSize = 1 << 20

// jwk is the subset of RFC 7517/8037 fields an Ed25519 key uses.
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// ParseJWKS builds an EdDSA key set from a JWKS document. Only Ed25519 "OKP"
// signing keys are used; other keys (RSA, EC, encryption keys) are skipped,
// because identity providers often publish several kinds side by side. The
// document must hold at least one usable key. The first usable key counts
// as current, which matters only for tokens without a kid.
func ParseJWKS(data []byte) (*KeySet, error) {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("auth: jwks: %w", err)
	}
	var keys []Key
	for i, k := range doc.Keys {
		if k.Kty != "OKP" || k.Crv != "Ed25519" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != AlgEdDSA) {
			continue
		}
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("auth: jwks: key %d (%q): bad Ed25519 \"x\"", i, k.Kid)
		}
		keys = append(keys, Key{ID: k.Kid, PublicKey: ed25519.PublicKey(x)})
	}
	if len(keys) == 0 {
		return nil, errors.New("auth: jwks: no Ed25519 signing keys")
	}
	return NewEd25519KeySet(keys[0], keys[1:]...)
}

// LoadJWKSFile reads a JWKS document from a file.
func LoadJWKSFile(path string) (*KeySet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: read jwks: %w", err)
	}
	return ParseJWKS(b)
}

// RemoteJWKSOptions configures NewRemoteJWKS. Zero values pick defaults.
type RemoteJWKSOptions struct {
	// Client fetches the document. Default: a plain client with Timeout.
	// Tests pass httptest.Server.Client() to trust the test certificate.
	Client *http.Client
	// Timeout bounds one fetch, whatever the client. Default 5s.
	Timeout time.Duration
	// Refresh is how often Run refetches. Default 10 minutes.
	Refresh time.Duration
	// Logger reports failed refreshes. Default: discard.
	Logger *slog.Logger
}

// RemoteJWKS is a KeySource backed by an identity provider's JWKS URL. The
// last good key set stays in use when a refresh fails, so a provider outage
// does not lock editors out.
type RemoteJWKS struct {
	url    string
	opts   RemoteJWKSOptions
	keys   atomic.Pointer[KeySet]
	failed atomic.Bool // a refresh failed and was logged; log recovery once
}

// NewRemoteJWKS fetches the document at rawURL (which must be https) once
// and returns the source. Start Run in a goroutine to keep it fresh.
func NewRemoteJWKS(ctx context.Context, rawURL string, opts RemoteJWKSOptions) (*RemoteJWKS, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		// Plain http would let anyone on the path substitute their own keys.
		return nil, fmt.Errorf("auth: jwks url must be an https URL")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Refresh <= 0 {
		opts.Refresh = 10 * time.Minute
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &RemoteJWKS{url: u.String(), opts: opts}
	if err := r.Refresh(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// Keys returns the most recently fetched key set.
func (r *RemoteJWKS) Keys() *KeySet { return r.keys.Load() }

// Refresh fetches the document now and swaps in its keys. On error the
// previous keys stay in place.
func (r *RemoteJWKS) Refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return fmt.Errorf("auth: jwks: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		return fmt.Errorf("auth: fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("auth: fetch jwks: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return fmt.Errorf("auth: fetch jwks: %w", err)
	}
	if len(body) > maxJWKSSize {
		return errors.New("auth: fetch jwks: document too large")
	}
	ks, err := ParseJWKS(body)
	if err != nil {
		return err
	}
	r.keys.Store(ks)
	return nil
}

// Run refreshes the keys every Refresh interval until ctx ends. Failures
// are logged once per outage and recovery once, not on every attempt.
func (r *RemoteJWKS) Run(ctx context.Context) {
	t := time.NewTicker(r.opts.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := r.Refresh(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !r.failed.Swap(true):
			r.opts.Logger.Warn("jwks refresh failed; keeping previous keys", "url", r.url, "err", err)
		case err == nil && r.failed.Swap(false):
			r.opts.Logger.Info("jwks refresh recovered", "url", r.url, "keys", r.Keys().IDs())
		}
	}
}
