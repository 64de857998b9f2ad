// Package valuespace is the phone's shared state: a tree of typed values
// (string, int, bool, string list) addressed by slash paths such as
// /Communications/QNetworkRegistration/asterisk/registrationState.
//
// It re-creates the Qt Extended value space. Every value has an owner (a bus
// connection, see telephony/bus); when the owner goes away, RemoveOwner
// deletes everything it published in one atomic batch, so a dead agent
// disappears from the tree at once. Subscribers watch a subtree and receive
// batches of changes in the order they were applied; a batch produced by one
// Apply is delivered whole, which is how call-state transactions appear at
// once.
//
// The package is pure: no I/O, no goroutines, no timers. The bus server holds
// one Tree for the whole phone; tests and tools may hold their own.
package valuespace
