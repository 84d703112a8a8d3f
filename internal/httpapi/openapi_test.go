package httpapi

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

type openapiDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

func mustDoc(t *testing.T) openapiDoc {
	t.Helper()
	var doc openapiDoc
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	return doc
}

// TestOpenAPIDocumentsEveryRoute keeps openapi.json true to the route table
// in both directions: a route added to Routes must be documented, and a
// documented operation must be served.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := mustDoc(t)
	served := map[string]bool{}
	for _, rt := range New(Deps{}).Routes() {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok {
			t.Errorf("route %q has no method; every API route names one", rt.Pattern)
			continue
		}
		served[strings.ToLower(method)+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in openapi.json (add it under paths[%q].%s)", rt.Pattern, path, strings.ToLower(method))
		}
	}
	var extra []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			if !served[method+" "+path] {
				extra = append(extra, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(extra)
	for _, op := range extra {
		t.Errorf("openapi.json documents %s, which Routes does not serve", op)
	}
}

// TestOpenAPIRefsResolve checks that every $ref points at a component that exists.
func TestOpenAPIRefsResolve(t *testing.T) {
	var raw map[string]any
	if err := json.Unmarshal(openapiJSON, &raw); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && !resolves(raw, ref) {
				t.Errorf("$ref %q does not resolve", ref)
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(raw)
}

func resolves(root map[string]any, ref string) bool {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = root
	for _, part := range strings.Split(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// TestOpenAPIQueryParams keeps the query parameters each route accepts (and
// refuses all others) equal to those openapi.json documents for it.
func TestOpenAPIQueryParams(t *testing.T) {
	doc := mustDoc(t)
	for _, rt := range New(Deps{}).Routes() {
		if !rt.Auth {
			continue
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		var op struct {
			Parameters []struct{ Name, In string } `json:"parameters"`
		}
		if raw, ok := doc.Paths[path][strings.ToLower(method)]; ok {
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s: %v", rt.Pattern, err)
			}
		}
		var documented []string
		for _, p := range op.Parameters {
			if p.In == "query" {
				documented = append(documented, p.Name)
			}
		}
		if strings.Join(documented, ",") != strings.Join(rt.Params, ",") {
			t.Errorf("%s accepts query parameters %v, openapi.json documents %v", rt.Pattern, rt.Params, documented)
		}
	}
}
