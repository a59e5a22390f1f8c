package contextlens

import (
	"encoding/json"
	"testing"
)

// Cards encode as a plain map of cards would: keys sorted, the encoding
// CardOf made equal to encoding the fields; no cards as {}.
func TestCardsJSON(t *testing.T) {
	a := Rule{ID: "b-rule", Title: "A <title> & \"quotes\"", Summary: "Кризис", Explanation: "e\nline",
		Sources: []Source{{Title: "t", URL: "https://example.org/?a=1&b=2", Publisher: "p"}}}
	b := Rule{ID: "a-rule", Title: "B", Summary: "s", Explanation: "e"}
	cards := Cards{a.ID: CardOf(&a), b.ID: CardOf(&b)}
	got, err := json.Marshal(cards)
	if err != nil {
		t.Fatal(err)
	}
	plain := map[string]plainCard{a.ID: plainCard(CardOf(&a)), b.ID: plainCard(CardOf(&b))}
	want, _ := json.Marshal(plain)
	if string(got) != string(want) {
		t.Errorf("cards\n got %s\nwant %s", got, want)
	}
	var back map[string]Card
	if err := json.Unmarshal(got, &back); err != nil || back["b-rule"].Title != a.Title || len(back["a-rule"].Sources) != 0 || back["a-rule"].Sources == nil {
		t.Errorf("round trip %+v, %v", back, err)
	}
	// A card made without CardOf encodes the same.
	bare := Card{Title: a.Title, Summary: a.Summary, Explanation: a.Explanation, Sources: a.Sources}
	if g, _ := json.Marshal(bare); string(g) != string(CardOf(&a).encoded) {
		t.Errorf("bare card %s, want %s", g, CardOf(&a).encoded)
	}
	for _, empty := range []Cards{nil, {}} {
		if g, _ := json.Marshal(Result{Cards: empty}); string(g) != `{"ruleset":"","lang":"","annotations":null,"cards":{}}` {
			t.Errorf("no cards: %s", g)
		}
	}
}
