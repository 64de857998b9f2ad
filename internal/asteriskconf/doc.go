// Package asteriskconf reads, checks and writes <config>/Asterisk.conf, the
// Asterisk account of the IAX2 agent: iaxsettings writes it, iaxagent reads
// it, and phoned's Asterisk call policy manager reads EmergencyCapable.
//
//	[Registration]
//	Server = pbx.example.org
//	Port = 4569
//	UserId = handset1
//	Password = s3cret
//	AutoRegister = true
//	Refresh = 60
//	EmergencyCapable = false
//	Encryption = aes128      ; or required, or no (the default)
//
//	[CallerId]
//	Name = Handset One
//	Number = 201
//
// Encryption is AES-128 for the calls the handset places (IAX2 as
// Asterisk's chan_iax2 encrypts them): aes128 offers it and goes ahead in
// the clear when the server does not agree, required refuses such a call,
// no offers nothing. A file without the key means no, as it always did.
//
// The file holds the account's secret, so it is written atomically with mode
// 0600 and a file that others may read is refused. Nothing here logs or
// prints the password: Settings.String leaves it out.
package asteriskconf
