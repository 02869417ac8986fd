package site

import "time"

// pollInterval is how often a site whose posts/ cannot be watched looks.
const pollInterval = 2 * time.Second

// pollEvery reports a change every interval, until stop.
func pollEvery(interval time.Duration) (changes <-chan struct{}, stop func()) {
	out := make(chan struct{}, 1)
	t := time.NewTicker(interval)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-t.C:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out, func() { t.Stop(); close(done) }
}
