package content

import (
	"strings"
	"time"
	"unicode/utf8"
)

// QuestionState is where a question stands in the desk.
type QuestionState string

// Question states. Editors approve the questions they mean to answer;
// answered ones are published with their answer; the asker may withdraw.
const (
	QuestionPending   QuestionState = "pending"
	QuestionApproved  QuestionState = "approved"
	QuestionRejected  QuestionState = "rejected"
	QuestionAnswered  QuestionState = "answered"
	QuestionWithdrawn QuestionState = "withdrawn"
)

// Question sources.
const (
	QuestionFromFediverse = "fediverse"
	QuestionFromSite      = "site"
)

// MaxQuestion is the longest question the site takes, in characters.
const MaxQuestion = 2000

// Question is a reader's question to the authors and, once answered, the
// answer.
type Question struct {
	ID          int64
	Lang        string
	Source      string // QuestionFromFediverse or QuestionFromSite
	APID        string // the post the answer replies to
	Asker       string // the asker's actor id
	AskerHandle string // "@user@host"
	AskerInbox  string
	BodyHTML    string // sanitized HTML
	State       QuestionState
	HeldFor     string // why it needs a closer look ("keyword"), or ""
	AssignedTo  int64
	AnswerMD    string
	AnswerHTML  string
	AnsweredAt  time.Time
	CreatedAt   time.Time
}

// ValidateQuestionText checks what a signed-in reader typed as a question
// and returns it trimmed; its messages are keys of the public interface.
func ValidateQuestionText(s string) (string, error) {
	s = strings.TrimSpace(s)
	var v ValidationError
	switch n := utf8.RuneCountInString(s); {
	case n < 10:
		v.Add("question", "question_too_short")
	case n > MaxQuestion:
		v.Add("question", "question_too_long")
	}
	return s, v.Err()
}
