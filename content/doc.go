// Package content is Samizdat's domain: stories and their translations, static
// pages, staff, submissions, the rules that say what a valid story is and how
// it moves between states, and the Markdown pipeline that turns an editor's
// text into the HTML both the website and the fediverse see.
//
// It imports no database, HTTP or ActivityPub code. Its store lives in
// content/store; the website in web; federation in federation.
package content
