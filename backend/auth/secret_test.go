package auth

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

func TestLoadOrCreateSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s1, err := LoadOrCreateSecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s1) != 32 {
		t.Errorf("secret length = %d, want 32", len(s1))
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(filepath.Join(dir, SecretFile))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != 0o600 {
			t.Errorf("secret file mode = %04o, want 0600", got)
		}
		dst, _ := os.Stat(dir)
		if got := dst.Mode().Perm(); got != 0o700 {
			t.Errorf("data dir mode = %04o, want 0700", got)
		}
	}
	s2, err := LoadOrCreateSecret(dir)
	if err != nil || !bytes.Equal(s1, s2) {
		t.Errorf("second call = %x, %v; want the same secret %x", s2, err, s1)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(left) != 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}

// serve and token may start together on a fresh data dir; both must end up
// with the same secret, or tokens minted by one fail on the other.
func TestLoadOrCreateSecretRace(t *testing.T) {
	dir := t.TempDir()
	const n = 16
	got := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s, err := LoadOrCreateSecret(dir)
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if !bytes.Equal(got[i], got[0]) {
			t.Fatalf("caller %d got a different secret", i)
		}
	}
}

func TestLoadSecretRefusesLooseMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	if _, err := LoadOrCreateSecret(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, SecretFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSecret(dir); err == nil {
		t.Error("world-readable secret accepted")
	}
}

func TestLoadSecretRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, SecretFile), []byte("password\n"))
	if _, err := LoadOrCreateSecret(dir); err == nil {
		t.Error("short non-hex secret accepted")
	}
}
