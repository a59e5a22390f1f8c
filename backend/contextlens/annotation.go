package contextlens

import (
	"encoding/json"
	"slices"
)

// Attribution says whose voice a framing is in.
type Attribution string

const (
	// AttributionDirect: the text itself uses the framing.
	AttributionDirect Attribution = "direct"
	// AttributionReported: the framing sits in quotation marks or reported
	// speech, so the outlet may be reporting it rather than endorsing it.
	AttributionReported Attribution = "reported"
)

// Annotation is one hit of a rule in a text. The card it shows (title,
// summary, explanation, sources) is in the Result's Cards under Rule, once
// per response however many times the rule hits.
type Annotation struct {
	ID          string      `json:"id"`
	Rule        string      `json:"rule"`
	Narrative   string      `json:"narrative"`
	Category    string      `json:"category"`
	Severity    Severity    `json:"severity"`
	Attribution Attribution `json:"attribution"`
	Quote       Quote       `json:"quote"`
	Position    Position    `json:"position"`
	// Shadow marks a hit of a shadow rule: counted, never shown to readers.
	Shadow bool `json:"-"`
}

// Card is what a reader sees about a rule: the same for every hit of it.
type Card struct {
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Explanation string   `json:"explanation"`
	Sources     []Source `json:"sources"`
	// encoded is the card's JSON, made once by CardOf: a response holds a
	// card per rule it shows, and encoding the cards again for every
	// response was most of the cost of encoding it.
	encoded []byte
}

// plainCard is Card without its methods, to encode it.
type plainCard Card

// CardOf returns the rule's card, with its JSON encoding made.
func CardOf(r *Rule) Card {
	c := Card{Title: r.Title, Summary: r.Summary, Explanation: r.Explanation, Sources: r.Sources}
	if c.Sources == nil {
		c.Sources = []Source{}
	}
	c.encoded, _ = json.Marshal(plainCard(c)) // strings and a slice of structs: cannot fail
	return c
}

// MarshalJSON returns the encoding made by CardOf, or encodes the card.
func (c Card) MarshalJSON() ([]byte, error) {
	if c.encoded != nil {
		return c.encoded, nil
	}
	return json.Marshal(plainCard(c))
}

// Quote is a W3C TextQuoteSelector: the exact text and its surroundings.
type Quote struct {
	Exact  string `json:"exact"`
	Prefix string `json:"prefix"`
	Suffix string `json:"suffix"`
}

// Position is a W3C TextPositionSelector in UTF-16 code units of the
// submitted text (JavaScript string indices), end exclusive.
type Position struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Result is what annotating one text returns.
type Result struct {
	Ruleset     string       `json:"ruleset"`
	Lang        string       `json:"lang"`
	Annotations []Annotation `json:"annotations"`
	// Cards holds the card of every rule in Annotations, keyed by rule id.
	Cards Cards `json:"cards"`
}

// Cards are the cards of a result by rule id. A result without
// annotations has none (nil, so annotating allocates nothing for it), and
// it still encodes as {}: clients always find an object.
type Cards map[string]Card

// MarshalJSON encodes the cards with their keys sorted, nil as {}.
func (c Cards) MarshalJSON() ([]byte, error) {
	if len(c) == 0 {
		return []byte("{}"), nil
	}
	ids := make([]string, 0, len(c))
	size := 2
	for id, card := range c {
		ids = append(ids, id)
		size += len(id) + 4 + len(card.encoded)
	}
	slices.Sort(ids)
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, id := range ids {
		if i > 0 {
			out = append(out, ',')
		}
		key, err := json.Marshal(id)
		if err != nil {
			return nil, err
		}
		card, err := c[id].MarshalJSON()
		if err != nil {
			return nil, err
		}
		out = append(append(append(out, key...), ':'), card...)
	}
	return append(out, '}'), nil
}
