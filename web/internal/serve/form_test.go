package serve

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestReadForm(t *testing.T) {
	for name, tc := range map[string]struct {
		body     string
		limit    int64
		want     map[string]string
		tooLarge bool
		bad      []string
		status   int
	}{
		"OK":          {"a=1&b=%D0%BF", 100, map[string]string{"a": "1", "b": "п"}, false, nil, 200},
		"InvalidUTF8": {"story=ab%FFcd&name=x", 100, map[string]string{"story": "ab\uFFFDcd", "name": "x"}, false, []string{"story"}, 400},
		"NUL":         {"story=a%00b&name=%00", 100, map[string]string{"story": "ab", "name": ""}, false, []string{"name", "story"}, 400},
		"TooLarge":    {"csrf_token=t&title=keep&body=" + strings.Repeat("x", 100), 40, map[string]string{"csrf_token": "t", "title": "keep", "body": ""}, true, nil, 413},
		"Malformed":   {"a=%zz&b=2", 100, map[string]string{"b": "2"}, false, nil, 400},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/f", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			c, err := ReadForm(httptest.NewRecorder(), r, tc.limit, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.want {
				if got := r.PostFormValue(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if c.TooLarge != tc.tooLarge || !slices.Equal(c.BadText, tc.bad) || c.Status() != tc.status {
				t.Errorf("check = %+v (status %d), want too large %v, bad %v, status %d", c, c.Status(), tc.tooLarge, tc.bad, tc.status)
			}
		})
	}
}
