package valuespace_test

import (
	"fmt"

	"github.com/ringo-phone/ringo/telephony/valuespace"
)

func Example() {
	tree := valuespace.New()
	const agent valuespace.Owner = 7
	tree.Subscribe("/Communications/QNetworkRegistration", func(b valuespace.Batch) {
		for _, c := range b.Changes {
			fmt.Println(c)
		}
	})
	tree.Set(agent, "/Communications/QNetworkRegistration/asterisk/registrationState", valuespace.String("Home"))
	tree.RemoveOwner(agent) // the agent's connection closed
	// Output:
	// /Communications/QNetworkRegistration/asterisk/registrationState = "Home"
	// /Communications/QNetworkRegistration/asterisk/registrationState removed
}
