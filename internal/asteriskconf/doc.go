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
//
//	[CallerId]
//	Name = Handset One
//	Number = 201
//
// The file holds the account's secret, so it is written atomically with mode
// 0600 and a file that others may read is refused. Nothing here logs or
// prints the password: Settings.String leaves it out.
package asteriskconf
