package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dupes-tui/dupes/mongo"
)

// signalContext is cancelled by SIGINT (ctrl+c) and SIGTERM (kill, systemd, a container
// stop) alike: either one stops the server's work and lets a run finish its batch.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// closeTimeout bounds the cleanup that runs after the work's context is gone (closing a
// cursor, disconnecting): it must still reach the server, but not hang the exit.
const closeTimeout = 5 * time.Second

// closeClient disconnects with a context of its own: the command's may be cancelled already.
func closeClient(c *mongo.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = c.Close(ctx)
}
