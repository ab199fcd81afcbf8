// Package federation is Samizdat's ActivityPub side: one Organization actor
// per language and an Application instance actor, WebFinger, host-meta and
// NodeInfo, the Article each published translation becomes, the collections,
// the inboxes, and the activities a publish, edit or withdrawal sends.
//
// go-fed/activity's streams package is the vocabulary: documents are built
// with it where it models them, serialized, and then given the fixed inline
// @context of INTEROP C2 and the properties v1.0.0 lacks (G2, G3). go-fed's
// pub framework is never used (G5–G10). Signatures, the outbound HTTP client
// and durable delivery live in the subpackages signature, transport and
// delivery; this package builds what they sign, fetch and send.
//
// The item ids in comments (A3, F4, X2 …) refer to INTEROP.md.
package federation
