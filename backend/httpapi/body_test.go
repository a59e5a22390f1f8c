package httpapi

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/contextlens/contextlens/backend/auth"
)

// callRaw sends body exactly as given, as application/json.
func (a *adminEnv) callRaw(t *testing.T, role auth.Role, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	return a.send(t, role, method, path, strings.NewReader(body), headers)
}

// errorOf decodes an error response.
func errorOf(t *testing.T, rec *httptest.ResponseRecorder) errorPayload {
	t.Helper()
	var b struct {
		Error errorPayload `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body %s: %v", rec.Body, err)
	}
	return b.Error
}

func (a *adminEnv) revision(t *testing.T, id string) int {
	t.Helper()
	sr, err := a.store.GetRule(context.Background(), id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return sr.Revision
}

// TestNonObjectBodiesAre400: a body that is valid JSON but not an object
// is a malformed request (400 malformed_json) on every JSON endpoint, not
// a missing field (422).
func TestNonObjectBodiesAre400(t *testing.T) {
	a := newAdminEnv(t)
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("target", "draft")), 201)
	endpoints := []struct {
		method, path string
		role         auth.Role
		headers      []string
	}{
		{"POST", "/v1/annotate", "", nil},
		{"POST", "/v1/feedback", "", nil},
		{"POST", "/v1/admin/rules", auth.RoleEditor, nil},
		{"PUT", "/v1/admin/rules/target", auth.RoleEditor, []string{"If-Match", `"1"`}},
		{"POST", "/v1/admin/rules/target/status", auth.RoleEditor, nil},
		{"POST", "/v1/admin/rules/target/rollback", auth.RoleEditor, nil},
		{"POST", "/v1/admin/test", auth.RoleEditor, nil},
	}
	for _, ep := range endpoints {
		for _, body := range []string{`null`, ` null `, "\n[]", `[{"text":"x"}]`, `"x"`, `42`, `-1`, `true`, `false`} {
			t.Run(ep.method+" "+ep.path+" "+strings.TrimSpace(body), func(t *testing.T) {
				rec := a.callRaw(t, ep.role, ep.method, ep.path, body, ep.headers...)
				wantStatus(t, rec, 400)
				if e := errorOf(t, rec); e.Code != "malformed_json" {
					t.Errorf("code %q, want malformed_json", e.Code)
				}
			})
		}
	}
	if a.revision(t, "target") != 1 {
		t.Error("a non-object body changed the rule")
	}
}
