package federation

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"samizdat/content"
)

// BenchmarkCreateActivity builds and serializes the Create{Article} of a story
// of about 1,200 words, as the publish hook does once per publication (bench/
// measures the whole fan-out; figures in docs/benchmarks.md).
func BenchmarkCreateActivity(b *testing.B) {
	base, _ := url.Parse("https://samizdat.example")
	f := &Federation{cfg: Config{BaseURL: base, Languages: []string{"en", "ru", "fr"}, PublicationName: "Samizdat"}, iri: newIRIs(base)}
	body := strings.Repeat("We crossed the bridge at dawn, when the guards change and nobody looks twice at a woman with a bag of apples. ", 60)
	t := &content.Translation{
		ID: 1, StoryID: 1, Lang: "en", Title: "The bridge at dawn", Slug: "the-bridge-at-dawn",
		Teaser:   "Two sisters, one border and the morning it closed two days early.",
		BodyHTML: content.RenderMarkdown("en", body), Tags: []string{"border", "family", "testimony"},
		State: content.StatePublished, ObjectKey: "6f1c2a9e-3b7d-4c1e-9a2f-0d5e8b7c6a41",
		PublishedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
	}
	var n int
	for b.Loop() {
		d, err := f.createActivity(t, articleExtras{replies: []string{"https://mastodon.example/users/a/statuses/1"}})
		if err != nil {
			b.Fatal(err)
		}
		out, err := encode(withContext(d))
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/activity")
}
