package agent

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/policy"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// maxECCRecords bounds the records read from a USIM's EF_ECC.
const maxECCRecords = 32

// ECCPath is where the agent publishes the SIM's emergency numbers
// (EF_ECC): a list of strings, empty when the SIM has none or none can
// be read. phoned treats them as emergency numbers.
var ECCPath = vs.Join(telephony.InterfacePath(telephony.ServiceCheckerInterface, ServiceName), policy.KeySIMEmergencyNumbers)

// readECC queues the reading of the SIM's EF_ECC; it needs no PIN.
func (a *Agent) readECC() {
	gen := a.link.gen
	a.queue("ecc", func(ctx context.Context, ch *modem.Channel) {
		nums, err := readECC(func(cmd string) (modem.SIMResponse, error) { return a.crsm(ctx, ch, cmd) })
		a.do(func() {
			if gen != a.link.gen {
				return
			}
			if err != nil {
				a.log.Info("no emergency numbers from the SIM", "err", err)
			} else {
				a.log.Info("the SIM's emergency numbers", "numbers", fmt.Sprint(nums))
			}
			a.publishECC(nums)
		})
	})
}

// publishECC publishes nums when they changed.
func (a *Agent) publishECC(nums []string) {
	if a.eccPublished && slices.Equal(nums, a.ecc) {
		return
	}
	a.ecc, a.eccPublished = nums, true
	if err := a.bus.ApplyAsync(vs.SetOp(ECCPath, vs.Strings(nums...))); err != nil {
		a.log.Warn("the SIM's emergency numbers not published", "err", err)
	}
}

// crsm sends one AT+CRSM and parses its answer.
func (a *Agent) crsm(ctx context.Context, ch *modem.Channel, cmd string) (modem.SIMResponse, error) {
	r, err := a.at(ctx, ch, cmd)
	if err != nil {
		return modem.SIMResponse{}, err
	}
	for _, l := range r.Lines {
		if sr, err := modem.ParseCRSM(l); err == nil {
			return sr, nil
		}
	}
	return modem.SIMResponse{}, fmt.Errorf("%w: %s answered without +CRSM", modem.ErrSyntax, cmd)
}

// readECC reads EF_ECC through send: GET RESPONSE says how it is stored;
// a USIM's linear fixed file is read record by record (READ RECORD, 178),
// a GSM SIM's transparent one at once (READ BINARY, 176). Each code is 3
// bytes of BCD at the start of a record, or one after the other.
func readECC(send func(cmd string) (modem.SIMResponse, error)) ([]string, error) {
	file := strconv.Itoa(modem.EFECC)
	cmd := func(c, p1, p2, p3 int) string {
		return fmt.Sprintf("AT+CRSM=%d,%s,%d,%d,%d", c, file, p1, p2, p3)
	}
	r, err := send(cmd(modem.CRSMGetResponse, 0, 0, 15))
	if err != nil {
		return nil, fmt.Errorf("EF_ECC: %w", err)
	}
	if !r.OK() {
		return nil, fmt.Errorf("EF_ECC: the SIM answered GET RESPONSE with %02X %02X", r.SW1, r.SW2)
	}
	info, err := modem.ParseEFInfo(r.Data)
	if err != nil {
		return nil, fmt.Errorf("EF_ECC: %w", err)
	}
	var out []string
	add := func(b []byte) {
		if n, ok := modem.DecodeECC(b); ok && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if info.Linear {
		if info.RecordLen < 3 {
			return nil, fmt.Errorf("EF_ECC: records of %d bytes hold no code", info.RecordLen)
		}
		for i := 1; i <= min(info.Records, maxECCRecords); i++ {
			r, err := send(cmd(modem.CRSMReadRecord, i, 4, info.RecordLen))
			if err != nil {
				return out, fmt.Errorf("EF_ECC record %d: %w", i, err)
			}
			if !r.OK() {
				break // past the last record
			}
			add(r.Data)
		}
		return out, nil
	}
	if info.Size <= 0 || info.Size > 255 {
		return nil, fmt.Errorf("EF_ECC: a transparent file of %d bytes", info.Size)
	}
	r, err = send(cmd(modem.CRSMReadBinary, 0, 0, info.Size))
	if err != nil {
		return nil, fmt.Errorf("EF_ECC: %w", err)
	}
	if !r.OK() {
		return nil, fmt.Errorf("EF_ECC: the SIM answered READ BINARY with %02X %02X", r.SW1, r.SW2)
	}
	for i := 0; i+3 <= len(r.Data); i += 3 {
		add(r.Data[i : i+3])
	}
	return out, nil
}
