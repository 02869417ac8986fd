package indexsock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"mailbag/archive"
	"mailbag/archive/search"
)

// Options say what the server serves.
type Options struct {
	Index *search.Index
	Posts *archive.Posts
	// Log receives what clients changed; nil discards it.
	Log *slog.Logger
	// Changed, when not nil, is called once a client changed the index
	// (the site's Changed).
	Changed func()
}

// Serve answers the commands on ln until ctx is done.
func Serve(ctx context.Context, ln net.Listener, o Options) error {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	s := &server{o}
	mux.HandleFunc("POST /search", s.search)
	mux.HandleFunc("POST /related", s.related)
	mux.HandleFunc("POST /sync", s.sync)
	mux.HandleFunc("POST /rebuild", s.rebuild)
	mux.HandleFunc("POST /merge", s.merge)
	srv := &http.Server{Handler: http.MaxBytesHandler(mux, 1<<20), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ownUser{ln, o.Log}) }()
	select {
	case err := <-done:
		return fmt.Errorf("indexsock: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("indexsock: %w", err)
	}
	return nil
}

// ownUser is a listener that hands on only connections from processes of
// serve's own user; others are closed unanswered, and logged.
type ownUser struct {
	net.Listener
	log *slog.Logger
}

func (l ownUser) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uid, known, err := peerUID(c)
		switch {
		case err != nil:
			l.log.Warn("refused a connection to the commands' socket", "err", err)
		case known && uid != os.Getuid():
			l.log.Warn("refused a connection to the commands' socket from another user", "uid", uid)
		default:
			return c, nil
		}
		c.Close()
	}
}

type server struct{ o Options }

func (s *server) search(w http.ResponseWriter, r *http.Request) {
	var q search.Query
	if !read(w, r, &q) {
		return
	}
	res, err := s.o.Index.Search(r.Context(), q)
	reply(w, res, err)
}

func (s *server) related(w http.ResponseWriter, r *http.Request) {
	var q relatedRequest
	if !read(w, r, &q) {
		return
	}
	related := s.o.Index.Related
	if q.Answers {
		related = s.o.Index.Answers
	}
	hits, err := related(r.Context(), q.Text, q.N)
	reply(w, hits, err)
}

// sync brings the index up to date with posts/: a command published,
// imported or removed posts.
func (s *server) sync(w http.ResponseWriter, r *http.Request) {
	res, err := s.o.Index.Sync(s.o.Posts)
	if err == nil && (res.Indexed > 0 || res.Removed > 0) {
		s.o.Log.Info("search index updated for a command", "indexed", res.Indexed, "removed", res.Removed)
	}
	s.changed()
	reply(w, syncReplyOf(res), err)
}

// rebuild makes the index anew from posts/ (reindex), while it goes on
// answering searches; the rebuild runs to its end even if the command
// stops waiting.
func (s *server) rebuild(w http.ResponseWriter, r *http.Request) {
	list, problems, err := s.o.Posts.Headers()
	if err == nil {
		err = s.o.Index.Rebuild(list)
	}
	if err == nil {
		s.o.Log.Info("search index rebuilt for a command", "posts", len(list))
	}
	s.changed()
	reply(w, syncReplyOf(search.SyncResult{Indexed: len(list), Problems: problems}), err)
}

// merge merges the index's segments: an import of many posts ended.
func (s *server) merge(w http.ResponseWriter, r *http.Request) {
	err := s.o.Index.Merge()
	if err == nil {
		s.o.Log.Info("search index merged for a command")
	}
	reply(w, struct{}{}, err)
}

// changed tells the site, if it asked to be told.
func (s *server) changed() {
	if s.o.Changed != nil {
		s.o.Changed()
	}
}

// read decodes the request's JSON body into v; when it returns false it
// has answered.
func read(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		reply(w, nil, fmt.Errorf("indexsock: the request could not be read: %w", err))
		return false
	}
	return true
}

// reply sends v, or err.
func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		v = errorReply{Error: err.Error(), BadQuery: errors.Is(err, search.ErrBadQuery)}
	}
	_ = json.NewEncoder(w).Encode(v)
}
