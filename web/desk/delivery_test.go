package desk

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/content/store"
)

func TestDesk_Deliveries(t *testing.T) {
	t.Parallel()
	site := newDeskSite(t)
	site.addStaff("editor@samizdat.test", "correct horse battery", content.RoleEditor)
	st, tr := site.addDraft("en", "Letters from Tbilisi")

	// What the delivery package leaves behind after a Create went out.
	ctx := t.Context()
	id := "https://samizdat.example/ap/articles/1#create"
	err := pgx.BeginFunc(ctx, site.store.Pool(), func(tx pgx.Tx) error {
		if err := site.store.InsertActivity(ctx, tx, &store.Activity{ID: id, Actor: "en", Type: "Create", TranslationID: tr.ID, Body: []byte("{}")}); err != nil {
			return err
		}
		if err := site.store.InsertReachDeliveries(ctx, tx, id, []string{"https://a.example/inbox", "https://b.example/inbox", "https://c.example/inbox"},
			[]string{store.ReachFollowers, store.ReachFollowers, store.ReachFetched}, store.DeliveryPending, ""); err != nil {
			return err
		}
		return site.store.MarkDelivered(ctx, tx, id, "https://a.example/inbox", 202)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, inbox := range []string{"https://b.example/inbox", "https://c.example/inbox"} {
		if err := site.store.RecordDeliveryFailure(ctx, id, inbox, 404, "HTTP 404 Not Found", true); err != nil {
			t.Fatal(err)
		}
	}
	var retried []int64
	site.srv.cfg.RetryDeliveries = func(_ context.Context, translationID int64) (int, error) {
		retried = append(retried, translationID)
		return 2, nil
	}

	b := site.browser(t)
	b.login("editor@samizdat.test", "correct horse battery")
	page := fmt.Sprintf("/desk/stories/%d/en/deliveries", st.ID)
	resp := b.get(page)
	wantStatus(t, resp, http.StatusOK)
	wantContains(t, resp.Body, "1 reached", "0 pending", "2 failed", "HTTP 404 Not Found",
		"https://b.example/inbox", "<td>Create</td>", `action="`+page+`/retry"`,
		"followers: 2 (1 reached); fetched it: 1 (0 reached)")

	wantRedirect(t, b.post(page+"/retry", url.Values{}), page)
	if len(retried) != 1 || retried[0] != tr.ID {
		t.Errorf("RetryDeliveries called with %v, want [%d]", retried, tr.ID)
	}
	wantContains(t, b.get(page).Body, "2 deliveries are queued again.")
	if log, err := site.store.AuditLog(t.Context(), store.AuditFilter{Actions: []string{store.ActionDeliveriesRetry}}); err != nil ||
		len(log) != 1 || log[0].Reason != "2 deliveries" || log[0].Target != fmt.Sprintf("story %d en", st.ID) {
		t.Errorf("audit log of the retry: %+v, %v", log, err)
	}

	wantStatus(t, b.get(fmt.Sprintf("/desk/stories/%d/ru/deliveries", st.ID)), http.StatusNotFound)
	wantStatus(t, b.post(page+"/retry", url.Values{"csrf_token": {"forged"}}), http.StatusForbidden)
	if len(retried) != 1 {
		t.Errorf("a forged retry reached RetryDeliveries")
	}
}
