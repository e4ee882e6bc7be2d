package importer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/callstackhq/callstack/importer"
)

// TestImportAddressStates: codes and full names in any case are stored as
// codes; anything else is rejected with unknown_state, never imported with
// its state's law silently off.
func TestImportAddressStates(t *testing.T) {
	e := newEnv(t, 10)
	data := "phone,state\n" +
		"4155552671,florida\n" +
		"4155552672,FL\n" +
		"4155552673,New York\n" +
		"4155552674,Floride\n" +
		"4155552675,\n" +
		"4155552676,ontario\n" +
		"4155552677,XX\n"
	res := e.run(data, importer.Options{})
	assert.Equal(t, 5, res.Counts.Accepted)
	assert.Equal(t, map[string]int{importer.ReasonUnknownState: 2}, res.Counts.Reasons)
	got := map[string]string{}
	for _, c := range e.contacts(e.cmp.ID) {
		got[c.Phone] = c.State
	}
	assert.Equal(t, map[string]string{"+14155552671": "FL", "+14155552672": "FL", "+14155552673": "NY", "+14155552675": "", "+14155552676": "ON"}, got)
}
