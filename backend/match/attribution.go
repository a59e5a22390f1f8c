package match

import "github.com/contextlens/contextlens/backend/contextlens"

// reportingCues mark reported speech: a sentence that contains one of them
// presents a framing as someone's words ("Moscow says...", "заявил...",
// "за словами..."), so the card must not imply the outlet endorses it.
// Stems cover the inflections of ru and uk verbs.
var reportingCues = mustTerms([]string{
	// en
	"said", "says", "say", "saying", "told", "tells", "claim", "claims", "claimed", "claiming",
	"allege*", "according to", "argue*", "insist*", "stated", "declared", "assert*",
	"wrote", "writes", "announced", "accused", "called", "calls", "described", "repeat*",
	"echo*", "falsely", "so called", "propaganda", "quoted", "quoting", "narrative", "posts",
	// en: debunks restate a claim to refute it
	"fact check*", "debunk*", "disinfo*", "misinformation", "myth", "myths", "false", "fake",
	"misleading", "rumour*", "rumor*", "not true", "no evidence", "did not", "does not",
	"recalled", "mentioned", "referred to", "spoke of", "spoke about",
	// ru
	"заявил*", "заявля*", "сказал*", "говорит*", "говорят", "утвержда*", "назвал*", "называ*",
	"сообщил*", "сообща*", "по словам", "по мнению", "по версии", "считает", "считают", "пишут",
	"пишет", "уверя*", "якобы", "так называем*", "пропаганд*", "настаива*", "объявил*",
	"повторя*", "цитиру*", "фейк*",
	// ru: debunks
	"утверждени*", "распространя*", "неправда", "ложь", "ложн*", "миф", "мифы", "дезинформац*",
	"проверка фактов", "не соответствует действительности", "напомнил*", "упомянул*",
	// uk
	"заяв*", "сказав", "сказала", "сказали", "каже", "кажуть", "стверджу*", "назвав*", "назвал*",
	"назива*", "повідомил*", "повідомля*", "за словами", "на думку", "за версією", "вважа*",
	"пишуть", "пише", "нібито", "так зван*", "наполяга*", "повторю*", "цитую*",
	// uk: debunks
	"твердженн*", "поширю*", "неправда", "брехн*", "міф", "міфи", "дезінформац*", "фейк*",
	"перевірка фактів", "не відповідає дійсності", "нагадав*", "згадав*",
})

func mustTerms(src []string) *termList {
	l, err := parseTerms(src)
	if err != nil {
		panic(err)
	}
	return l
}

// cueMemo remembers whether the last sentence looked at has a reporting
// cue: hits come in text order, so the hits of one sentence are adjacent
// and share its cues.
type cueMemo struct {
	sentence int // token index of the sentence's start; -1: none yet
	has      bool
}

// attribution says whether a hit is the text's own voice or reported:
// inside quotation marks, or in a sentence with a reporting cue.
func attribution(w window, h hit, memo *cueMemo) contextlens.Attribution {
	for t := h.t0; t < h.t1; t++ {
		if w.toks[t].quoted {
			return contextlens.AttributionReported
		}
	}
	lo, hi := sentence(w.toks, int(h.t0), int(h.t1))
	if lo != memo.sentence {
		memo.sentence, memo.has = lo, reportingCues.foundIn(w, lo, hi)
	}
	if memo.has {
		return contextlens.AttributionReported
	}
	return contextlens.AttributionDirect
}
