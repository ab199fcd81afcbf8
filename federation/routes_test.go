package federation

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestMount checks that the paths Mount registers on the program's router
// cover every route federation serves, so that no route is left to the
// website's catch-all.
func TestMount(t *testing.T) {
	t.Parallel()
	root := chi.NewRouter()
	for _, pattern := range mounted {
		root.Handle(pattern, http.NotFoundHandler())
	}
	param := regexp.MustCompile(`\{[^}]*\}|\*`)
	n := 0
	err := chi.Walk((&Federation{}).routes().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		n++
		path := param.ReplaceAllString(route, "x")
		if !root.Match(chi.NewRouteContext(), method, path) {
			t.Errorf("%s %s (as %s) is not under any mounted path", method, route, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Errorf("walked %d routes; want every route of routes()", n)
	}
}
