package rediscache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/contextlens/contextlens/backend/internal/testenv"
)

// testRedis is the Redis the integration tests use. Each test works under
// its own random prefix and deletes only its own keys.
const testRedis = "redis://127.0.0.1:6379/0"

// requireRedis skips the test when Redis is not running, except in CI
// (CI=true), where a missing Redis must fail loudly instead of turning the
// suite green by skipping it.
func requireRedis(t *testing.T) {
	t.Helper()
	testenv.RequireService(t, "redis", "127.0.0.1:6379")
}

func randomPrefix(t *testing.T) string {
	var b [6]byte
	rand.Read(b[:])
	return "contextlens-test:" + hex.EncodeToString(b[:]) + ":"
}

// newTestCache returns a Cache on the real Redis under a fresh prefix,
// closed and cleaned up when the test ends.
func newTestCache(t *testing.T, opts Options) (*Cache, string) {
	t.Helper()
	requireRedis(t)
	prefix := randomPrefix(t)
	t.Cleanup(func() { deletePrefix(t, prefix) })
	return openCache(t, testRedis, prefix, opts, nil), prefix
}

func openCache(t *testing.T, url, prefix string, opts Options, logger *slog.Logger) *Cache {
	t.Helper()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c, err := New(context.Background(), url, prefix, logger, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// deletePrefix removes the test's own keys: SCAN for the prefix, then DEL.
// Never FLUSHDB: other tests and developers share this Redis.
func deletePrefix(t *testing.T, prefix string) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, globEscape(prefix)+"*", 100).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("cleanup scan: %v", err)
		return
	}
	if len(keys) > 0 {
		if err := rdb.Del(ctx, keys...).Err(); err != nil {
			t.Errorf("cleanup del: %v", err)
		}
	}
}

func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`).Replace(s)
}

// logRecorder is a slog handler that keeps messages, to count outage lines.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, rec.Message)
	r.mu.Unlock()
	return nil
}

func (r *logRecorder) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

// proxy forwards TCP to Redis and can be cut and restored on the same
// address, to stage an outage without touching the shared Redis.
type proxy struct {
	t      *testing.T
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
	target string
}

func newProxy(t *testing.T) *proxy {
	p := &proxy{t: t, target: "127.0.0.1:6379"}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// stop closes the listener and every connection: Redis "goes down".
func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// start listens again on the same address: Redis "comes back".
func (p *proxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy restart: %v", err)
	}
	p.serve(ln)
}

// eventually polls cond until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestNewBadURL(t *testing.T) {
	for _, u := range []string{
		"redis://user:hunter2@127.0.0.1:notaport/0",
		"http://user:hunter2@127.0.0.1:6379",
		"redis://user:hunter2@127.0.0.1:6379/0?bogus=1",
		"redis://user:hunter2@%zz",
	} {
		_, err := New(context.Background(), u, "x:", nil, Options{})
		if err == nil {
			t.Errorf("New(%q) accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

func TestParseURLModes(t *testing.T) {
	for _, tt := range []struct {
		url      string
		addrs    int
		master   string
		cluster  bool
		db       int
		password string
	}{
		{"redis://:pw@10.0.0.1:6379/2", 1, "", false, 2, "pw"},
		{"redis://10.0.0.1:26379/0?master_name=main&addr=10.0.0.2:26379", 2, "main", false, 0, ""},
		{"redis://10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000", 3, "", true, 0, ""},
	} {
		o, err := parseURL(tt.url)
		if err != nil {
			t.Errorf("%s: %v", tt.url, err)
			continue
		}
		if len(o.Addrs) != tt.addrs || o.MasterName != tt.master || o.IsClusterMode != tt.cluster || o.DB != tt.db || o.Password != tt.password {
			t.Errorf("%s: got %+v", tt.url, o)
		}
	}
}
