package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/contextlens/contextlens/backend/auth"
	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/internal/testenv"
)

const (
	testPGBase   = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	testRedisURL = "redis://127.0.0.1:6379/0"
	testSecret   = "replica-test-secret-0123456789abcdef"
)

func randomName(t *testing.T) string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// isolatedPG returns a database URL on its own schema, dropped at cleanup.
func isolatedPG(t *testing.T) string {
	return testPGBase + "&search_path=" + testenv.PostgresSchema(t, "cl_replica_")
}

// isolatedRedisPrefix returns a key prefix whose keys are deleted at cleanup.
func isolatedRedisPrefix(t *testing.T) string {
	prefix := "cltest-" + randomName(t) + ":"
	t.Cleanup(func() {
		opt, _ := redis.ParseURL(testRedisURL)
		c := redis.NewClient(opt)
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return prefix
}

// startServe runs `serve` in-process with env and returns its base URL.
func startServe(t *testing.T, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	env["CONTEXTLENS_ADDR"] = freeAddr(t)
	if env["CONTEXTLENS_DATA_DIR"] == "" {
		env["CONTEXTLENS_DATA_DIR"] = t.TempDir()
	}
	env["CONTEXTLENS_LOG_LEVEL"] = "error"
	done := make(chan struct{})
	go func() {
		defer close(done)
		var out, errb bytes.Buffer
		if err := run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb); err != nil {
			t.Errorf("serve: %v\n%s", err, errb.String())
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + env["CONTEXTLENS_ADDR"]
	waitReady(t, base)
	return base
}

func publisherToken(t *testing.T) string {
	ks, err := auth.NewHMACKeySet(auth.Key{ID: "current", Secret: []byte(testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	is, _ := auth.NewIssuer(ks, auth.Config{Issuer: "contextlens", Audience: "contextlens-admin"})
	tok, err := is.Mint("replica-test", auth.RolePublisher, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func request(t *testing.T, method, url, token string, body any, headers ...string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// annotates reports whether base annotates text with the given rule.
func annotates(t *testing.T, base, text, rule string) bool {
	resp, body := request(t, "POST", base+"/v1/annotate", "", map[string]string{"text": text})
	if resp.StatusCode != 200 {
		t.Fatalf("annotate: %d %s", resp.StatusCode, body)
	}
	return bytes.Contains(body, []byte(`"rule":"`+rule+`"`))
}

// within polls cond every 5 ms and returns how long it took to hold.
func within(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

func TestTwoReplicasPublishThroughRedis(t *testing.T) {
	testenv.RequireService(t, "postgresql", "127.0.0.1:5432")
	testenv.RequireService(t, "redis", "127.0.0.1:6379")
	shared := map[string]string{
		"CONTEXTLENS_DATABASE_URL": isolatedPG(t),
		"CONTEXTLENS_REDIS_URL":    testRedisURL,
		"CONTEXTLENS_REDIS_PREFIX": isolatedRedisPrefix(t),
		"CONTEXTLENS_JWT_SECRET":   testSecret,
		"CONTEXTLENS_RULES_DIR":    "testdata/rules",
	}
	envA, envB := map[string]string{}, map[string]string{}
	for k, v := range shared {
		envA[k], envB[k] = v, v
	}
	a := startServe(t, envA)
	b := startServe(t, envB)
	tok := publisherToken(t)

	r := contextlens.Rule{
		ID: "replica-rule", Narrative: "replica-test", Title: "t", Summary: "s", Explanation: "e",
		Category: "euphemism", Severity: "info", Status: "live", Languages: []string{"en"},
		Match:    contextlens.Match{Phrases: []string{"quantum framing"}},
		Sources:  []contextlens.Source{{Title: "x", URL: "https://example.org/", Publisher: "x"}},
		Examples: map[string]contextlens.Examples{"en": {Match: []string{"A quantum framing."}, NoMatch: []string{"A framing."}}},
	}
	text := "This is a quantum framing of events."
	if annotates(t, b, text, r.ID) {
		t.Fatal("replica B annotates before the rule exists")
	}
	start := time.Now()
	resp, body := request(t, "POST", a+"/v1/admin/rules", tok, r)
	if resp.StatusCode != 201 {
		t.Fatalf("create on A: %d %s", resp.StatusCode, body)
	}
	published := within(t, time.Second, "rule published on A served by B", func() bool { return annotates(t, b, text, r.ID) })
	t.Logf("publish on A -> served by B: %s after the write returned (%s after it was sent)", published, time.Since(start))

	resp, _ = request(t, "GET", b+"/v1/admin/rules/"+r.ID, tok, nil)
	start = time.Now()
	resp, body = request(t, "DELETE", b+"/v1/admin/rules/"+r.ID, tok, nil, "If-Match", resp.Header.Get("ETag"))
	if resp.StatusCode != 200 {
		t.Fatalf("archive on B: %d %s", resp.StatusCode, body)
	}
	archived := within(t, time.Second, "rule archived on B gone from A", func() bool { return !annotates(t, a, text, r.ID) })
	t.Logf("archive on B -> gone from A: %s after the write returned (%s after it was sent)", archived, time.Since(start))

	_, body = request(t, "GET", a+"/v1/admin/ruleset", tok, nil)
	var info struct{ Version, Serving, Publisher string }
	json.Unmarshal(body, &info)
	if info.Version != info.Serving || info.Publisher != "replica-test" {
		t.Errorf("ruleset on A: %s", body)
	}
}

// TestReadersSurviveBrokenRedis: with Redis refusing or hanging, serve
// starts on the store and annotate answers fast.
func TestReadersSurviveBrokenRedis(t *testing.T) {
	for name, url := range map[string]string{
		"refused": "redis://127.0.0.1:1/0",
		"hanging": "redis://" + testenv.HangingServer(t) + "/0",
	} {
		t.Run(name, func(t *testing.T) {
			base := startServe(t, map[string]string{
				"CONTEXTLENS_REDIS_URL": url,
				"CONTEXTLENS_RULES_DIR": "testdata/rules",
				"CONTEXTLENS_DATA_DIR":  filepath.Join(t.TempDir(), "data"),
			})
			var slowest time.Duration
			for i := range 20 {
				start := time.Now()
				if !annotates(t, base, fmt.Sprintf("The Ukraine crisis, take %d.", i), "crisis-en") {
					t.Fatal("no annotation with Redis broken")
				}
				slowest = max(slowest, time.Since(start))
			}
			// The first call may wait out one Redis timeout (100 ms); the
			// bound is generous for a loaded CI machine.
			if slowest > time.Second {
				t.Errorf("slowest annotate took %s with Redis %s", slowest, name)
			}
			t.Logf("Redis %s: slowest of 20 annotate calls %s", name, slowest)
		})
	}
}
