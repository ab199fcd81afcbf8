package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// QuestionTx is work done in a question's transaction: the federation's
// delivery of a direct mention or of an answer.
type QuestionTx func(ctx context.Context, tx pgx.Tx, q *content.Question) error

const questionColumns = `id, lang, source, coalesce(ap_id, ''), asker, asker_handle, asker_inbox, body_html, state, held_for,
	coalesce(assigned_to, 0), answer_md, answer_html, answered_at, created_at`

func scanQuestion(row pgx.Row) (*content.Question, error) {
	q := &content.Question{}
	var answered *time.Time
	err := row.Scan(&q.ID, &q.Lang, &q.Source, &q.APID, &q.Asker, &q.AskerHandle, &q.AskerInbox, &q.BodyHTML, &q.State, &q.HeldFor,
		&q.AssignedTo, &q.AnswerMD, &q.AnswerHTML, &answered, &q.CreatedAt)
	q.AnsweredAt = timeOrZero(answered)
	return q, err
}

// CreateQuestion stores a question and reports whether it is new: a
// fediverse post arriving twice is one question. When apID is set it runs,
// in the same transaction, for a question without ap_id yet (one asked on
// the site): it returns the id of the direct mention it queued, recorded
// as the question's.
func (s *Store) CreateQuestion(ctx context.Context, q *content.Question, apID func(ctx context.Context, tx pgx.Tx, q *content.Question) (string, error)) (bool, error) {
	if q.State == "" {
		q.State = content.QuestionPending
	}
	q.CreatedAt = s.now()
	created := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var ap *string
		if q.APID != "" {
			ap = &q.APID
		}
		err := tx.QueryRow(ctx, `INSERT INTO questions (lang, source, ap_id, asker, asker_handle, asker_inbox, body_html, state, held_for, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (ap_id) DO NOTHING RETURNING id`,
			q.Lang, q.Source, ap, q.Asker, q.AskerHandle, q.AskerInbox, q.BodyHTML, q.State, q.HeldFor, q.CreatedAt).Scan(&q.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		if q.APID == "" && apID != nil {
			if q.APID, err = apID(ctx, tx, q); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE questions SET ap_id = $2 WHERE id = $1`, q.ID, q.APID)
		}
		return err
	})
	return created, mapErr("create question", err)
}

// Question returns one question.
func (s *Store) Question(ctx context.Context, id int64) (*content.Question, error) {
	q, err := scanQuestion(s.pool.QueryRow(ctx, `SELECT `+questionColumns+` FROM questions WHERE id = $1`, id))
	return q, mapErr(fmt.Sprintf("question %d", id), err)
}

// QuestionFilter selects questions. Zero fields select everything.
type QuestionFilter struct {
	Lang   string
	States []content.QuestionState
	Asker  string
	Limit  int // 100 when zero
}

// Questions lists questions, the latest answer or question first.
func (s *Store) Questions(ctx context.Context, f QuestionFilter) ([]*content.Question, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	states := make([]string, len(f.States))
	for i, st := range f.States {
		states[i] = string(st)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+questionColumns+` FROM questions
		WHERE ($1 = '' OR lang = $1) AND (cardinality($2::text[]) = 0 OR state = ANY($2)) AND ($3 = '' OR asker = $3)
		ORDER BY coalesce(answered_at, created_at) DESC, id DESC LIMIT $4`, f.Lang, states, f.Asker, f.Limit)
	if err != nil {
		return nil, mapErr("questions", err)
	}
	defer rows.Close()
	var out []*content.Question
	for rows.Next() {
		q, err := scanQuestion(rows)
		if err != nil {
			return nil, mapErr("questions: scan", err)
		}
		out = append(out, q)
	}
	return out, mapErr("questions", rows.Err())
}

// SetQuestionState approves, rejects or brings back to pending a question
// that is not answered or withdrawn, and assigns it (0: nobody), logged as
// staffID's action.
func (s *Store) SetQuestionState(ctx context.Context, staffID, id int64, state content.QuestionState, assignTo int64) error {
	switch state {
	case content.QuestionPending, content.QuestionApproved, content.QuestionRejected:
	default:
		return &content.ValidationError{Fields: map[string]string{"state": "not a state an editor sets"}}
	}
	var assignee *int64
	if assignTo != 0 {
		assignee = &assignTo
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE questions SET state = $2, assigned_to = $3 WHERE id = $1 AND state IN ('pending', 'approved', 'rejected')`,
			id, state, assignee)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return s.LogStaff(ctx, tx, staffID, "question."+string(state), fmt.Sprintf("question %d", id), fmt.Sprintf("assigned to %d", assignTo))
	})
	return mapErr(fmt.Sprintf("set question %d", id), err)
}

// AnswerQuestion records the answer of an approved or pending question,
// marks it answered, logs it and runs publish (the answer's delivery) in
// the same transaction.
func (s *Store) AnswerQuestion(ctx context.Context, staffID, id int64, md, html string, publish QuestionTx) (*content.Question, error) {
	var q *content.Question
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		q, err = scanQuestion(tx.QueryRow(ctx, `UPDATE questions SET state = 'answered', answer_md = $2, answer_html = $3, answered_at = $4
			WHERE id = $1 AND state IN ('pending', 'approved') RETURNING `+questionColumns, id, md, html, s.now()))
		if err != nil {
			return err
		}
		if err := s.LogStaff(ctx, tx, staffID, "question.answer", fmt.Sprintf("question %d", id), ""); err != nil {
			return err
		}
		if publish != nil {
			return publish(ctx, tx, q)
		}
		return nil
	})
	return q, mapErr(fmt.Sprintf("answer question %d", id), err)
}

// WithdrawQuestion withdraws the asker's question, by its id (the button
// of a signed-in reader) or by its post's id (a Delete from the fediverse);
// its text and answer are cleared and it no longer shows. then, when set,
// runs in the same transaction with the question as it was (federation
// queues the Deletes of what we sent about it). It reports whether there
// was such a question.
func (s *Store) WithdrawQuestion(ctx context.Context, asker string, id int64, apID string, then QuestionTx) (bool, error) {
	found := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q, err := scanQuestion(tx.QueryRow(ctx, `SELECT `+questionColumns+` FROM questions
			WHERE asker = $1 AND (id = $2 OR ap_id = $3) AND state <> 'withdrawn' FOR UPDATE`, asker, id, apID))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		if _, err := tx.Exec(ctx, `UPDATE questions SET state = 'withdrawn', body_html = '', answer_md = '', answer_html = '' WHERE id = $1`, q.ID); err != nil {
			return err
		}
		if then != nil {
			return then(ctx, tx, q)
		}
		return nil
	})
	return found, mapErr("withdraw question", err)
}

// AskApp is the OAuth application registered at a reader's instance.
type AskApp struct {
	Instance     string
	Kind         string // "mastodon" or "misskey"
	ClientID     string
	ClientSecret string
}

// AskApp returns the application registered at instance.
func (s *Store) AskApp(ctx context.Context, instance string) (*AskApp, error) {
	a := &AskApp{}
	err := s.pool.QueryRow(ctx, `SELECT instance, kind, client_id, client_secret FROM ask_apps WHERE instance = $1`, instance).
		Scan(&a.Instance, &a.Kind, &a.ClientID, &a.ClientSecret)
	return a, mapErr("ask app "+instance, err)
}

// SaveAskApp records the application registered at an instance; the first
// one recorded stays when two readers of a new instance sign in at once.
func (s *Store) SaveAskApp(ctx context.Context, a *AskApp) (*AskApp, error) {
	_, err := s.pool.Exec(ctx, `INSERT INTO ask_apps (instance, kind, client_id, client_secret, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (instance) DO NOTHING`, a.Instance, a.Kind, a.ClientID, a.ClientSecret, s.now())
	if err != nil {
		return nil, mapErr("save ask app", err)
	}
	return s.AskApp(ctx, a.Instance)
}
