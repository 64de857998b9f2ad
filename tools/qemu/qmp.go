package qemu

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"time"
)

// qmpClient speaks QEMU's machine protocol: JSON objects, one a line.
type qmpClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialQMP(ctx context.Context, path string) (*qmpClient, error) {
	var d net.Dialer
	var conn net.Conn
	var err error
	// QEMU creates the socket shortly after it starts: retry until ctx ends.
	for {
		conn, err = d.DialContext(ctx, "unix", path)
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("qemu: qmp dial: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	c := &qmpClient{conn: conn, r: bufio.NewReader(conn)}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
		defer conn.SetDeadline(time.Time{})
	}
	var greeting struct {
		QMP json.RawMessage `json:"QMP"`
	}
	if err := c.read(&greeting); err != nil || greeting.QMP == nil {
		conn.Close()
		return nil, fmt.Errorf("qemu: qmp greeting: %v", err)
	}
	if _, err := c.execute("qmp_capabilities", nil); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (c *qmpClient) read(v any) error {
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, v)
}

func (c *qmpClient) execute(cmd string, args any) (json.RawMessage, error) {
	req := map[string]any{"execute": cmd}
	if args != nil {
		req["arguments"] = args
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if _, err := c.conn.Write(append(b, '\n')); err != nil {
		return nil, err
	}
	for {
		var resp struct {
			Return json.RawMessage `json:"return"`
			Error  *struct {
				Class string `json:"class"`
				Desc  string `json:"desc"`
			} `json:"error"`
			Event string `json:"event"`
		}
		if err := c.read(&resp); err != nil {
			return nil, fmt.Errorf("qemu: qmp %s: %w", cmd, err)
		}
		switch {
		case resp.Event != "":
			continue // asynchronous events are not answers
		case resp.Error != nil:
			return nil, fmt.Errorf("%w: %s: %s: %s", ErrQMP, cmd, resp.Error.Class, resp.Error.Desc)
		default:
			return resp.Return, nil
		}
	}
}

func (c *qmpClient) Close() error { return c.conn.Close() }

// QMP runs one QMP command and returns its "return" value.
func (m *Machine) QMP(ctx context.Context, cmd string, args any) (json.RawMessage, error) {
	m.qmpMu.Lock()
	defer m.qmpMu.Unlock()
	if m.qmpConn == nil {
		c, err := dialQMP(ctx, m.qmp)
		if err != nil {
			return nil, err
		}
		m.qmpConn = c
	}
	if dl, ok := ctx.Deadline(); ok {
		m.qmpConn.conn.SetDeadline(dl)
		defer m.qmpConn.conn.SetDeadline(time.Time{})
	}
	return m.qmpConn.execute(cmd, args)
}

// PressKey presses and releases one key (a QEMU qcode such as "1", "a",
// "ret", "kp_enter") on the virtio keyboard (Config.Keyboard).
func (m *Machine) PressKey(ctx context.Context, qcode string) error {
	for _, down := range []bool{true, false} {
		ev := map[string]any{"events": []any{map[string]any{
			"type": "key",
			"data": map[string]any{"down": down, "key": map[string]any{"type": "qcode", "data": qcode}},
		}}}
		if _, err := m.QMP(ctx, "input-send-event", ev); err != nil {
			return err
		}
	}
	return nil
}

// PressKeyAt presses and releases one key, as PressKey does, on the
// virtio keyboard of a QEMU another process started, through its QMP
// socket (ringo-boot's is qmp.sock in its ringo-qemu-* temporary
// directory).
func PressKeyAt(ctx context.Context, qmpSocket, qcode string) error {
	m := &Machine{qmp: qmpSocket}
	defer func() {
		if m.qmpConn != nil {
			m.qmpConn.Close()
		}
	}()
	return m.PressKey(ctx, qcode)
}
