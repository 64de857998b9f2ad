// Package phoneapi is the small contract between phoned and the console
// tools (phonectl, vsexplorer, tests): the control channel on which phoned
// takes dial requests (it owns the dial decision across the services' call
// policy managers), and the value-space keys where it publishes what it
// supervises and what it diagnosed.
//
//	/Telephony/Agents/<program>/state        starting | running | backoff | exited | failed | stopping | stopped
//	/Telephony/Agents/<program>/pid          [int] while the process runs
//	/Telephony/Agents/<program>/restarts     [int]
//	/Telephony/Agents/<program>/lastExit     [string] how the last run ended
//	/Telephony/Agents/<program>/services     [list] services attributed to it
//	/Telephony/Diagnostics/<case>/<subject>  [string] a problem in plain words
//	/Telephony/Config/Log                    [string] phoned's log levels, set by the user
//
// Calls themselves are the telephony contract (/Communications/Calls/<id>/);
// phoned adds seq [int] (newest call has the highest), direction
// ("incoming" | "outgoing") and startTime.
package phoneapi
