// Package serve holds the few pieces of HTTP plumbing that the public site
// (package web) and the staff desk (package web/desk) both need: static
// files under content-hashed URLs, bodies sent with ETags, the status an
// error's kind maps to, the privacy headers, request logs, how a remote
// reply is shown, and the detaching of a sub-router from a parent chi router.
//
// It lives under web/internal so that only those two packages can import
// it: it is shared plumbing, not an API, and keeps the desk from importing
// the whole public site for a handful of helpers.
package serve
