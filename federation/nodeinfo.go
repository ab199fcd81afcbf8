package federation

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// NodeInfo is served as plain application/json: GoToSocial refuses the 2.1
// profile content type (docs/federation.md#nodeinfo).
const nodeInfoContentType = "application/json"

// softwareName must match ^[a-z0-9-]+$ (docs/federation.md#nodeinfo).
const softwareName = "samizdat"

type nodeInfoLinks struct {
	Links []jrdLink `json:"links"`
}

type nodeInfo struct {
	Version           string           `json:"version"`
	Software          nodeInfoSoftware `json:"software"`
	Protocols         []string         `json:"protocols"`
	Services          nodeInfoServices `json:"services"`
	OpenRegistrations bool             `json:"openRegistrations"`
	Usage             nodeInfoUsage    `json:"usage"`
	Metadata          map[string]any   `json:"metadata"`
}

type nodeInfoSoftware struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type nodeInfoServices struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

type nodeInfoUsage struct {
	Users      nodeInfoUsers `json:"users"`
	LocalPosts int           `json:"localPosts"`
}

type nodeInfoUsers struct {
	Total          int `json:"total"`
	ActiveMonth    int `json:"activeMonth"`
	ActiveHalfyear int `json:"activeHalfyear"`
}

// handleNodeInfoLinks serves the NodeInfo discovery document
// (docs/federation.md#nodeinfo), with the FEP-2677 link to the instance actor.
func (f *Federation) handleNodeInfoLinks(w http.ResponseWriter, r *http.Request) {
	f.writeJSON(w, r, nodeInfoContentType, nodeInfoLinks{Links: []jrdLink{
		{Rel: "http://nodeinfo.diaspora.software/ns/schema/2.0", Href: f.iri.abs("/nodeinfo/2.0")},
		{Rel: "http://nodeinfo.diaspora.software/ns/schema/2.1", Href: f.iri.abs("/nodeinfo/2.1")},
		{Rel: "https://www.w3.org/ns/activitystreams#Application", Href: f.iri.InstanceActor()},
	}})
}

// handleNodeInfo serves NodeInfo 2.0 or 2.1 (docs/federation.md#nodeinfo). The
// users are the language actors, the active ones those that published in the
// period, and the posts the published translations.
func (f *Federation) handleNodeInfo(w http.ResponseWriter, r *http.Request) {
	version := chi.URLParam(r, "version")
	u, err := f.store.FederationUsage(r.Context(), f.cfg.Languages)
	if err != nil {
		f.error(w, r, err)
		return
	}
	ni := nodeInfo{
		Version:   version,
		Software:  nodeInfoSoftware{Name: softwareName, Version: f.cfg.Version},
		Protocols: []string{"activitypub"},
		Services:  nodeInfoServices{Inbound: []string{}, Outbound: []string{}},
		Usage: nodeInfoUsage{
			Users:      nodeInfoUsers{Total: len(f.cfg.Languages), ActiveMonth: u.ActiveMonth, ActiveHalfyear: u.ActiveHalfyear},
			LocalPosts: u.LocalPosts,
		},
		Metadata: map[string]any{"nodeName": f.cfg.PublicationName, "languages": f.cfg.Languages},
	}
	f.writeJSON(w, r, nodeInfoContentType, ni)
}
