package cli

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// userPause is the pause SIGUSR1 toggles in apply, resolve and restore: the first signal
// pauses the run after the batch in flight, the next resumes it. A paused run keeps its lease
// (renewed in the background) and still stops cleanly at SIGTERM or ctrl+c.
type userPause struct {
	on   atomic.Bool
	ch   chan os.Signal
	done chan struct{}
}

// watchPause starts listening for SIGUSR1, before the command connects: a signal sent before
// would otherwise end the process (SIGUSR1's default). stop ends the listening.
func watchPause() *userPause {
	u := &userPause{ch: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(u.ch, syscall.SIGUSR1)
	go func() {
		defer close(u.done)
		for range u.ch {
			u.on.Store(!u.on.Load())
		}
	}()
	return u
}

// hold is the run's mongo.Pace.Hold: why it is paused, or "".
func (u *userPause) hold() string {
	if u.on.Load() {
		return "SIGUSR1 (send SIGUSR1 again to resume)"
	}
	return ""
}

func (u *userPause) stop() {
	signal.Stop(u.ch)
	close(u.ch)
	<-u.done
}
