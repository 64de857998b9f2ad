// Package iax speaks IAX2 (RFC 5456) with the additions a stock Asterisk
// needs: calltokens (command 0x28, IE 54), 64-bit formats (IEs 55/56),
// CALLINGANI2 (IE 57) and chan_iax2's AES-128 encryption of calls. It is pure Go and imports nothing from the rest of
// Ringo except the shared wall clock; firmware/iaxagent joins it to the phone
// library, and tools/iaxcli and tools/iaxpbx are thin commands on top.
//
// # Layers
//
// Wire: FullFrame, MiniFrame and MetaFrame are value types with Marshal,
// MarshalTo, MarshalSize and Unmarshal; IEs is the ordered list of
// information elements of an IAX frame, kept as raw bytes so that every
// element, known or not, is sent back exactly as received, with typed
// readers (String, Uint, Formats, ApparentAddr, DateTime) and writers
// (AddString, AddUint16, ...). Unmarshal keeps references into its input.
//
// Transport: an Endpoint owns one UDP socket and one goroutine (the loop)
// that holds all protocol state. It allocates call numbers at random,
// keeps oseq/iseq, acknowledges, retransmits full frames with a timeout
// from the measured RTT that doubles at each try up to a bound, and after
// Retransmit.Tries sends fails the call or registration with a
// *NoAnswerError (ErrTimeout: "no answer from HOST:PORT after N tries over
// T"). A client endpoint on Linux also reads the ICMP errors its
// datagrams draw (IP_RECVERR) and fails what it sent to a port where
// nothing listens at once, with an *UnreachableError (ErrUnreachable).
// It suppresses duplicates, asks for missing frames with VNAK, answers
// PING and LAGRQ, answers POKE and PING to call 0 statelessly (also
// before a REGACK: no call number is held for them), sends INVAL for
// calls it does not know, and sends a full voice frame whenever a mini
// frame's 16-bit timestamp would wrap or its timestamps were
// resynchronised after a pause. Every timer runs on Config.Clock, an interface any caller can
// implement, so tests run in fake time.
//
// Strangers (guard.go): a client endpoint takes calls only from the
// server it registers to and from peers Config.AcceptCalls names, and
// drops anything else without an answer; one source address may have
// only Config.MaxSetupPerSource transactions being set up; frames that
// end a call are acted on only from the peer and in sequence (an INVAL
// only when it answers a frame of ours), other INVALs make the call PING
// the peer. Endpoint.Stats counts what was refused; the log lines that
// strangers can cause come at most every 10 s per kind.
//
// Registration (client): Endpoint.Register / StartRegistration run
// REGREQ with the calltoken round and MD5 challenge, refresh at 80% of the
// granted REFRESH, retry unanswered attempts with backoff, and report
// REGREJ as a *DeniedError. Registration.Release sends REGREL with its own
// calltoken round. Registration.Check POKEs the server between refreshes
// and registers again at once when it answers after a silence;
// Config.PingTimeout ends a call whose PING goes unanswered. Plaintext passwords are sent only when the server
// offers nothing else and RegisterOptions.AllowPlaintext is set.
//
// Calls: Endpoint.Dial places a call (NEW with VERSION first, CALLTOKEN,
// numbers and names, USERNAME, FORMAT/CAPABILITY and their 64-bit forms,
// codec preferences; AUTHREQ answered with MD5). Endpoint.Accept returns
// incoming calls, already sent ACCEPT and RINGING; Call.Answer answers.
// Calls support hangup with a cause, REJECT, hold (HOLD + QUELCH), DTMF,
// blind transfer (TRANSFER), text and 20 ms voice whose payload is opaque
// here. State changes and indications arrive on Call.Events, voice on
// Call.Voice; Done and Err tell how a call ended; Stats gives counters,
// loss (gaps in the received timestamps that are not pauses), jitter and
// RTT.
//
// Voice hot path (io.go, voice.go): the reader reads datagrams in
// batches (recvmmsg on Linux) into buffers it reuses and hands the loop
// a whole batch at once. Call.TakeVoice takes the frames a call received
// without blocking, into the caller's buffers (Call.VoiceReady says when
// some arrived), and Call.SendVoice sends a mini frame without the loop:
// written at once in the client role, queued for a writer that sends
// many with one sendmmsg in the server role (or with
// Config.BatchedWrites). Neither allocates per frame, so one periodic
// tick can serve a call's voice both ways.
//
// Server role: with Config.Server set the endpoint is an embedded peer. It
// issues and checks calltokens (switchable per User), challenges REGREQ
// and NEW with MD5 (a user name it does not know just the same, refused
// only after the answer), answers REGACK with REFRESH and APPARENT_ADDR, and
// keeps a registry (Lookup, Registrations, OnRegister). Serve runs a
// handler per incoming call (an echo, tone or DTMF extension); routing a
// call to a registered user is Lookup + Dial + Bridge. Asterisk's offer
// to move media between bridged peers (TXREQ) is declined with TXREJ.
//
// Encryption (crypt*.go): DialOptions.Encryption offers AES-128 in the
// NEW (ENCRYPTION 0x8001: aes128 and key rotation) or insists on it;
// User.Encryption makes the server role ask for it in the AUTHREQ or
// refuse a call that does not offer it. The key is the MD5 digest of the
// challenge and the secret; from the AUTHREQ on, every full frame keeps
// its call numbers in the clear and every mini frame its source call,
// and the rest is AES-128-CBC with a zero IV after 16 to 31 octets of
// random padding (FrameCipher). Each side rotates its key with RTKEY at
// its first voice frame and every 2 to 5 minutes when both offered
// rotation. A call that requires encryption and does not get it fails
// with ErrEncryptionRequired. CallInfo.Encrypted tells an encrypted
// call; Config.Trace sees every datagram in the clear; CaptureDecrypter
// reads encrypted calls in captures (iax/ladder draws them).
//
// ResolvePeer turns a command-line "host[:port]" into an address;
// Endpoint.Poke checks a peer answers and measures the round trip.
//
// Logs go to Config.Logger with the attribute category=voip; secrets and
// MD5 answers are never logged.
package iax
