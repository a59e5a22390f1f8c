// Package testenv holds what the integration tests of several packages
// share: finding the machine's Redis and PostgreSQL, and a server that
// hangs, the worst kind of outage.
package testenv

import (
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// Required reports whether a missing service must fail the tests rather
// than skip them: in CI (CI=true) and under `make test`
// (CONTEXTLENS_REQUIRE_SERVICES=1), a broken service must never pass as a
// skipped suite.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("CONTEXTLENS_REQUIRE_SERVICES") == "1"
}

// RequireService skips the test, or fails it when Required, unless
// something listens at addr (host:port).
func RequireService(t testing.TB, name, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err == nil {
		c.Close()
		return
	}
	if Required() {
		t.Fatalf("%s at %s is not reachable (required under CI=true or CONTEXTLENS_REQUIRE_SERVICES=1): %v", name, addr, err)
	}
	t.Skipf("%s at %s is not reachable: %v", name, addr, err)
}

// HangingServer listens on a loopback port, accepts connections and never
// answers; it returns the address. Only timeouts save a caller from it.
func HangingServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
