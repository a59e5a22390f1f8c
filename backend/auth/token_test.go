package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/golang-jwt/jwt/v5"
)

const (
	testIss = "https://contextlens.test"
	testAud = "contextlens-admin"
)

// now is the fake clock every test verifies at.
var now = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

func testConfig() Config {
	return Config{Issuer: testIss, Audience: testAud, Now: func() time.Time { return now }}
}

func secret(b byte) []byte { return []byte(strings.Repeat(string(rune('a'+b)), 32)) }

// goodClaims is a valid claim set; cases copy and break it.
func goodClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss":  testIss,
		"aud":  testAud,
		"sub":  "ed@example.org",
		"role": "editor",
		"iat":  now.Add(-time.Minute).Unix(),
		"nbf":  now.Add(-time.Minute).Unix(),
		"exp":  now.Add(time.Hour).Unix(),
		"jti":  "j1",
	}
}

// sign builds a token with full control over header and claims, which
// Issuer deliberately does not offer.
func sign(t *testing.T, m jwt.SigningMethod, kid any, claims jwt.MapClaims, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if kid != nil {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// with returns a copy of goodClaims with edits; a nil value deletes a claim.
func with(edits map[string]any) jwt.MapClaims {
	c := goodClaims()
	maps.Copy(c, edits)
	for k, v := range edits {
		if v == nil {
			delete(c, k)
		}
	}
	return c
}

func TestVerifyHMAC(t *testing.T) {
	// After a rotation: k2 signs, k1 still verifies.
	ks, err := NewHMACKeySet(Key{ID: "k2", Secret: secret(2)}, Key{ID: "k1", Secret: secret(1)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(ks, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	hs := jwt.SigningMethodHS256
	good := sign(t, hs, "k2", goodClaims(), secret(2))
	parts := strings.Split(good, ".")
	tamperedSig := parts[0] + "." + parts[1] + "." + flip(parts[2])
	otherPayload := strings.Split(sign(t, hs, "k2", with(map[string]any{"role": "admin"}), secret(9)), ".")[1]
	swappedPayload := parts[0] + "." + otherPayload + "." + parts[2]
	none := sign(t, jwt.SigningMethodNone, "k2", goodClaims(), jwt.UnsafeAllowNoneSignatureType)

	tests := []struct {
		name  string
		token string
		want  string // "" means accepted
	}{
		{"current key", good, ""},
		{"previous key after rotation", sign(t, hs, "k1", goodClaims(), secret(1)), ""},
		{"expired within leeway", sign(t, hs, "k2", with(map[string]any{"exp": now.Add(-20 * time.Second).Unix()}), secret(2)), ""},
		{"no nbf, no iat, no jti", sign(t, hs, "k2", with(map[string]any{"nbf": nil, "iat": nil, "jti": nil}), secret(2)), ""},
		{"audience list containing ours", sign(t, hs, "k2", with(map[string]any{"aud": []string{"other", testAud}}), secret(2)), ""},

		{"alg none", none, "unexpected signing algorithm"},
		{"signature stripped", parts[0] + "." + parts[1] + ".", "bad signature"},
		{"RS256", sign(t, jwt.SigningMethodRS256, "k2", goodClaims(), rsaKey), "unexpected signing algorithm"},
		{"HS512 with the right secret", sign(t, jwt.SigningMethodHS512, "k2", goodClaims(), secret(2)), "unexpected signing algorithm"},
		{"wrong issuer", sign(t, hs, "k2", with(map[string]any{"iss": "https://evil.test"}), secret(2)), "wrong token issuer"},
		{"missing issuer", sign(t, hs, "k2", with(map[string]any{"iss": nil}), secret(2)), "token has no issuer"},
		{"wrong audience", sign(t, hs, "k2", with(map[string]any{"aud": "partner-api"}), secret(2)), "wrong token audience"},
		{"missing audience", sign(t, hs, "k2", with(map[string]any{"aud": nil}), secret(2)), "token has no audience"},
		{"missing exp", sign(t, hs, "k2", with(map[string]any{"exp": nil}), secret(2)), "token has no expiry"},
		{"expired beyond leeway", sign(t, hs, "k2", with(map[string]any{"exp": now.Add(-31 * time.Second).Unix()}), secret(2)), "token expired"},
		{"nbf in the future", sign(t, hs, "k2", with(map[string]any{"nbf": now.Add(time.Minute).Unix()}), secret(2)), "token not valid yet"},
		{"iat in the future", sign(t, hs, "k2", with(map[string]any{"iat": now.Add(time.Minute).Unix()}), secret(2)), "token not valid yet"},
		{"exp not a number", sign(t, hs, "k2", with(map[string]any{"exp": "tomorrow"}), secret(2)), "malformed token"},
		{"unknown kid", sign(t, hs, "k3", goodClaims(), secret(2)), "unknown key id"},
		{"kid of the wrong key", sign(t, hs, "k1", goodClaims(), secret(2)), "bad signature"},
		{"kid not a string", sign(t, hs, 2, goodClaims(), secret(2)), "bad key id"},
		{"missing kid with several keys", sign(t, hs, nil, goodClaims(), secret(2)), "token has no key id"},
		{"signed with an unknown secret", sign(t, hs, "k2", goodClaims(), secret(7)), "bad signature"},
		{"tampered signature", tamperedSig, "bad signature"},
		{"payload swapped", swappedPayload, "bad signature"},
		{"unknown role", sign(t, hs, "k2", with(map[string]any{"role": "superuser"}), secret(2)), "token has no valid role"},
		{"missing role", sign(t, hs, "k2", with(map[string]any{"role": nil}), secret(2)), "token has no valid role"},
		{"role not a string", sign(t, hs, "k2", with(map[string]any{"role": 3}), secret(2)), "malformed token"},
		{"missing subject", sign(t, hs, "k2", with(map[string]any{"sub": nil}), secret(2)), "token has no subject"},
		{"empty", "", "malformed token"},
		{"not a JWT", "hello", "malformed token"},
		{"two parts", parts[0] + "." + parts[1], "malformed token"},
		{"four parts", good + ".x", "malformed token"},
		{"bad base64 header", "!!!." + parts[1] + "." + parts[2], "malformed token"},
		{"padded base64", parts[0] + "=." + parts[1] + "." + parts[2], "malformed token"},
		{"Bearer prefix left on", "Bearer " + good, "malformed token"},
		{"huge", strings.Repeat("a", maxTokenLen+1), "malformed token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(tt.token)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got.Subject != "ed@example.org" || got.Role != RoleEditor {
					t.Errorf("claims = %+v", got)
				}
				return
			}
			checkRejected(t, err, tt.token, tt.want)
		})
	}
}

func checkRejected(t *testing.T, err error, token, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Verify accepted the token; want %q", want)
	}
	if code := contextlens.ErrorCode(err); code != contextlens.EUNAUTHORIZED {
		t.Errorf("code = %q, want %q (err %v)", code, contextlens.EUNAUTHORIZED, err)
	}
	if msg := contextlens.ErrorMessage(err); msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}
	if len(token) > 20 && strings.Contains(err.Error(), token[len(token)-20:]) {
		t.Errorf("error echoes the token: %v", err)
	}
}

// flip changes the first character of a base64url segment.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestVerifyEdDSA(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	ks, err := NewEd25519KeySet(Key{ID: "idp-1", PublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(ks, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	ed := jwt.SigningMethodEdDSA
	hs := jwt.SigningMethodHS256

	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"valid", sign(t, ed, "idp-1", goodClaims(), priv), ""},
		{"missing kid with one key", sign(t, ed, nil, goodClaims(), priv), ""},
		// The classic confusion: the public key is public, so an attacker
		// can HMAC with it; a verifier that let the token pick the
		// algorithm would accept this.
		{"HS256 signed with the raw public key", sign(t, hs, "idp-1", goodClaims(), []byte(pub)), "unexpected signing algorithm"},
		{"HS256 signed with the PEM public key", sign(t, hs, "idp-1", goodClaims(), pubPEM), "unexpected signing algorithm"},
		{"alg none", sign(t, jwt.SigningMethodNone, "idp-1", goodClaims(), jwt.UnsafeAllowNoneSignatureType), "unexpected signing algorithm"},
		{"signed by another key", sign(t, ed, "idp-1", goodClaims(), otherPriv), "bad signature"},
		{"unknown kid", sign(t, ed, "idp-2", goodClaims(), priv), "unknown key id"},
		{"expired", sign(t, ed, "idp-1", with(map[string]any{"exp": now.Add(-time.Hour).Unix()}), priv), "token expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(tt.token)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			checkRejected(t, err, tt.token, tt.want)
		})
	}
}

func TestMintRoundTrip(t *testing.T) {
	old, _ := NewHMACKeySet(Key{ID: "k1", Secret: secret(1)})
	rotated, _ := NewHMACKeySet(Key{ID: "k2", Secret: secret(2)}, Key{ID: "k1", Secret: secret(1)})
	oldIssuer, err := NewIssuer(old, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	newIssuer, _ := NewIssuer(rotated, testConfig())
	v, _ := NewVerifier(rotated, testConfig())

	for _, is := range []*Issuer{oldIssuer, newIssuer} {
		tok, err := is.Mint("pub@example.org", RolePublisher, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		got, err := v.Verify(tok)
		if err != nil {
			t.Fatalf("Verify(minted by %s): %v", is.key.ID, err)
		}
		if got.Subject != "pub@example.org" || got.Role != RolePublisher || got.Issuer != testIss ||
			len(got.Audience) != 1 || got.Audience[0] != testAud || !got.ExpiresAt.Equal(now.Add(2*time.Hour)) ||
			!got.IssuedAt.Equal(now) || !got.NotBefore.Equal(now) || len(got.ID) != 32 {
			t.Errorf("claims = %+v", got)
		}
	}

	// A token minted for another audience (say, a partner API sharing the
	// secret) must not open the admin API.
	other := testConfig()
	other.Audience = "elsewhere"
	otherIssuer, _ := NewIssuer(rotated, other)
	tok, _ := otherIssuer.Mint("x", RoleAdmin, time.Hour)
	checkRejected(t, func() error { _, err := v.Verify(tok); return err }(), tok, "wrong token audience")

	// After ttl plus leeway the token is dead.
	tok, _ = newIssuer.Mint("x", RoleAdmin, time.Minute)
	later := testConfig()
	later.Now = func() time.Time { return now.Add(time.Minute + DefaultLeeway + time.Second) }
	lv, _ := NewVerifier(rotated, later)
	checkRejected(t, func() error { _, err := lv.Verify(tok); return err }(), tok, "token expired")
}

func TestMintEdDSA(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	ks, err := NewEd25519KeySet(Key{ID: "e1", PrivateKey: priv})
	if err != nil {
		t.Fatal(err)
	}
	is, err := NewIssuer(ks, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := is.Mint("a@example.org", RoleAdmin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The verifier gets only the public half, as a real deployment would.
	pubOnly, _ := NewEd25519KeySet(Key{ID: "e1", PublicKey: ks.Current().PublicKey})
	v, _ := NewVerifier(pubOnly, testConfig())
	got, err := v.Verify(tok)
	if err != nil || got.Role != RoleAdmin {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	if _, err := NewIssuer(pubOnly, testConfig()); err == nil {
		t.Error("NewIssuer accepted a key set without a private key")
	}
}

func TestMintInvalid(t *testing.T) {
	ks, _ := NewHMACKeySet(Key{ID: "k", Secret: secret(1)})
	is, _ := NewIssuer(ks, testConfig())
	for _, tt := range []struct {
		sub  string
		role Role
		ttl  time.Duration
	}{
		{"", RoleAdmin, time.Hour},
		{"a", "root", time.Hour},
		{"a", RoleAdmin, 0},
		{"a", RoleAdmin, -time.Hour},
	} {
		if _, err := is.Mint(tt.sub, tt.role, tt.ttl); contextlens.ErrorCode(err) != contextlens.EINVALID {
			t.Errorf("Mint(%q, %q, %v) err = %v, want EINVALID", tt.sub, tt.role, tt.ttl, err)
		}
	}
}

func TestKeySetValidation(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"short secret", func() error { _, err := NewHMACKeySet(Key{ID: "a", Secret: []byte("short")}); return err }()},
		{"duplicate kid", func() error {
			_, err := NewHMACKeySet(Key{ID: "a", Secret: secret(1)}, Key{ID: "a", Secret: secret(2)})
			return err
		}()},
		{"missing kid among several", func() error {
			_, err := NewHMACKeySet(Key{Secret: secret(1)}, Key{ID: "b", Secret: secret(2)})
			return err
		}()},
		{"ed25519 key in HMAC set", func() error { _, err := NewHMACKeySet(Key{ID: "a", Secret: secret(1), PublicKey: pub}); return err }()},
		{"secret in ed25519 set", func() error { _, err := NewEd25519KeySet(Key{ID: "a", PublicKey: pub, Secret: secret(1)}); return err }()},
		{"short public key", func() error { _, err := NewEd25519KeySet(Key{ID: "a", PublicKey: pub[:16]}); return err }()},
		{"no issuer", func() error {
			ks, _ := NewHMACKeySet(Key{Secret: secret(1)})
			_, err := NewVerifier(ks, Config{Audience: "x"})
			return err
		}()},
	} {
		if tt.err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func TestLoadEd25519PublicKey(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(pub)
	path := t.TempDir() + "/idp.pem"
	writeFile(t, path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	k, err := LoadEd25519PublicKey(path, "idp")
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := NewEd25519KeySet(k)
	v, _ := NewVerifier(ks, testConfig())
	if _, err := v.Verify(sign(t, jwt.SigningMethodEdDSA, "idp", goodClaims(), priv)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		have, min Role
		want      bool
	}{
		{RoleViewer, RoleViewer, true},
		{RoleViewer, RoleEditor, false},
		{RoleEditor, RoleViewer, true},
		{RolePublisher, RoleEditor, true},
		{RolePublisher, RoleAdmin, false},
		{RoleAdmin, RolePublisher, true},
		{"root", RoleViewer, false},
		{RoleAdmin, "root", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := tt.have.AtLeast(tt.min); got != tt.want {
			t.Errorf("%q.AtLeast(%q) = %v, want %v", tt.have, tt.min, got, tt.want)
		}
	}
	for _, r := range Roles {
		if got, err := ParseRole(string(r)); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	for _, s := range []string{"", "Admin", "root", " admin"} {
		if _, err := ParseRole(s); contextlens.ErrorCode(err) != contextlens.EINVALID {
			t.Errorf("ParseRole(%q) err = %v, want EINVALID", s, err)
		}
	}
}
