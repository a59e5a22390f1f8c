package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// SecretFile is the name of the local HS256 secret inside the data directory.
const SecretFile = "jwt-secret"

// LoadOrCreateSecret returns the HS256 secret stored in dataDir/jwt-secret,
// creating a random 32-byte one (mode 0600, directory 0700) if there is none.
// `serve` and `token` both call it, so a token minted on the command line
// verifies against the running server without any configuration.
//
// The file holds the secret hex-encoded on one line, so an operator can
// copy it into a secret manager without binary mangling.
func LoadOrCreateSecret(dataDir string) ([]byte, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: data dir: %w", err)
	}
	path := filepath.Join(dataDir, SecretFile)
	secret, err := readSecret(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return secret, err
	}

	raw := make([]byte, minSecretLen)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("auth: generate secret: %w", err)
	}
	tmp, err := os.CreateTemp(dataDir, SecretFile+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("auth: create secret: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once linked or renamed away
	// CreateTemp already uses 0600; Chmod makes it explicit and umask-proof.
	werr := tmp.Chmod(0o600)
	if werr == nil {
		_, werr = tmp.WriteString(hex.EncodeToString(raw) + "\n")
	}
	if werr == nil {
		werr = tmp.Sync() // the secret must be on disk before its name is
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("auth: write secret: %w", werr)
	}

	// Link, unlike Rename, never replaces an existing file: if `serve` and
	// `token` race on a fresh data dir, the loser reads the winner's secret
	// instead of overwriting the one the winner already uses.
	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil:
		return raw, nil
	case errors.Is(err, fs.ErrExist):
		return readSecret(path)
	default:
		// Some filesystems (certain FUSE and SMB mounts) lack hard links;
		// an atomic rename is still better than a partial write.
		if rerr := os.Rename(tmp.Name(), path); rerr != nil {
			return nil, fmt.Errorf("auth: save secret: %w", rerr)
		}
		return readSecret(path)
	}
}

func readSecret(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // callers test for fs.ErrNotExist
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auth: %s: %w", path, err)
	}
	// Like ssh with private keys: refuse a secret others can read, since
	// anyone holding it can mint admin tokens.
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("auth: %s is accessible by other users (mode %04o); run chmod 600 on it", path, st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 4<<10))
	if err != nil {
		return nil, fmt.Errorf("auth: read %s: %w", path, err)
	}
	secret, err := hex.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(secret) < minSecretLen {
		return nil, fmt.Errorf("auth: %s: want at least %d hex-encoded bytes", path, minSecretLen)
	}
	return secret, nil
}
