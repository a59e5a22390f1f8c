package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// runCmd runs the program in-process with the given environment and stdin.
func runCmd(t *testing.T, ctx context.Context, env map[string]string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestAnnotateCommand(t *testing.T) {
	out, stderr, err := runCmd(t, context.Background(), nil, "🙂 The Ukraine crisis.", "annotate", "--rules", "testdata/rules", "-")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	var res contextlens.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Annotations) != 1 || res.Annotations[0].Position.Start != 7 || res.Annotations[0].Quote.Exact != "Ukraine crisis" {
		t.Errorf("result %+v", res)
	}
	if _, _, err := runCmd(t, context.Background(), nil, "x", "annotate", "--lang", "de", "--rules", "testdata/rules"); err == nil {
		t.Error("an unknown --lang must fail")
	}
}

func TestRulesCheck(t *testing.T) {
	out, _, err := runCmd(t, context.Background(), nil, "", "rules", "check", "testdata/rules")
	if err != nil || !strings.Contains(out, "1 rule files, 2 examples, 0 problems") {
		t.Fatalf("good rules: err %v, out %s", err, out)
	}
	out, _, err = runCmd(t, context.Background(), nil, "", "rules", "check", "testdata/badrules")
	if err == nil {
		t.Fatal("bad rules must fail")
	}
	for _, want := range []string{
		"testdata/badrules/war-as-crisis/crisis-bad.yaml:7: severity: must be one of",
		"crisis-bad.yaml:15: sources[0].url: must be an absolute https URL",
		"crisis-bad.yaml:13: match.phrases[1]:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalCommand(t *testing.T) {
	out, stderr, err := runCmd(t, context.Background(), nil, "", "eval", "--rules", "testdata/rules", "testdata/corpus.jsonl", "--verbose")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	// p1 found, p2 missed, n2 is a false alarm (the rule has no unless for it).
	for _, want := range []string{"all", "0.500  0.500  0.500    1    1    1", "50.0% (1/2)", "p2 miss", "n2 false-hit"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	if _, _, err := runCmd(t, context.Background(), nil, "", "frobnicate"); err == nil {
		t.Error("unknown command must fail")
	}
	if _, _, err := runCmd(t, context.Background(), nil, ""); err == nil {
		t.Error("no command must fail")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady polls /readyz until the server answers 200.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server did not become ready")
}

func TestServeEndToEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addr := freeAddr(t)
	env := map[string]string{"CONTEXTLENS_ADDR": addr, "CONTEXTLENS_RULES_DIR": "testdata/rules", "CONTEXTLENS_LOG_LEVEL": "warn",
		"CONTEXTLENS_DATA_DIR": t.TempDir()}
	done := make(chan error, 1)
	go func() {
		_, _, err := runCmd(t, ctx, env, "", "serve")
		done <- err
	}()
	base := "http://" + addr
	waitReady(t, base)
	resp, err := http.Post(base+"/v1/annotate", "application/json", strings.NewReader(`{"text":"Ukraine crisis"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"exact":"Ukraine crisis"`) {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestServeRejectsBadSettings(t *testing.T) {
	env := map[string]string{"CONTEXTLENS_ADDR": "nonsense", "CONTEXTLENS_LOG_LEVEL": "loud", "CONTEXTLENS_REDIS_URL": "http://x",
		"CONTEXTLENS_DATA_DIR": t.TempDir()}
	_, _, err := runCmd(t, context.Background(), env, "", "serve")
	if err == nil {
		t.Fatal("bad settings must fail")
	}
	for _, want := range []string{"CONTEXTLENS_ADDR", "CONTEXTLENS_LOG_LEVEL", "CONTEXTLENS_REDIS_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %s", err, want)
		}
	}
}
