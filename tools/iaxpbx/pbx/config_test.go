package pbx

import (
	"errors"
	"fmt"
	"testing"
)

const sample = `; the demo accounts
[pbx]
listen = 127.0.0.1:14569
recordings = rec

[user handset1]
secret = s3cret
number = 201
name = Handset One

[user iaxmodem]
secret = fax
calltoken = no
`

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s %+v", cfg.Listen, cfg.RecordDir, cfg.Users)
	want := "127.0.0.1:14569 rec [{Name:handset1 Secret:s3cret Number:201 CallerName:Handset One NoCallToken:false Encryption:no} {Name:iaxmodem Secret:fax Number: CallerName: NoCallToken:true Encryption:no}]"
	if got != want {
		t.Errorf("ParseConfig() = %s\nwant %s", got, want)
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, in := range []string{
		"[user a]\n",                        // no secret
		"[user a]\nsecret=x\ncolour=blue\n", // unknown key
		"[users]\n",                         // unknown section
		"stray = 1\n",                       // key outside a section
		"[user a]\nsecret=x\n[user a]\nsecret=y\n",
		"[user a]\nsecret=x\ncalltoken=maybe\n",
		"[user 600]\nsecret=x\n",
		"[user a]\nsecret=x\nnumber=601\n",
		"[user a]\nsecret=x\n[user b]\nsecret=y\nnumber=a\n",
		"[user a b]\nsecret=x\n",
		"[pbx]\nport=1\n",
		"[user a\n",
	} {
		if _, err := ParseConfig([]byte(in)); !errors.Is(err, ErrConfig) {
			t.Errorf("ParseConfig(%q) = %v, want ErrConfig", in, err)
		}
	}
}

func TestParseUserFlag(t *testing.T) {
	u, err := ParseUserFlag("handset2:ot:her:202")
	if err != nil || u.Name != "handset2" || u.Secret != "ot" || u.Number != "her:202" {
		t.Errorf("ParseUserFlag = %+v, %v", u, err)
	}
	for _, in := range []string{"nosecret", "a:", ":x", "600:x"} {
		if _, err := ParseUserFlag(in); !errors.Is(err, ErrConfig) {
			t.Errorf("ParseUserFlag(%q) = %v, want ErrConfig", in, err)
		}
	}
}

// The parser never panics, and what it accepts is consistent: names are
// unique, every user has a secret, and no number shadows anything.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("[user a]\nsecret=x\n"))
	f.Add([]byte("[pbx]\nlisten=:0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := ParseConfig(b)
		if err != nil {
			return
		}
		if err := checkUsers(cfg.Users); err != nil {
			t.Fatalf("accepted users that checkUsers refuses: %v", err)
		}
		for _, u := range cfg.Users {
			if u.Secret == "" {
				t.Fatalf("user %s accepted without a secret", u.Name)
			}
		}
	})
}

// The example in docs/iax.md, inline comments included.
const docExample = `; iaxpbx.conf
[pbx]
listen = 127.0.0.1:4569      ; UDP address, default :4569
recordings = /var/tmp/iaxpbx ; where extension 602 writes, default .

[user handset1]
secret = s3cret
number = 201                 ; dialling 201 also rings handset1
name = Handset One           ; caller name given to the called party
                             ; name and number are returned in REGACK too

[user fax]
secret = pw
calltoken = no               ; libiax2 clients (iaxmodem, iaxclient) predate
                             ; calltokens; default yes, as in Asterisk

[user handset3]
secret = crypt0
encryption = required        ; aes128: encrypt the calls that offer it;
                             ; required: refuse the others; default no
`

func TestParseConfigDocExample(t *testing.T) {
	cfg, err := ParseConfig([]byte(docExample))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s %s %+v", cfg.Listen, cfg.RecordDir, cfg.Users)
	want := "127.0.0.1:4569 /var/tmp/iaxpbx [{Name:handset1 Secret:s3cret Number:201 CallerName:Handset One NoCallToken:false Encryption:no} {Name:fax Secret:pw Number: CallerName: NoCallToken:true Encryption:no} {Name:handset3 Secret:crypt0 Number: CallerName: NoCallToken:false Encryption:required}]"
	if got != want {
		t.Errorf("ParseConfig(doc example) = %s\nwant %s", got, want)
	}
}

// A ';' or '#' starts a comment only after a blank, so secrets keep
// theirs; quotes keep anything.
func TestParseConfigSecretsKeepCommentCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"[user a]\nsecret = s3;cr#et\n":       "s3;cr#et",
		"[user a]\nsecret = s3 ; a comment\n": "s3",
		"[user a]\nsecret = \"s3 ;c #ret\"\n": "s3 ;c #ret",
	} {
		cfg, err := ParseConfig([]byte(in))
		if err != nil || len(cfg.Users) != 1 || cfg.Users[0].Secret != want {
			t.Errorf("ParseConfig(%q) = %+v, %v; want secret %q", in, cfg.Users, err, want)
		}
	}
}
