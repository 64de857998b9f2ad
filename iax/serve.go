package iax

import (
	"context"
	"errors"
	"sync"
)

// Serve accepts incoming calls until ctx ends or the endpoint closes,
// running h for each call in its own goroutine with a context that ends
// with ctx. It returns after every handler has returned; a call still up
// when its handler returns is hung up. The error is ctx's, or ErrClosed.
func (e *Endpoint) Serve(ctx context.Context, h func(ctx context.Context, c *Call)) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := e.Accept(ctx)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				return ErrClosed
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			h(ctx, c)
			if !c.State().Final() {
				_ = c.Hangup(0)
			}
		}()
	}
}
