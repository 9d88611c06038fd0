package admin

import (
	"net/http"
	"time"

	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/ui"
)

// StatusPage is the system administrator's view of this instance's
// database connections (issue 24): the primary's pool, each read
// replica's state and lag, and the identity cache.
type StatusPage struct {
	Primary     PoolFigures
	PrimaryWAL  string
	Server      string
	Replicas    []db.ReplicaStatus
	ReplicasSet bool
	// PrimaryReads: read-only pages sent to the primary (no replica had
	// replayed the reader's last write, or none is configured).
	PrimaryReads uint64
	Identity     auth.IdentityStats
	IdentityOn   bool
	Now          time.Time
}

// PoolFigures are a pool's connection counts.
type PoolFigures struct {
	InUse, Open, Max int32
}

// WithStatus gives the status page the read router and the identity
// cache of this instance (either may be nil).
func (h *Handler) WithStatus(reads *db.Router, identity *auth.IdentityCache) *Handler {
	h.reads, h.identity = reads, identity
	return h
}

// Status shows the database connections of the instance that serves the
// page (each instance has its own; /metrics has the same figures).
func (h *Handler) Status(w http.ResponseWriter, r *http.Request) error {
	p := StatusPage{Replicas: h.reads.Status(), ReplicasSet: len(h.reads.Replicas()) > 0, PrimaryReads: h.reads.PrimaryReads(),
		IdentityOn: h.identity != nil, Identity: h.identity.Stats(), Now: time.Now()}
	st := h.pool.Stat()
	p.Primary = PoolFigures{InUse: st.AcquiredConns(), Open: st.TotalConns(), Max: st.MaxConns()}
	var err error
	if p.PrimaryWAL, p.Server, err = serverFacts(r.Context(), h.pool); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, StatusView(p))
}
