package sqlstore

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"time"

	"github.com/jmoiron/sqlx"
)

// maxTransientRetries bounds the re-runs of a queue write that the
// database aborted as a deadlock victim or a serialization failure
// (Dialect.IsTransient).
const maxTransientRetries = 5

// transient reports whether err is worth running the same work again.
func (s *Store) transient(err error) bool {
	return s.d.IsTransient != nil && s.d.IsTransient(err)
}

// retryTransient runs fn, and runs it again, up to maxTransientRetries
// times, while it fails with a transient error, after a short jittered
// pause that grows with each try, so that the transactions that collided
// do not collide again in lockstep. fn must be safe to re-run: it is a
// single statement or a whole transaction that was rolled back. The
// caller's ctx ends the waiting.
func (s *Store) retryTransient(ctx context.Context, fn func() error) error {
	for try := 0; ; try++ {
		err := fn()
		if err == nil || try >= maxTransientRetries || !s.transient(err) {
			return err
		}
		s.retries.Add(1)
		pause := time.Duration(1+rand.IntN(4<<try)) * time.Millisecond
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// inTxRetry is inTx re-run by retryTransient: fn must leave nothing
// behind but its transaction's writes.
func (s *Store) inTxRetry(ctx context.Context, op string, fn func(tx *sqlx.Tx) error) error {
	return s.retryTransient(ctx, func() error { return s.inTx(ctx, op, fn) })
}

// TransientRetries returns how many times the Store has re-run a queue
// write after a deadlock or serialization failure, for monitoring.
func (s *Store) TransientRetries() int64 { return s.retries.Load() }

// execRetry is s.w.ExecContext re-run by retryTransient.
func (s *Store) execRetry(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.retryTransient(ctx, func() (err error) {
		res, err = s.w.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}
