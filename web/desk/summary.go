package desk

import "net/http"

// handleSummaryChoice turns the member's mail summaries on or off.
func (s *Server) handleSummaryChoice(w http.ResponseWriter, r *http.Request) {
	on := r.PostFormValue("summary") == "on"
	if err := s.store.SetStaffSummary(r.Context(), staffFrom(r.Context()).ID, on); err != nil {
		s.deskFail(w, r, err)
		return
	}
	if on {
		s.flash(r, "You will get a mail summary, at most one an hour, when something new awaits.")
	} else {
		s.flash(r, "You will get no more mail summaries.")
	}
	seeOther(w, r, "/desk/account/")
}
