package desk

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"samizdat/content"
)

// TestDeskModeration_Quotes checks the quote policy on the policy page and
// the list of quotes, whose revoke button calls RevokeQuote for the
// moderator.
func TestDeskModeration_Quotes(t *testing.T) {
	t.Parallel()
	type call struct{ staffID, quoteID int64 }
	var calls []call
	m := newModSite(t, func(c *Config) {
		c.RevokeQuote = func(_ context.Context, staffID, quoteID int64) error {
			calls = append(calls, call{staffID, quoteID})
			return nil
		}
	})
	mira := m.addStaff("mira@example.org", modPassword, content.RoleModerator)
	b := m.browser(t)
	b.login("mira@example.org", modPassword)

	policy := b.get("/desk/moderation/policy")
	wantContains(t, policy.Body, `id="quote-policy-public" name="quote_policy" value="public" checked`)
	wantRedirect(t, b.post("/desk/moderation/quote-policy", url.Values{"quote_policy": {"followers"}}), "/desk/moderation/policy")
	wantContains(t, b.get("/desk/moderation/policy").Body, `id="quote-policy-followers" name="quote_policy" value="followers" checked`, "Quotes: “Followers”.")
	if p, _ := m.store.QuotePolicy(t.Context()); p != content.QuoteFollowers {
		t.Errorf("quote policy = %s", p)
	}
	wantStatus(t, b.post("/desk/moderation/quote-policy", url.Values{"quote_policy": {"friends"}}), http.StatusBadRequest)
	wantContains(t, b.get("/desk/moderation/log").Body, "set who may quote the stories to <code>followers</code>")

	wantContains(t, b.get("/desk/moderation/quotes").Body, "No story has been quoted yet.")
	q := &content.Quote{TranslationID: m.en.ID, Actor: "https://m.example/users/anna", Post: "https://m.example/users/anna/statuses/9", RequestID: "https://m.example/q/9"}
	if _, err := m.store.SaveQuote(t.Context(), q, nil); err != nil {
		t.Fatal(err)
	}
	page := b.get("/desk/moderation/quotes")
	revoke := fmt.Sprintf("/desk/moderation/quotes/%d/revoke", q.ID)
	wantContains(t, page.Body, `href="https://m.example/users/anna/statuses/9"`, "The bakery on Rustaveli Avenue", `action="`+revoke+`"`)
	wantRedirect(t, b.post(revoke, url.Values{}), "/desk/moderation/quotes")
	if len(calls) != 1 || calls[0] != (call{mira.ID, q.ID}) {
		t.Errorf("RevokeQuote calls = %+v", calls)
	}
	wantContains(t, b.get("/desk/moderation/quotes").Body, "The quote is revoked")

	ed := m.browser(t)
	m.addStaff("ed@example.org", modPassword, content.RoleEditor)
	ed.login("ed@example.org", modPassword)
	wantStatus(t, ed.post(revoke, url.Values{}), http.StatusForbidden)
}
