// Package federation is Samizdat's ActivityPub side: one Organization actor
// per language and an Application instance actor, WebFinger, host-meta and
// NodeInfo, the Article each published translation becomes, the collections,
// the inboxes, and the activities a publish, edit or withdrawal sends.
//
// The inboxes also gather the dialogue: replies to our Articles and to
// replies under them, found from inReplyTo and walked up through parents
// fetched from their own servers (reply.go), sanitized and moderated on
// arrival, their images copied so that readers never contact another
// instance (media.go); edits and deletions by their authors; likes and
// boosts counted per translation (reaction.go); reports both ways
// (flag.go); and, in the background, the answers between readers that never
// reached us, read from the replies collections of the replies we show
// (backfill.go). Only what moderators let through is listed in an Article's
// replies collection.
//
// go-fed/activity's streams package is the vocabulary: documents are built with
// it where it models them, serialized, and then given the fixed inline @context
// and the properties v1.0.0 lacks (docs/federation.md#json-ld-context,
// #go-fed-streams-gaps). go-fed's pub framework is never used; incoming
// documents are read tolerantly into our own types
// (docs/federation.md#tolerant-json). Signatures, the outbound HTTP client and
// durable delivery live in the subpackages signature, transport and delivery;
// this package builds what they sign, fetch and send.
//
// Comments cite the peer behaviour they rely on as docs/federation.md#anchor.
package federation
