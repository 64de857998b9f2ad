package explorer

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
)

// writeClients prints the bus's traffic counters (bus.Client.Stats), one
// line per client: the connection (#id, or how many closed connections of
// that name the line adds up), its name, the frames the bus read from it
// and queued to it, and the qcop messages it sent and received, by name.
// phonectl -json status carries the same counters under "clients".
func writeClients(w io.Writer, stats []bus.ClientInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tNAME\tFRAMES IN\tFRAMES OUT\tSENT\tRECEIVED")
	for _, c := range stats {
		conn := fmt.Sprintf("#%d", c.Owner)
		if c.Ended > 0 {
			conn = fmt.Sprintf("%d closed", c.Ended)
		}
		name := "-"
		if c.Name != "" {
			name = telephony.Printable(c.Name, 0)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", conn, name, c.FramesIn, c.FramesOut, counts(c.Sent), counts(c.Received))
	}
	return tw.Flush()
}

// counts shows message counts as "dial 1, listCalls 3", by name; "-" for
// none.
func counts(m map[string]uint64) string {
	if len(m) == 0 {
		return "-"
	}
	parts := make([]string, 0, len(m))
	for _, n := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", telephony.Printable(n, 0), m[n]))
	}
	return strings.Join(parts, ", ")
}
