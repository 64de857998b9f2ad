package iax

import "fmt"

// The option and account types carry secrets; their String methods (used
// by %v and %+v) leave the secret out so that they can be logged.

func (o RegisterOptions) String() string {
	return fmt.Sprintf("{Server:%v Username:%s Secret:%s Refresh:%v AllowPlaintext:%v}",
		o.Server, o.Username, hidden(o.Secret), o.Refresh, o.AllowPlaintext)
}

func (o DialOptions) String() string {
	return fmt.Sprintf("{Peer:%v Called:%s Context:%s Calling:%q <%s> Username:%s Secret:%s Formats:%v}",
		o.Peer, o.Called, o.Context, o.CallingName, o.CallingNumber, o.Username, hidden(o.Secret), o.Formats)
}

func (u User) String() string {
	return fmt.Sprintf("{Name:%s Secret:%s NoCallToken:%v Caller:%q <%s>}",
		u.Name, hidden(u.Secret), u.NoCallToken, u.CallerName, u.CallerNumber)
}

func hidden(s string) string {
	if s == "" {
		return `""`
	}
	return "<hidden>"
}
