// Package supervise keeps one program running, as gokrazy supervises its
// services: it starts the program, restarts it after an exit with a delay
// that doubles (less a random part, so that programs which failed together
// do not come back together), and honours the house's exit contract — 0 is
// done, 125 (command.ExitDoNotRestart) asks not to be started again, any
// other code or a signal is a crash.
//
// uinit supervises phoned with it, and phoned each agent program named by a
// service file. The owner hears every state change (OnEvent) and every line
// of the program's output (OnLine); the last lines are kept in a bounded
// ring for the report of a crash. Reading the output never stops: a line
// longer than Config.MaxLine is cut with a marker and the rest of it read
// and dropped, so a program is never blocked or killed by a broken pipe for
// what it prints.
//
// A real program (Cmd) runs in its own process group, so a signal reaches
// the processes it started and a kill takes them all; stopping asks first
// (SIGTERM, or the owner's own request such as Telephony::stop) and kills
// the group after a grace period. Started through a Spawner on Linux, the
// program also gets the parent-death signal, so it dies with its owner.
//
// Time is a clock.Clock and starting a run is behind Starter, so the
// supervision logic is tested on a fake clock with fake processes.
package supervise
