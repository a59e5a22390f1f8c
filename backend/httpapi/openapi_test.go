package httpapi

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestOpenAPICoversEveryRoute keeps openapi.json and routes.go in step:
// every route is documented with its method, and nothing else is.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	e := newAdminEnv(t).h.(*echo.Echo)
	param := regexp.MustCompile(`:([a-zA-Z_]+)`)
	routes := map[string]bool{}
	for _, r := range e.Routes() {
		if strings.HasPrefix(r.Name, "github.com/labstack") || r.Method == echo.RouteNotFound {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + path
		routes[key] = true
		if _, ok := doc.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s is not documented in openapi.json", key)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !routes[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which is not a route", method, path)
			}
		}
	}
	if len(routes) < 17 {
		t.Fatalf("only %d routes found", len(routes))
	}
}

func TestOpenAPIServed(t *testing.T) {
	rec := do(newTestServer(t, nil, DefaultLimits), "GET", "/openapi.json", "", "")
	if rec.Code != 200 || !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("status %d", rec.Code)
	}
}
