package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func okp(kid string, pub ed25519.PublicKey) map[string]string {
	return map[string]string{"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "alg": "EdDSA",
		"x": base64.RawURLEncoding.EncodeToString(pub)}
}

func jwksDoc(t *testing.T, keys ...map[string]string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseJWKS(t *testing.T) {
	pub1, priv1, _ := ed25519.GenerateKey(rand.Reader)
	pub2, priv2, _ := ed25519.GenerateKey(rand.Reader)
	rsa := map[string]string{"kty": "RSA", "kid": "r1", "n": "xx", "e": "AQAB"}
	enc := okp("enc", pub2)
	enc["use"] = "enc"
	path := t.TempDir() + "/jwks.json"
	writeFile(t, path, jwksDoc(t, rsa, okp("a", pub1), enc, okp("b", pub2)))

	ks, err := LoadJWKSFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := ks.IDs(); len(got) != 2 || got[0] != "a" || got[1] != "b" || ks.Algorithm() != AlgEdDSA {
		t.Fatalf("keys = %v (%s), want [a b] EdDSA", got, ks.Algorithm())
	}
	v, _ := NewVerifier(ks, testConfig())
	for kid, priv := range map[string]ed25519.PrivateKey{"a": priv1, "b": priv2} {
		if _, err := v.Verify(sign(t, jwt.SigningMethodEdDSA, kid, goodClaims(), priv)); err != nil {
			t.Errorf("kid %s: %v", kid, err)
		}
	}

	for name, doc := range map[string][]byte{
		"not json":    []byte("<html>"),
		"no keys":     jwksDoc(t),
		"only RSA":    jwksDoc(t, rsa),
		"bad x":       jwksDoc(t, map[string]string{"kty": "OKP", "crv": "Ed25519", "kid": "a", "x": "!!"}),
		"short x":     jwksDoc(t, okp("a", pub1[:31])),
		"dup kid":     jwksDoc(t, okp("a", pub1), okp("a", pub2)),
		"two, no kid": jwksDoc(t, okp("", pub1), okp("b", pub2)),
	} {
		if _, err := ParseJWKS(doc); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// jwksServer serves whatever document is current, or fails on demand.
type jwksServer struct {
	mu   sync.Mutex
	doc  []byte
	fail bool
	hits int
}

func (s *jwksServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits++
	if s.fail {
		http.Error(w, "down", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.doc)
}

func (s *jwksServer) set(doc []byte, fail bool) {
	s.mu.Lock()
	s.doc, s.fail = doc, fail
	s.mu.Unlock()
}

func TestRemoteJWKS(t *testing.T) {
	pub1, priv1, _ := ed25519.GenerateKey(rand.Reader)
	pub2, priv2, _ := ed25519.GenerateKey(rand.Reader)
	js := &jwksServer{doc: jwksDoc(t, okp("k1", pub1))}
	srv := httptest.NewTLSServer(js)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	if _, err := NewRemoteJWKS(ctx, "http://"+srv.Listener.Addr().String(), RemoteJWKSOptions{Client: srv.Client()}); err == nil {
		t.Error("plain http JWKS URL accepted")
	}
	r, err := NewRemoteJWKS(ctx, srv.URL, RemoteJWKSOptions{Client: srv.Client(), Refresh: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NewVerifier(r, testConfig())
	tok1 := sign(t, jwt.SigningMethodEdDSA, "k1", goodClaims(), priv1)
	tok2 := sign(t, jwt.SigningMethodEdDSA, "k2", goodClaims(), priv2)
	if _, err := v.Verify(tok1); err != nil {
		t.Fatalf("k1 before rotation: %v", err)
	}

	// A failing provider must not drop the keys we have.
	js.set(nil, true)
	if err := r.Refresh(ctx); err == nil {
		t.Fatal("Refresh succeeded against a failing server")
	}
	if _, err := v.Verify(tok1); err != nil {
		t.Fatalf("k1 after failed refresh: %v", err)
	}

	// The provider rotates; Run picks it up without a restart.
	js.set(jwksDoc(t, okp("k2", pub2), okp("k1", pub1)), false)
	go r.Run(ctx)
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, err := v.Verify(tok2); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("new key not picked up by Run")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := v.Verify(tok1); err != nil {
		t.Fatalf("k1 still published but rejected: %v", err)
	}
}

func TestRemoteJWKSTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	start := time.Now()
	_, err := NewRemoteJWKS(context.Background(), srv.URL, RemoteJWKSOptions{Client: srv.Client(), Timeout: 100 * time.Millisecond})
	if err == nil {
		t.Fatal("hanging JWKS server accepted")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("fetch took %v despite a 100ms timeout", d)
	}
}
