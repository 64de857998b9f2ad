// Package media has the frame types drivers/audio may use.
package media

// Frame is audio.
type Frame []int16
