package federation

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/federation/delivery"
)

// Reports (Flag) travel both ways (docs/federation.md#reports-inbound,
// #reports-outbound): other instances report our stories, or replies in our
// dialogues, to us; our moderators report a reply's author to their instance.

// maxFlagObjects bounds how many reported ids of one Flag we look at.
const maxFlagObjects = 20

// maxReportComment bounds a report's comment, in characters, both ways.
const maxReportComment = 2000

// receiveFlag puts an incoming report in the moderators' queue when it is
// about something of ours: one of our Articles or actors, or a reply we
// hold. Mastodon's "forward" sends us reports about other people's replies
// under our stories too; those are tied to the reply. Reports about
// anything else are accepted and dropped.
func (f *Federation) receiveFlag(ctx context.Context, act *object) error {
	if act.ID == "" || !sameHost(act.ID, act.Actor) {
		return nil
	}
	p := &content.Report{
		ActivityID: act.ID,
		Reporter:   act.Actor,
		Comment:    truncate(strings.TrimSpace(content.PlainText(act.Content)), maxReportComment),
	}
	ours := false
	for _, id := range act.Objects {
		if len(p.Objects) == maxFlagObjects {
			break
		}
		p.Objects = append(p.Objects, id)
		if f.localLang(id) != "" {
			ours = true
			continue
		}
		t, local, err := f.localArticle(ctx, id)
		if err != nil {
			return err
		}
		if t != nil {
			ours = true
			if p.TranslationID == 0 {
				p.TranslationID = t.ID
			}
			continue
		}
		if local {
			continue
		}
		r, err := f.store.ReplyByAPID(ctx, id)
		switch {
		case err == nil:
			ours = true
			if p.ReplyID == 0 {
				p.ReplyID = r.ID
			}
		case !isNotFound(err):
			return err
		}
	}
	if !ours {
		return nil
	}
	created, err := f.store.CreateReport(ctx, p)
	if created {
		f.logger.Info("report received", "activity_id", act.ID, "actor", act.Actor, "reply_id", p.ReplyID)
	}
	return err
}

// ReportRemote reports the author of the reply replyID to their instance, on
// behalf of the staff member staffID, with comment as the reason: a Flag from
// our instance actor naming the author and the reply, delivered to the author's
// own inbox, as Mastodon's reports are (docs/federation.md#reports-outbound).
// The Flag is queued and the report logged in one transaction. It is
// web.Config.ReportRemote.
func (f *Federation) ReportRemote(ctx context.Context, staffID, replyID int64, comment string) error {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > maxReportComment {
		v := &content.ValidationError{}
		v.Add("comment", fmt.Sprintf("Keep the comment under %d characters.", maxReportComment))
		return v
	}
	r, err := f.store.Reply(ctx, replyID)
	if err != nil {
		return err
	}
	author, err := f.store.RemoteActor(ctx, r.Author)
	if err != nil {
		return err
	}
	if author.Inbox == "" {
		// Known only from an import: look its inbox up.
		if author, err = f.fetchActor(ctx, r.Author, ""); err != nil {
			return fmt.Errorf("federation: report %s: the author's inbox: %w", r.APID, err)
		}
	}
	id := f.iri.FlagID(uuid.NewString())
	flag, err := f.flagActivity(id, []string{r.Author, r.APID}, comment)
	if err != nil {
		return err
	}
	body, err := encode(withContext(flag))
	if err != nil {
		return err
	}
	out := delivery.Activity{ID: id, Actor: instanceActor, Type: "Flag", Body: body}
	return f.store.RecordRemoteReport(ctx, staffID, r.APID, comment, func(ctx context.Context, tx pgx.Tx) error {
		return f.queue.Enqueue(ctx, tx, out, []string{author.Inbox})
	})
}
