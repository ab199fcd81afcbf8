package demo

import (
	"context"
	"fmt"

	"samizdat/content"
	"samizdat/content/store"
)

// team is the demo's team list, shown on its team page: people with their
// role in each language, two of them anonymous (their names are not even
// here). All of them are fictional.
var team = []content.TeamMember{
	{Name: "Anya Belova", Roles: map[string]string{"en": "editor-in-chief, in Vilnius", "fr": "rédactrice en chef, à Vilnius", "ru": "главный редактор, Вильнюс"}},
	{Name: "Jules Moreau", Roles: map[string]string{"en": "French editor and translator, in Marseille", "fr": "édition française et traduction, à Marseille", "ru": "редактор французской версии и переводчик, Марсель"}},
	{Name: "Sasha Kim", Roles: map[string]string{"en": "Russian editor, in Almaty", "fr": "édition russe, à Almaty", "ru": "редактор русской версии, Алматы"}},
	{Name: "Tom Hargreaves", Roles: map[string]string{"en": "English editor, in Manchester", "fr": "édition anglaise, à Manchester", "ru": "редактор английской версии, Манчестер"}},
	{Name: "Lis", Roles: map[string]string{"en": "moderator (a pseudonym), in Warsaw", "fr": "modération (sous pseudonyme), à Varsovie", "ru": "модератор (псевдоним), Варшава"}},
	{Name: "Nino Abashidze", Roles: map[string]string{"en": "moderator and Georgian–Russian translator, in Kutaisi", "fr": "modération et traduction du géorgien vers le russe, à Koutaïssi", "ru": "модератор и переводчица с грузинского на русский, Кутаиси"}},
	{Anonymous: true, Roles: map[string]string{"en": "translator from Ukrainian", "fr": "traduction depuis l’ukrainien", "ru": "переводчица с украинского"}},
	{Anonymous: true, Roles: map[string]string{"en": "fact-checker, in Russia", "fr": "vérification des faits, en Russie", "ru": "проверка фактов, Россия"}},
}

// loadTeam fills an empty team list, with the roles in langs.
func loadTeam(ctx context.Context, st *store.Store, langs []string) (int, error) {
	have, err := st.TeamMembers(ctx)
	if err != nil || len(have) > 0 {
		return 0, err
	}
	n := 0
	for _, m := range team {
		m.Roles = filterLangs(m.Roles, langs)
		if len(m.Roles) == 0 {
			continue
		}
		if err := st.SaveTeamMember(ctx, &m); err != nil {
			return n, fmt.Errorf("demo: team: %w", err)
		}
		n++
	}
	return n, nil
}

func filterLangs(in map[string]string, langs []string) map[string]string {
	out := map[string]string{}
	for l, v := range in {
		if wanted(langs, l) {
			out[l] = v
		}
	}
	return out
}
