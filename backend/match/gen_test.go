package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// Word lists for generated prose and rules (benchmarks and load tests).
var (
	enWords = strings.Fields(`the a of and to in on for with by from that this is was were has have had
		government minister said officials reported war crisis Ukraine Russia Kyiv Moscow troops front line
		energy prices market analysts according statement talks peace negotiations election president
		week year people city region attack drone missile strike border army forces military operation
		economy sanctions exports grain sea port report court law vote parliament NATO Europe Washington
		security council resolution humanitarian aid refugees winter power grid water hospital school`)
	ruWords = strings.Fields(`и в не на что с по как это из за от к для о так но уже было были сказал
		правительство министр заявил война кризис Украина Россия Киев Москва войска фронт энергетика цены
		рынок аналитики заявление переговоры мир выборы президент неделя год люди город регион атака дрон
		ракета удар граница армия силы операция экономика санкции экспорт зерно порт суд закон голосование`)
	ukWords = strings.Fields(`і в не на що з по як це із за від до для про так але вже було були сказав
		уряд міністр заявив війна криза Україна Росія Київ Москва війська фронт енергетика ціни ринок
		аналітики заява переговори мир вибори президент тиждень рік люди місто регіон атака дрон ракета
		удар кордон армія сили операція економіка санкції експорт зерно порт суд закон голосування`)
	punct = []string{", ", ". ", " — ", ": ", "; ", " «", "» ", " “", "” ", "\n\n"}
)

// genProse returns about n bytes of mixed en/ru/uk prose, in paragraphs of
// one language each, with punctuation and quotes.
func genProse(r *rand.Rand, n int) string {
	var b strings.Builder
	lists := [][]string{enWords, ruWords, ukWords}
	for b.Len() < n {
		words := lists[r.IntN(3)]
		for s := 0; s < 5 && b.Len() < n; s++ {
			k := 6 + r.IntN(14)
			for i := 0; i < k; i++ {
				w := words[r.IntN(len(words))]
				if i == 0 {
					r, size := utf8.DecodeRuneInString(w)
					w = string(unicode.ToUpper(r)) + w[size:]
				}
				b.WriteString(w)
				if i < k-1 {
					if r.IntN(8) == 0 {
						b.WriteString(punct[r.IntN(len(punct)-1)])
					} else {
						b.WriteByte(' ')
					}
				}
			}
			b.WriteString(". ")
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// genRules returns n live rules of 3 phrases each. Phrases start with a
// generated word (some as stems) or, for one in ten, a word of the prose,
// so the benchmark pays for verification as a real rule set would.
func genRules(r *rand.Rand, n int) []contextlens.Rule {
	syll := []string{"ka", "lo", "mi", "ra", "te", "so", "vu", "ne", "ди", "ло", "ка", "ре", "мі", "ту", "на", "во"}
	word := func() string {
		var b strings.Builder
		for k := 2 + r.IntN(3); k > 0; k-- {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		return b.String()
	}
	all := [][]string{enWords, ruWords, ukWords}
	rules := make([]contextlens.Rule, n)
	for i := range rules {
		var phrases []string
		for p := 0; p < 3; p++ {
			first := word()
			if r.IntN(10) == 0 {
				l := all[r.IntN(3)]
				first = l[r.IntN(len(l))]
			}
			second := word()
			if r.IntN(3) == 0 {
				second += "*"
			}
			phrases = append(phrases, first+" "+second)
		}
		if r.IntN(5) == 0 {
			phrases = append(phrases, word()+"*")
		}
		rules[i] = rule(fmt.Sprintf("gen-%d", i), fmt.Sprintf("n%d", i%50), phrases...)
		if r.IntN(10) == 0 {
			rules[i].Match.Unless = &contextlens.Window{Terms: []string{word()}, Window: 3}
		}
	}
	return rules
}
