package server

import "github.com/ringo-phone/ringo/internal/supervise"

// spawner is the one thread phoned starts every agent from. On Linux the
// agents get the parent-death signal, which the kernel sends when that
// thread ends: kept for phoned's whole life, it makes the agents die
// exactly when phoned does (or when the spawner is closed, after the
// agents were stopped).
type spawner struct{ *supervise.Spawner }

func newSpawner() *spawner { return &spawner{supervise.NewSpawner()} }

// close ends the spawner thread; idempotent, waits.
func (s *spawner) close() { s.Close() }
