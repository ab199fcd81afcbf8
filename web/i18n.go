package web

import (
	"fmt"
	"samizdat/web/internal/serve"
	"time"
)

// messages holds the public interface in every language it is translated
// into. A language without its own table, or a key missing from one, falls
// back to English. Keys are grouped by page: "nav.", "story.", "tell.", …
// TestMessages_Complete checks that every table has every English key.
var messages = map[string]map[string]string{
	"en": {
		"lang.name": "English",

		"nav.skip":      "Skip to content",
		"nav.main":      "Main",
		"nav.stories":   "Stories",
		"nav.about":     "About",
		"nav.team":      "Team",
		"nav.stance":    "Our stance",
		"nav.privacy":   "Privacy",
		"nav.tell":      "Tell your story",
		"nav.feed":      "Atom feed",
		"nav.languages": "Languages",
		"nav.footer":    "About the publication",

		"footer.follow":  "Follow us from your fediverse account:",
		"footer.promise": "This site sets no cookies, loads nothing from other sites and keeps no record of your visit.",

		"site.tagline": "First-hand stories from people who stand against the war and for dialogue across borders.",
		"home.enter":   "Read in English",

		"section.title": "Latest stories",
		"section.empty": "No stories have been published in English yet.",
		"tag.title":     "Stories tagged #%s",
		"byline.title":  "Stories by %s",
		"list.also":     "Also in:",
		"list.newer":    "Newer stories",
		"list.older":    "Older stories",
		"list.pages":    "Pages",
		"list.page":     "Page %d of %d",

		"story.by":             "By",
		"story.updated":        "updated",
		"story.pseudonym":      "pseudonym",
		"story.tags":           "Tags",
		"story.languages":      "This story in other languages",
		"story.reading":        "you are reading this version",
		"story.not_translated": "not yet translated",
		"story.preview":        "Preview: this is how the story will look once published. Readers cannot see it yet.",

		"untranslated.title":     "Not yet translated",
		"untranslated.text":      "This story has not been translated into English yet.",
		"untranslated.page_text": "This page has not been translated into English yet.",
		"untranslated.available": "You can read it in",
		"untranslated.back":      "Back to the latest stories",

		"page.updated": "Last updated %s",
		"page.preview": "Preview: this is how the page will look once published. Readers cannot see it yet.",

		"tell.title":        "Tell your story",
		"tell.intro":        "Have you lived through something others should hear about? Write it down in your own words. You may sign with a pseudonym, or not sign at all. Our editors read every story that reaches them.",
		"tell.privacy":      "We keep only what you type in this form. We do not record your IP address or your browser.",
		"tell.story":        "Your story",
		"tell.story_hint":   "At least a few sentences. Write as you would tell it to a friend.",
		"tell.name":         "Name or pseudonym (optional)",
		"tell.name_hint":    "How you would like to be credited. Leave it empty to stay anonymous.",
		"tell.contact":      "How can we reach you? (optional)",
		"tell.contact_hint": "An email address, a fediverse handle, a messenger… Only our editors will see it.",
		"tell.lang":         "Language of your story",
		"tell.consent":      "I agree that the editors may keep and read what I send, and contact me about it if I left a way to reach me.",
		"tell.honeypot":     "Leave this field empty",
		"tell.submit":       "Send my story",
		"tell.errors":       "Some fields need your attention. Nothing was sent yet.",
		"tell.sent.title":   "Thank you",
		"tell.sent.text":    "Your story has reached our editors. If you left a way to reach you, we may write to you. Thank you for trusting us with it.",
		"tell.sent.back":    "Back to the stories",

		"tell.err.story_too_short":  "Please write at least a few sentences (20 characters or more).",
		"tell.err.story_too_long":   "Your story is longer than 50,000 characters. Please shorten it, or send it in several parts.",
		"tell.err.name_too_long":    "Please keep the name under 100 characters.",
		"tell.err.contact_too_long": "Please keep the contact under 200 characters.",
		"tell.err.consent_required": "Please tick this box so that we may keep and read your story.",
		"tell.err.lang_invalid":     "Please choose a language from the list.",
		"tell.err.rate_limited":     "You have sent several stories in a short time. Please wait an hour, then send this one again: what you typed is still here.",

		"error.title":     "Error %d",
		"error.text":      "Something went wrong with this request.",
		"error.back":      "Go to the latest stories",
		"error.404.title": "Page not found",
		"error.404.text":  "There is nothing at this address. The story may not be published yet, or the link may be mistyped.",
		"error.410.title": "This story has been withdrawn",
		"error.410.text":  "The editors have withdrawn this story. It is no longer available.",
		"error.429.title": "Too many requests",
		"error.429.text":  "Too many attempts in a short time. Please wait a while and try again.",
		"error.500.title": "Something went wrong",
		"error.500.text":  "An error on our side kept this page from showing. Please try again in a moment.",

		"feed.title": "%s (English)",

		"search.label":    "Search",
		"search.button":   "Search",
		"search.title":    "Search",
		"search.query":    "Search the stories and pages in English",
		"search.empty":    "Type a word, a name or a few words to search the stories and pages published in English. Put words in quotes to find them side by side; put a minus before a word to leave it out.",
		"search.too_long": "That is too long to search: at most 1,000 characters. A few words are enough.",
		"search.none":     "Nothing published in English matches “%s”. Try another form of the word, or fewer words.",
		"search.found":    "Results for “%s”: %d",
		"search.page":     "page",
		"search.results":  "Search results",

		"dialogue.title":       "Dialogue",
		"dialogue.intro":       "Readers answer this story from their own corners of the fediverse, in every language it is published in, and all their replies meet here. Moderators keep hostile replies off the page.",
		"dialogue.count":       "Replies: %d",
		"dialogue.empty":       "No replies yet. You can be the first to answer, from your own fediverse account.",
		"dialogue.reactions":   "On the fediverse, in every language:",
		"dialogue.likes":       "Likes: %d",
		"dialogue.boosts":      "Boosts: %d",
		"dialogue.quotes":      "Quotes: %d",
		"dialogue.language":    "Language:",
		"dialogue.replying_to": "in reply to %s",
		"dialogue.orphan":      "in reply to a message not shown here",
		"dialogue.cw":          "Content warning:",
		"dialogue.sensitive":   "Sensitive images",
		"dialogue.original":    "Original on their instance",

		"interact.reply.title":   "Reply from your instance",
		"interact.reply.label":   "Reply from your instance",
		"interact.reply.button":  "Reply",
		"interact.follow.title":  "Follow from your instance",
		"interact.follow.label":  "Follow %s from your instance",
		"interact.follow.button": "Follow",
		"interact.hint":          "Your fediverse address, such as name@example.social, or just your instance, such as example.social. We send you to your own server and keep nothing of what you type.",
		"interact.err.address":   "This does not look like a fediverse address. Type it as name@example.social, or type just your instance, such as example.social.",
		"interact.failed":        "We could not find a page on your instance for this. You can still do it from your app, in three steps.",
		"interact.paste.title":   "From your app",
		"interact.paste.copy":    "Copy this address:",
		"interact.paste.search":  "Paste it into the search box of your fediverse app, or of your instance’s website.",
		"interact.paste.reply":   "Open the story it finds and reply to it there. Your reply comes to us and joins the dialogue under the story.",
		"interact.paste.follow":  "Open the account it finds and follow it. New stories will then arrive in your home timeline.",
		"interact.paste.also":    "This address works too:",
		"interact.again":         "Try another address",
		"interact.back.story":    "Back to the story",
		"interact.back.section":  "Back to the latest stories",
	},
	"ru": {
		"lang.name": "Русский",

		"nav.skip":      "Перейти к содержанию",
		"nav.main":      "Основное меню",
		"nav.stories":   "Истории",
		"nav.about":     "О нас",
		"nav.team":      "Команда",
		"nav.stance":    "Наша позиция",
		"nav.privacy":   "Приватность",
		"nav.tell":      "Расскажите свою историю",
		"nav.feed":      "Лента Atom",
		"nav.languages": "Языки",
		"nav.footer":    "Об издании",

		"footer.follow":  "Подписывайтесь из своего аккаунта в федиверсе:",
		"footer.promise": "Этот сайт не ставит cookie, ничего не загружает с других сайтов и не хранит сведений о вашем посещении.",

		"site.tagline": "Истории из первых рук — от людей, которые против войны и за диалог поверх границ.",
		"home.enter":   "Читать по-русски",

		"section.title": "Новые истории",
		"section.empty": "На русском пока ничего не опубликовано.",
		"tag.title":     "Истории с тегом #%s",
		"byline.title":  "Автор: %s",
		"list.also":     "Есть также на языках:",
		"list.newer":    "Более новые",
		"list.older":    "Более ранние",
		"list.pages":    "Страницы",
		"list.page":     "Страница %d из %d",

		"story.by":             "Автор:",
		"story.updated":        "обновлено",
		"story.pseudonym":      "псевдоним",
		"story.tags":           "Теги",
		"story.languages":      "Эта история на других языках",
		"story.reading":        "вы читаете эту версию",
		"story.not_translated": "перевода пока нет",
		"story.preview":        "Предпросмотр: так история будет выглядеть после публикации. Читатели её пока не видят.",

		"untranslated.title":     "Перевода пока нет",
		"untranslated.text":      "Эта история ещё не переведена на русский.",
		"untranslated.page_text": "Эта страница ещё не переведена на русский.",
		"untranslated.available": "Её можно прочитать на языках",
		"untranslated.back":      "К новым историям",

		"page.updated": "Обновлено %s",
		"page.preview": "Предпросмотр: так страница будет выглядеть после публикации. Читатели её пока не видят.",

		"tell.title":        "Расскажите свою историю",
		"tell.intro":        "Вы пережили то, о чём должны узнать другие? Запишите это своими словами. Можно подписаться псевдонимом или не подписываться вовсе. Редакция читает каждую присланную историю.",
		"tell.privacy":      "Мы храним только то, что вы напишете в этой форме. Мы не записываем ни ваш IP-адрес, ни данные браузера.",
		"tell.story":        "Ваша история",
		"tell.story_hint":   "Хотя бы несколько предложений. Пишите так, как рассказали бы другу.",
		"tell.name":         "Имя или псевдоним (необязательно)",
		"tell.name_hint":    "Как вас подписать. Оставьте поле пустым, чтобы остаться анонимным.",
		"tell.contact":      "Как с вами связаться? (необязательно)",
		"tell.contact_hint": "Адрес почты, аккаунт в федиверсе, мессенджер… Это увидит только редакция.",
		"tell.lang":         "Язык вашей истории",
		"tell.consent":      "Я согласен(на), чтобы редакция хранила и читала то, что я отправляю, и связалась со мной, если я оставил(а) контакт.",
		"tell.honeypot":     "Оставьте это поле пустым",
		"tell.submit":       "Отправить историю",
		"tell.errors":       "Проверьте отмеченные поля. Пока ничего не отправлено.",
		"tell.sent.title":   "Спасибо",
		"tell.sent.text":    "Ваша история дошла до редакции. Если вы оставили контакт, мы можем вам написать. Спасибо, что доверили её нам.",
		"tell.sent.back":    "Вернуться к историям",

		"tell.err.story_too_short":  "Напишите хотя бы несколько предложений (не меньше 20 знаков).",
		"tell.err.story_too_long":   "История длиннее 50 000 знаков. Сократите её или отправьте несколькими частями.",
		"tell.err.name_too_long":    "Имя должно быть короче 100 знаков.",
		"tell.err.contact_too_long": "Контакт должен быть короче 200 знаков.",
		"tell.err.consent_required": "Отметьте это поле, чтобы мы могли сохранить и прочитать вашу историю.",
		"tell.err.lang_invalid":     "Выберите язык из списка.",
		"tell.err.rate_limited":     "Вы отправили несколько историй за короткое время. Подождите час и отправьте эту ещё раз: всё, что вы написали, сохранилось в форме.",

		"error.title":     "Ошибка %d",
		"error.text":      "При обработке запроса что-то пошло не так.",
		"error.back":      "К новым историям",
		"error.404.title": "Страница не найдена",
		"error.404.text":  "По этому адресу ничего нет. Возможно, история ещё не опубликована или в ссылке опечатка.",
		"error.410.title": "История снята с публикации",
		"error.410.text":  "Редакция сняла эту историю с публикации. Она больше недоступна.",
		"error.429.title": "Слишком много запросов",
		"error.429.text":  "Слишком много попыток за короткое время. Подождите немного и попробуйте снова.",
		"error.500.title": "Что-то пошло не так",
		"error.500.text":  "Из-за ошибки на нашей стороне страница не открылась. Попробуйте ещё раз чуть позже.",

		"feed.title": "%s (по-русски)",

		"search.label":    "Поиск",
		"search.button":   "Найти",
		"search.title":    "Поиск",
		"search.query":    "Поиск по историям и страницам на русском",
		"search.empty":    "Введите слово, имя или несколько слов, чтобы найти истории и страницы, опубликованные на русском. Слова в кавычках ищутся рядом; слово с минусом впереди исключается.",
		"search.too_long": "Слишком длинный запрос: не больше 1000 знаков. Хватит нескольких слов.",
		"search.none":     "По запросу «%s» на русском ничего не найдено. Попробуйте другую форму слова или меньше слов.",
		"search.found":    "Найдено по запросу «%s»: %d",
		"search.page":     "страница",
		"search.results":  "Результаты поиска",

		"dialogue.title":       "Диалог",
		"dialogue.intro":       "Читатели отвечают на эту историю из своих уголков федиверса, на каждом языке, на котором она вышла, и все их ответы собираются здесь. Модераторы не пускают на страницу враждебные ответы.",
		"dialogue.count":       "Ответов: %d",
		"dialogue.empty":       "Ответов пока нет. Вы можете ответить первым — из своего аккаунта в федиверсе.",
		"dialogue.reactions":   "В федиверсе, на всех языках:",
		"dialogue.likes":       "Нравится: %d",
		"dialogue.boosts":      "Репосты: %d",
		"dialogue.quotes":      "Цитаты: %d",
		"dialogue.language":    "Язык:",
		"dialogue.replying_to": "в ответ %s",
		"dialogue.orphan":      "в ответ на сообщение, которого здесь нет",
		"dialogue.cw":          "Предупреждение:",
		"dialogue.sensitive":   "Изображения скрыты по просьбе автора",
		"dialogue.original":    "Оригинал на сервере автора",

		"interact.reply.title":   "Ответить со своего сервера",
		"interact.reply.label":   "Ответить со своего сервера",
		"interact.reply.button":  "Ответить",
		"interact.follow.title":  "Подписаться со своего сервера",
		"interact.follow.label":  "Подписаться на %s со своего сервера",
		"interact.follow.button": "Подписаться",
		"interact.hint":          "Ваш адрес в федиверсе, например name@example.social, или только ваш сервер, например example.social. Мы перенаправим вас на ваш сервер и ничего из введённого не сохраним.",
		"interact.err.address":   "Это не похоже на адрес в федиверсе. Введите его в виде name@example.social или укажите только сервер, например example.social.",
		"interact.failed":        "Нам не удалось найти на вашем сервере страницу для этого. Но то же самое можно сделать в вашем приложении — в три шага.",
		"interact.paste.title":   "Через ваше приложение",
		"interact.paste.copy":    "Скопируйте этот адрес:",
		"interact.paste.search":  "Вставьте его в строку поиска вашего приложения для федиверса или сайта вашего сервера.",
		"interact.paste.reply":   "Откройте найденную историю и ответьте на неё там. Ваш ответ придёт к нам и появится в диалоге под историей.",
		"interact.paste.follow":  "Откройте найденный аккаунт и подпишитесь на него. Новые истории будут приходить в вашу домашнюю ленту.",
		"interact.paste.also":    "Подойдёт и этот адрес:",
		"interact.again":         "Попробовать другой адрес",
		"interact.back.story":    "Вернуться к истории",
		"interact.back.section":  "К новым историям",
	},
	"fr": {
		"lang.name": "Français",

		"nav.skip":      "Aller au contenu",
		"nav.main":      "Menu principal",
		"nav.stories":   "Récits",
		"nav.about":     "À propos",
		"nav.team":      "L’équipe",
		"nav.stance":    "Notre position",
		"nav.privacy":   "Confidentialité",
		"nav.tell":      "Racontez votre histoire",
		"nav.feed":      "Flux Atom",
		"nav.languages": "Langues",
		"nav.footer":    "À propos de la publication",

		"footer.follow":  "Suivez-nous depuis votre compte du fédivers :",
		"footer.promise": "Ce site ne dépose aucun cookie, ne charge rien depuis d’autres sites et ne garde aucune trace de votre visite.",

		"site.tagline": "Des récits de première main, par des personnes qui s’opposent à la guerre et croient au dialogue par-delà les frontières.",
		"home.enter":   "Lire en français",

		"section.title": "Derniers récits",
		"section.empty": "Aucun récit n’a encore été publié en français.",
		"tag.title":     "Récits avec l’étiquette #%s",
		"byline.title":  "Récits de %s",
		"list.also":     "Aussi en :",
		"list.newer":    "Récits plus récents",
		"list.older":    "Récits plus anciens",
		"list.pages":    "Pages",
		"list.page":     "Page %d sur %d",

		"story.by":             "Par",
		"story.updated":        "mis à jour le",
		"story.pseudonym":      "pseudonyme",
		"story.tags":           "Étiquettes",
		"story.languages":      "Ce récit dans d’autres langues",
		"story.reading":        "vous lisez cette version",
		"story.not_translated": "pas encore traduit",
		"story.preview":        "Aperçu : voici à quoi ressemblera le récit une fois publié. Les lecteurs ne le voient pas encore.",

		"untranslated.title":     "Pas encore traduit",
		"untranslated.text":      "Ce récit n’a pas encore été traduit en français.",
		"untranslated.page_text": "Cette page n’a pas encore été traduite en français.",
		"untranslated.available": "Vous pouvez le lire en",
		"untranslated.back":      "Retour aux derniers récits",

		"page.updated": "Dernière mise à jour : %s",
		"page.preview": "Aperçu : voici la page telle qu’elle paraîtra une fois publiée. Les lecteurs ne la voient pas encore.",

		"tell.title":        "Racontez votre histoire",
		"tell.intro":        "Vous avez vécu quelque chose que d’autres devraient entendre ? Écrivez-le avec vos propres mots. Vous pouvez signer d’un pseudonyme, ou ne pas signer du tout. La rédaction lit chaque récit qui lui parvient.",
		"tell.privacy":      "Nous ne gardons que ce que vous écrivez dans ce formulaire. Nous n’enregistrons ni votre adresse IP ni votre navigateur.",
		"tell.story":        "Votre histoire",
		"tell.story_hint":   "Quelques phrases au moins. Écrivez comme vous le raconteriez à un ami.",
		"tell.name":         "Nom ou pseudonyme (facultatif)",
		"tell.name_hint":    "Le nom sous lequel vous souhaitez être publié. Laissez vide pour rester anonyme.",
		"tell.contact":      "Comment vous joindre ? (facultatif)",
		"tell.contact_hint": "Une adresse e-mail, un compte du fédivers, une messagerie… Seule la rédaction le verra.",
		"tell.lang":         "Langue de votre histoire",
		"tell.consent":      "J’accepte que la rédaction conserve et lise ce que j’envoie, et me contacte à ce sujet si j’ai laissé un moyen de me joindre.",
		"tell.honeypot":     "Laissez ce champ vide",
		"tell.submit":       "Envoyer mon histoire",
		"tell.errors":       "Certains champs demandent votre attention. Rien n’a encore été envoyé.",
		"tell.sent.title":   "Merci",
		"tell.sent.text":    "Votre histoire est bien parvenue à la rédaction. Si vous avez laissé un moyen de vous joindre, nous pourrons vous écrire. Merci de nous l’avoir confiée.",
		"tell.sent.back":    "Retour aux récits",

		"tell.err.story_too_short":  "Écrivez au moins quelques phrases (20 caractères ou plus).",
		"tell.err.story_too_long":   "Votre histoire dépasse 50 000 caractères. Raccourcissez-la, ou envoyez-la en plusieurs parties.",
		"tell.err.name_too_long":    "Le nom doit faire moins de 100 caractères.",
		"tell.err.contact_too_long": "Le contact doit faire moins de 200 caractères.",
		"tell.err.consent_required": "Cochez cette case pour que nous puissions conserver et lire votre histoire.",
		"tell.err.lang_invalid":     "Choisissez une langue dans la liste.",
		"tell.err.rate_limited":     "Vous avez envoyé plusieurs récits en peu de temps. Attendez une heure, puis renvoyez celui-ci : ce que vous avez écrit est toujours là.",

		"error.title":     "Erreur %d",
		"error.text":      "Un problème est survenu avec cette requête.",
		"error.back":      "Voir les derniers récits",
		"error.404.title": "Page introuvable",
		"error.404.text":  "Il n’y a rien à cette adresse. Le récit n’est peut-être pas encore publié, ou le lien contient une faute de frappe.",
		"error.410.title": "Ce récit a été retiré",
		"error.410.text":  "La rédaction a retiré ce récit. Il n’est plus disponible.",
		"error.429.title": "Trop de requêtes",
		"error.429.text":  "Trop de tentatives en peu de temps. Patientez un peu, puis réessayez.",
		"error.500.title": "Un problème est survenu",
		"error.500.text":  "Une erreur de notre côté a empêché l’affichage de cette page. Réessayez dans un instant.",

		"feed.title": "%s (en français)",

		"search.label":    "Rechercher",
		"search.button":   "Rechercher",
		"search.title":    "Recherche",
		"search.query":    "Rechercher dans les récits et les pages en français",
		"search.empty":    "Tapez un mot, un nom ou quelques mots pour chercher dans les récits et les pages publiés en français. Mettez des mots entre guillemets pour les trouver côte à côte ; un signe moins devant un mot l’exclut.",
		"search.too_long": "C’est trop long pour une recherche : 1 000 caractères au plus. Quelques mots suffisent.",
		"search.none":     "Rien de publié en français ne correspond à « %s ». Essayez une autre forme du mot, ou moins de mots.",
		"search.found":    "Résultats pour « %s » : %d",
		"search.page":     "page",
		"search.results":  "Résultats de la recherche",

		"dialogue.title":       "Dialogue",
		"dialogue.intro":       "Les lecteurs répondent à cette histoire depuis leur coin du fédivers, dans chacune des langues où elle est parue, et toutes leurs réponses se retrouvent ici. Les modérateurs écartent les réponses hostiles.",
		"dialogue.count":       "Réponses : %d",
		"dialogue.empty":       "Pas encore de réponse. Vous pouvez être le premier à répondre, depuis votre compte sur le fédivers.",
		"dialogue.reactions":   "Sur le fédivers, toutes langues confondues :",
		"dialogue.likes":       "Favoris : %d",
		"dialogue.boosts":      "Partages : %d",
		"dialogue.quotes":      "Citations : %d",
		"dialogue.language":    "Langue :",
		"dialogue.replying_to": "en réponse à %s",
		"dialogue.orphan":      "en réponse à un message qui n’apparaît pas ici",
		"dialogue.cw":          "Avertissement :",
		"dialogue.sensitive":   "Images masquées par leur auteur",
		"dialogue.original":    "L’original sur son instance",

		"interact.reply.title":   "Répondre depuis votre instance",
		"interact.reply.label":   "Répondre depuis votre instance",
		"interact.reply.button":  "Répondre",
		"interact.follow.title":  "Suivre depuis votre instance",
		"interact.follow.label":  "Suivre %s depuis votre instance",
		"interact.follow.button": "Suivre",
		"interact.hint":          "Votre adresse sur le fédivers, par exemple nom@example.social, ou seulement votre instance, par exemple example.social. Nous vous envoyons vers votre propre serveur et ne gardons rien de ce que vous tapez.",
		"interact.err.address":   "Cela ne ressemble pas à une adresse du fédivers. Tapez-la sous la forme nom@example.social, ou seulement votre instance, par exemple example.social.",
		"interact.failed":        "Nous n’avons pas trouvé de page prévue pour cela sur votre instance. Vous pouvez quand même le faire depuis votre application, en trois étapes.",
		"interact.paste.title":   "Depuis votre application",
		"interact.paste.copy":    "Copiez cette adresse :",
		"interact.paste.search":  "Collez-la dans le champ de recherche de votre application pour le fédivers, ou du site de votre instance.",
		"interact.paste.reply":   "Ouvrez l’histoire trouvée et répondez-y depuis là. Votre réponse nous parviendra et rejoindra le dialogue sous l’histoire.",
		"interact.paste.follow":  "Ouvrez le compte trouvé et abonnez-vous. Les nouvelles histoires arriveront alors dans votre fil d’accueil.",
		"interact.paste.also":    "Cette adresse fonctionne aussi :",
		"interact.again":         "Essayer une autre adresse",
		"interact.back.story":    "Retour à l’histoire",
		"interact.back.section":  "Retour aux dernières histoires",
	},
}

// T translates key into lang, formatting args into it as fmt.Sprintf does.
func T(lang, key string, args ...any) string {
	msg, ok := messages[lang][key]
	if !ok {
		msg, ok = readerMessages[lang][key]
	}
	if !ok {
		msg, ok = messages["en"][key]
	}
	if !ok {
		msg, ok = readerMessages["en"][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// langName is a language's name in itself, for language switchers.
func langName(lang string) string {
	if n, ok := messages[lang]["lang.name"]; ok {
		return n
	}
	return serve.LangName(lang)
}

var monthNames = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"ru": {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

// formatDate writes a date the way readers of lang expect: "3 March 2026",
// "3 марта 2026 г.", "3 mars 2026".
func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	months, ok := monthNames[lang]
	if !ok {
		months = monthNames["en"]
	}
	t = t.UTC()
	if lang == "ru" {
		return fmt.Sprintf("%d %s %d г.", t.Day(), months[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}
