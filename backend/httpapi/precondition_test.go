package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/contextlens/contextlens/backend/auth"
	"github.com/contextlens/contextlens/backend/contextlens"
)

// TestAdminIfMatch: If-Match is evaluated per RFC 9110 (section 13.1.1):
// "*" or a list of entity tags compared strongly (a weak tag never
// matches); only a missing header is 428; a well-formed tag that does not
// match is 412 and changes nothing; a header that is not an entity tag at
// all is 400.
func TestAdminIfMatch(t *testing.T) {
	a := newAdminEnv(t)
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("target", "draft")), 201)
	tests := []struct {
		name    string
		ifMatch []string // header lines; "{cur}" is the current revision
		status  int
		code    string
	}{
		{"missing", nil, 428, contextlens.EPRECONDITION},
		{"empty", []string{""}, 428, contextlens.EPRECONDITION},
		{"opaque stale tag", []string{`"stale"`}, 412, contextlens.ESTALE},
		{"old revision", []string{`"7"`}, 412, contextlens.ESTALE},
		{"zero", []string{`"0"`}, 412, contextlens.ESTALE},
		{"leading zero is another tag", []string{`"0{cur}"`}, 412, contextlens.ESTALE},
		{"weak tag of another revision", []string{`W/"3"`}, 412, contextlens.ESTALE},
		{"weak tag of the current revision", []string{`W/"{cur}"`}, 412, contextlens.ESTALE},
		{"list without a match", []string{`"7", "8", W/"{cur}"`}, 412, contextlens.ESTALE},
		{"empty tag", []string{`""`}, 412, contextlens.ESTALE},
		{"not a tag", []string{`abc`}, 400, "malformed_if_match"},
		{"unquoted revision", []string{`{cur}`}, 400, "malformed_if_match"},
		{"unquoted weak", []string{`W/{cur}`}, 400, "malformed_if_match"},
		{"lower-case weak prefix", []string{`w/"{cur}"`}, 400, "malformed_if_match"},
		{"unterminated", []string{`"{cur}`}, 400, "malformed_if_match"},
		{"junk after a tag", []string{`"{cur}" x`}, 400, "malformed_if_match"},
		{"space inside a tag", []string{`"{cur} "`}, 400, "malformed_if_match"},
		{"star in a list", []string{`*, "{cur}"`}, 400, "malformed_if_match"},
		{"matches", []string{`"{cur}"`}, 200, ""},
		{"star", []string{`*`}, 200, ""},
		{"list with a match", []string{`"7", W/"8" , "{cur}"`}, 200, ""},
		{"empty list elements", []string{`, "{cur}",`}, 200, ""},
		{"several header lines", []string{`"7"`, `"{cur}"`}, 200, ""},
	}
	for _, method := range []string{"PUT", "DELETE", "POST status", "POST rollback"} {
		for _, tt := range tests {
			t.Run(method+"/"+tt.name, func(t *testing.T) {
				cur := a.revision(t, "target")
				var headers []string
				for _, v := range tt.ifMatch {
					headers = append(headers, "If-Match", strings.ReplaceAll(v, "{cur}", strconv.Itoa(cur)))
				}
				var rec *httptest.ResponseRecorder
				optional := false
				switch method {
				case "PUT":
					r := exampleRule("target", "draft")
					r.Title = "Retitled " + strconv.Itoa(cur)
					b, _ := json.Marshal(r)
					rec = a.callRaw(t, auth.RoleEditor, "PUT", "/v1/admin/rules/target", string(b), headers...)
				case "DELETE":
					rec = a.callRaw(t, auth.RoleEditor, "DELETE", "/v1/admin/rules/target", "", headers...)
				case "POST status":
					optional = true
					rec = a.callRaw(t, auth.RoleEditor, "POST", "/v1/admin/rules/target/status", `{"status":"draft"}`, headers...)
				case "POST rollback":
					optional = true
					rec = a.callRaw(t, auth.RoleEditor, "POST", "/v1/admin/rules/target/rollback", `{"revision":1}`, headers...)
				}
				status, code := tt.status, tt.code
				if optional && status == 428 {
					status, code = 200, "" // If-Match is optional there
				}
				wantStatus(t, rec, status)
				if code != "" {
					if got := errorOf(t, rec).Code; got != code {
						t.Errorf("code %q, want %q", got, code)
					}
				}
				after := a.revision(t, "target")
				if status == 200 && after != cur+1 {
					t.Errorf("revision %d after a matching write, want %d", after, cur+1)
				}
				if status != 200 && after != cur {
					t.Errorf("a refused write changed the revision from %d to %d", cur, after)
				}
				if status == 412 && rec.Header().Get("ETag") != "" {
					t.Errorf("412 with an ETag header")
				}
			})
		}
	}
	// "*" matches any existing rule, and no rule at all is still 404.
	wantStatus(t, a.callRaw(t, auth.RoleEditor, "DELETE", "/v1/admin/rules/nope", "", "If-Match", "*"), 404)
	wantStatus(t, a.callRaw(t, auth.RoleEditor, "POST", "/v1/admin/rules/nope/status", `{"status":"draft"}`, "If-Match", `"1"`), 404)
}
