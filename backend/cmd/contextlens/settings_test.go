package main

import (
	"bytes"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/contextlens/contextlens/backend/auth"
)

func testEnv(vars map[string]string) env {
	return env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
}

// TestEverySettingIsDocumented keeps the README's settings table and the
// deploy example env file in step with config.go.
func TestEverySettingIsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../../../deploy/contextlens.env.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !strings.Contains(string(readme), "| `"+s.env+"` |") {
			t.Errorf("README's settings table lacks %s", s.env)
		}
		if !strings.Contains(string(example), s.env+"=") {
			t.Errorf("deploy/contextlens.env.example lacks %s", s.env)
		}
	}
}

func TestProductionNeedsKeys(t *testing.T) {
	env := map[string]string{"CONTEXTLENS_ENV": "production", "CONTEXTLENS_DATA_DIR": t.TempDir()}
	_, _, err := runCmd(t, t.Context(), env, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "production needs configured JWT keys") {
		t.Fatalf("production without keys: %v", err)
	}
	env["CONTEXTLENS_JWT_SECRET"] = "short"
	_, _, err = runCmd(t, t.Context(), env, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "at least 32 bytes") {
		t.Fatalf("short secret: %v", err)
	}
}

func TestTokenCommandSharesTheLocalSecret(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CONTEXTLENS_DATA_DIR": dir}
	out, stderr, err := runCmd(t, t.Context(), env, "", "token", "--sub", "alice", "--role", "editor", "--ttl", "10m")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	info, err := os.Stat(dir + "/jwt-secret")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, mode %v", err, info.Mode())
	}
	cfg, _, _ := loadConfig(testEnv(env), "x", nil, nil)
	keys, _, err := cfg.keys(t.Context(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := auth.NewVerifier(keys, cfg.authConfig())
	claims, err := v.Verify(strings.TrimSpace(out))
	if err != nil || claims.Subject != "alice" || claims.Role != "editor" {
		t.Fatalf("minted token: %+v, %v", claims, err)
	}
	if _, _, err := runCmd(t, t.Context(), env, "", "token", "--sub", "bob", "--role", "root"); err == nil {
		t.Error("an unknown role must be refused")
	}
}
