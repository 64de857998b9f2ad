// Package logcat selects log output per category, like Qt Extended's qLog
// categories: every Ringo logger carries a "category" attribute (voip,
// modem, policy, supervise, ...) and a Levels value says, per category,
// from which level records are kept. Levels can be changed while the
// program runs.
package logcat
