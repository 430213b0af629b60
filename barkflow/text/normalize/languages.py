"""What the rules need to know of each of Bark's languages: its number marks, words for money,
units, months, fractions and ranges, its abbreviations and how it says ordinals and regnal
numbers. The rules themselves are in rules.py."""

from __future__ import annotations

from dataclasses import dataclass, field

BARK_LANGUAGES = ("en", "de", "es", "fr", "hi", "it", "ja", "ko", "pl", "pt", "ru", "tr", "zh")


@dataclass(frozen=True)
class Language:
    code: str
    thousands: str  # regex for the thousands separator
    decimal: str  # the decimal mark
    percent: str
    to: str  # "10-20" → "10 {to} 20"
    chapter_words: str  # regex of the words a Roman numeral after is a number ("Chapter IV")
    months: tuple[str, ...] = ()  # January... as the language writes them in a date
    abbreviations: dict[str, str] = field(default_factory=dict)  # regex → expansion, tried in this order
    sentence_final: frozenset[str] = frozenset()  # the abbreviations whose period may also end a sentence
    # currency key → (one, many, cent one, cent many); the cents are said "{whole} {and} {cents}"
    money: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)
    money_and: str = " "
    units: dict[str, tuple[str, str]] = field(default_factory=dict)  # unit as written → (one, many)
    scales: dict[str, str] = field(default_factory=dict)  # "m", "Mio." → "million", "Millionen"
    fractions: dict[int, tuple[str, str]] = field(default_factory=dict)  # denominator → (one, many)
    half_and: str = ""  # "2 1/2" → "two{half_and}" (and a half)
    time: tuple[str, str] = ("{h} {m}", "{h}")  # with minutes, on the hour
    regnal: str = "ordinal"  # how "Henry VIII" is said: ordinal / cardinal / none
    phone_pairs: bool = False  # French reads a phone number two digits at a time


_EN_UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"), "mph": ("mile per hour", "miles per hour"),
    "m/s": ("meter per second", "meters per second"), "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"), "mm": ("millimeter", "millimeters"), "m": ("meter", "meters"),
    "kg": ("kilogram", "kilograms"), "mg": ("milligram", "milligrams"), "g": ("gram", "grams"),
    "ml": ("milliliter", "milliliters"), "l": ("liter", "liters"), "L": ("liter", "liters"),
    "ft": ("foot", "feet"), "mi": ("mile", "miles"), "lbs": ("pound", "pounds"), "lb": ("pound", "pounds"),
    "oz": ("ounce", "ounces"), "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "°": ("degree", "degrees"),
    "kWh": ("kilowatt hour", "kilowatt hours"), "kW": ("kilowatt", "kilowatts"), "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"), "h": ("hour", "hours"), "min": ("minute", "minutes"),
}
_EN_MONEY = {
    "USD": ("dollar", "dollars", "cent", "cents"), "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"), "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"), "JPY": ("yen", "yen", "", ""), "CENT": ("cent", "cents", "", ""),
    "CHF": ("Swiss franc", "Swiss francs", "centime", "centimes"), "INR": ("rupee", "rupees", "paisa", "paise"),
    "RUB": ("ruble", "rubles", "kopek", "kopeks"), "TRY": ("lira", "lira", "kuruş", "kuruş"),
    "PLN": ("zloty", "zlotys", "grosz", "groszy"), "BRL": ("real", "reais", "centavo", "centavos"),
    "CNY": ("yuan", "yuan", "", ""), "KRW": ("won", "won", "", ""),
}
_EN_ABBREVIATIONS = {
    r"Mr\.": "Mister", r"Mrs\.": "Missus", r"Ms\.": "Miz", r"Dr\.": "Doctor", r"Prof\.": "Professor",
    r"Capt\.": "Captain", r"Gen\.": "General", r"Col\.": "Colonel", r"Lt\.": "Lieutenant", r"Sgt\.": "Sergeant",
    r"Rev\.": "Reverend", r"Gov\.": "Governor", r"Sen\.": "Senator", r"Jr\.": "Junior", r"Sr\.": "Senior",
    r"St\.": "Saint/Street", r"Mt\.": "Mount", r"Rd\.": "Road", r"Ave\.": "Avenue", r"Blvd\.": "Boulevard",
    r"No\.(?=\s*\d)": "number", r"e\.g\.": "for example", r"i\.e\.": "that is", r"etc\.": "et cetera",
    r"vs\.": "versus", r"approx\.": "approximately", r"pp\.(?=\s*\d)": "pages", r"p\.(?=\s*\d)": "page",
}
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")

_DE_UNITS = {
    "km/h": ("Kilometer pro Stunde", "Kilometer pro Stunde"), "m/s": ("Meter pro Sekunde", "Meter pro Sekunde"),
    "km": ("Kilometer", "Kilometer"), "cm": ("Zentimeter", "Zentimeter"), "mm": ("Millimeter", "Millimeter"),
    "m": ("Meter", "Meter"), "kg": ("Kilogramm", "Kilogramm"), "mg": ("Milligramm", "Milligramm"),
    "g": ("Gramm", "Gramm"), "ml": ("Milliliter", "Milliliter"), "l": ("Liter", "Liter"),
    "°C": ("Grad Celsius", "Grad Celsius"), "°": ("Grad", "Grad"), "h": ("Stunde", "Stunden"),
    "Std.": ("Stunde", "Stunden"), "min": ("Minute", "Minuten"), "kWh": ("Kilowattstunde", "Kilowattstunden"),
}
_DE_MONEY = {
    "EUR": ("Euro", "Euro", "Cent", "Cent"), "USD": ("Dollar", "Dollar", "Cent", "Cent"),
    "GBP": ("Pfund", "Pfund", "Penny", "Pence"), "CHF": ("Franken", "Franken", "Rappen", "Rappen"),
    "JPY": ("Yen", "Yen", "", ""), "CENT": ("Cent", "Cent", "", ""), "AUD": ("australischer Dollar", "australische Dollar", "Cent", "Cent"),
    "CAD": ("kanadischer Dollar", "kanadische Dollar", "Cent", "Cent"), "RUB": ("Rubel", "Rubel", "Kopeke", "Kopeken"),
    "PLN": ("Złoty", "Złoty", "Groszy", "Groszy"), "TRY": ("Lira", "Lira", "Kuruş", "Kuruş"),
    "INR": ("Rupie", "Rupien", "Paisa", "Paise"), "CNY": ("Yuan", "Yuan", "", ""), "KRW": ("Won", "Won", "", ""),
    "BRL": ("Real", "Reais", "Centavo", "Centavos"),
}
_DE_ABBREVIATIONS = {
    r"Hr\.": "Herr", r"Hrn\.": "Herrn", r"Fr\.": "Frau", r"Dr\.": "Doktor", r"Prof\.": "Professor",
    r"St\.": "Sankt", r"Nr\.(?=\s*\d)": "Nummer", r"z\.\s?B\.": "zum Beispiel", r"d\.\s?h\.": "das heißt",
    r"u\.\s?a\.": "unter anderem", r"usw\.": "und so weiter", r"bzw\.": "beziehungsweise", r"ca\.": "circa",
    r"evtl\.": "eventuell", r"ggf\.": "gegebenenfalls", r"Tel\.": "Telefon", r"Jh\.": "Jahrhundert",
    r"(?<=[a-zäöüß])str\.": "straße", r"Str\.": "Straße", r"Mio\.": "Millionen", r"Mrd\.": "Milliarden",
    r"vgl\.": "vergleiche", r"S\.(?=\s*\d)": "Seite", r"s\.\s?o\.": "siehe oben", r"s\.\s?u\.": "siehe unten",
}
_DE_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
              "November", "Dezember")

_FR_UNITS = {
    "km/h": ("kilomètre par heure", "kilomètres par heure"), "m/s": ("mètre par seconde", "mètres par seconde"),
    "km": ("kilomètre", "kilomètres"), "cm": ("centimètre", "centimètres"), "mm": ("millimètre", "millimètres"),
    "m": ("mètre", "mètres"), "kg": ("kilogramme", "kilogrammes"), "mg": ("milligramme", "milligrammes"),
    "g": ("gramme", "grammes"), "ml": ("millilitre", "millilitres"), "l": ("litre", "litres"),
    "°C": ("degré Celsius", "degrés Celsius"), "°": ("degré", "degrés"), "min": ("minute", "minutes"),
    "kWh": ("kilowattheure", "kilowattheures"),
}
_FR_MONEY = {
    "EUR": ("euro", "euros", "centime", "centimes"), "USD": ("dollar", "dollars", "cent", "cents"),
    "GBP": ("livre", "livres", "penny", "pence"), "CHF": ("franc", "francs", "centime", "centimes"),
    "JPY": ("yen", "yens", "", ""), "CENT": ("centime", "centimes", "", ""),
    "CAD": ("dollar canadien", "dollars canadiens", "cent", "cents"),
    "AUD": ("dollar australien", "dollars australiens", "cent", "cents"), "RUB": ("rouble", "roubles", "kopeck", "kopecks"),
    "INR": ("roupie", "roupies", "paisa", "paisa"), "PLN": ("zloty", "zlotys", "grosz", "groszy"),
    "TRY": ("livre turque", "livres turques", "kuruş", "kuruş"), "CNY": ("yuan", "yuans", "", ""),
    "KRW": ("won", "wons", "", ""), "BRL": ("réal", "réaux", "centavo", "centavos"),
}
_FR_ABBREVIATIONS = {
    r"M\.(?=\s+[A-Z])": "Monsieur", r"MM\.": "Messieurs", r"Mme": "Madame", r"Mlle": "Mademoiselle",
    r"Dr": "Docteur", r"Pr": "Professeur", r"St": "Saint", r"Ste": "Sainte", r"etc\.": "et cetera",
    r"p\.\s?ex\.": "par exemple", r"c\.-à-d\.": "c'est-à-dire", r"n°(?=\s*\d)": "numéro", r"env\.": "environ",
    r"Tél\.": "Téléphone", r"p\.(?=\s*\d)": "page", r"av\.(?=\s)": "avenue", r"bd(?=\s)": "boulevard",
}
_FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre")

_ES_UNITS = {
    "km/h": ("kilómetro por hora", "kilómetros por hora"), "m/s": ("metro por segundo", "metros por segundo"),
    "km": ("kilómetro", "kilómetros"), "cm": ("centímetro", "centímetros"), "mm": ("milímetro", "milímetros"),
    "m": ("metro", "metros"), "kg": ("kilogramo", "kilogramos"), "mg": ("miligramo", "miligramos"),
    "g": ("gramo", "gramos"), "ml": ("mililitro", "mililitros"), "l": ("litro", "litros"),
    "°C": ("grado centígrado", "grados centígrados"), "°": ("grado", "grados"), "h": ("hora", "horas"),
    "min": ("minuto", "minutos"),
}
_ES_MONEY = {
    "EUR": ("euro", "euros", "céntimo", "céntimos"), "USD": ("dólar", "dólares", "centavo", "centavos"),
    "GBP": ("libra", "libras", "penique", "peniques"), "CHF": ("franco suizo", "francos suizos", "céntimo", "céntimos"),
    "JPY": ("yen", "yenes", "", ""), "CENT": ("centavo", "centavos", "", ""), "MXN": ("peso", "pesos", "centavo", "centavos"),
    "CAD": ("dólar canadiense", "dólares canadienses", "centavo", "centavos"),
    "AUD": ("dólar australiano", "dólares australianos", "centavo", "centavos"), "RUB": ("rublo", "rublos", "kopek", "kopeks"),
    "INR": ("rupia", "rupias", "paisa", "paisas"), "PLN": ("esloti", "eslotis", "grosz", "groszy"),
    "TRY": ("lira", "liras", "kuruş", "kuruş"), "CNY": ("yuan", "yuanes", "", ""), "KRW": ("won", "wones", "", ""),
    "BRL": ("real", "reales", "centavo", "centavos"),
}
_ES_ABBREVIATIONS = {
    r"Sr\.": "señor", r"Sra\.": "señora", r"Srta\.": "señorita", r"Dr\.": "doctor", r"Dra\.": "doctora",
    r"Ud\.": "usted", r"Uds\.": "ustedes", r"etc\.": "etcétera", r"p\.\s?ej\.": "por ejemplo",
    r"núm\.(?=\s*\d)": "número", r"Avda\.": "Avenida", r"Tel\.": "Teléfono", r"pág\.": "página",
    r"aprox\.": "aproximadamente", r"Dña\.": "doña", r"D\.(?=\s+[A-Z])": "don",
}
_ES_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
              "noviembre", "diciembre")

_IT_UNITS = {
    "km/h": ("chilometro orario", "chilometri orari"), "km": ("chilometro", "chilometri"), "cm": ("centimetro", "centimetri"),
    "mm": ("millimetro", "millimetri"), "m": ("metro", "metri"), "kg": ("chilogrammo", "chilogrammi"),
    "g": ("grammo", "grammi"), "ml": ("millilitro", "millilitri"), "l": ("litro", "litri"),
    "°C": ("grado centigrado", "gradi centigradi"), "°": ("grado", "gradi"), "min": ("minuto", "minuti"),
}
_IT_MONEY = {
    "EUR": ("euro", "euro", "centesimo", "centesimi"), "USD": ("dollaro", "dollari", "centesimo", "centesimi"),
    "GBP": ("sterlina", "sterline", "penny", "pence"), "CHF": ("franco svizzero", "franchi svizzeri", "centesimo", "centesimi"),
    "JPY": ("yen", "yen", "", ""), "CENT": ("centesimo", "centesimi", "", ""),
}
_IT_ABBREVIATIONS = {
    r"Sig\.ra": "Signora", r"Sig\.na": "Signorina", r"Sig\.": "Signor", r"Dott\.ssa": "Dottoressa",
    r"Dott\.": "Dottor", r"Prof\.": "Professor", r"ecc\.": "eccetera", r"p\.\s?es\.": "per esempio",
    r"n\.(?=\s*\d)": "numero", r"S\.(?=\s+[A-Z])": "San", r"Tel\.": "Telefono",
}
_IT_MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
              "ottobre", "novembre", "dicembre")

_PT_UNITS = {
    "km/h": ("quilômetro por hora", "quilômetros por hora"), "km": ("quilômetro", "quilômetros"),
    "cm": ("centímetro", "centímetros"), "m": ("metro", "metros"), "kg": ("quilo", "quilos"),
    "g": ("grama", "gramas"), "ml": ("mililitro", "mililitros"), "l": ("litro", "litros"),
    "°C": ("grau Celsius", "graus Celsius"), "°": ("grau", "graus"), "h": ("hora", "horas"), "min": ("minuto", "minutos"),
}
_PT_MONEY = {
    "EUR": ("euro", "euros", "cêntimo", "cêntimos"), "USD": ("dólar", "dólares", "centavo", "centavos"),
    "BRL": ("real", "reais", "centavo", "centavos"), "GBP": ("libra", "libras", "pêni", "pence"),
    "JPY": ("iene", "ienes", "", ""), "CENT": ("centavo", "centavos", "", ""),
}
_PT_ABBREVIATIONS = {
    r"Sr\.": "Senhor", r"Sra\.": "Senhora", r"Dr\.": "Doutor", r"Dra\.": "Doutora", r"Prof\.": "Professor",
    r"etc\.": "et cetera", r"p\.\s?ex\.": "por exemplo", r"n\.º(?=\s*\d)": "número", r"Av\.": "Avenida",
    r"Tel\.": "Telefone", r"D\.(?=\s+[A-Z])": "Dom",
}
_PT_MONTHS = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
              "outubro", "novembro", "dezembro")

_PL_UNITS = {
    "km/h": ("kilometr na godzinę", "kilometrów na godzinę"), "km": ("kilometr", "kilometrów"),
    "cm": ("centymetr", "centymetrów"), "m": ("metr", "metrów"), "kg": ("kilogram", "kilogramów"),
    "g": ("gram", "gramów"), "l": ("litr", "litrów"), "°C": ("stopień Celsjusza", "stopni Celsjusza"),
    "°": ("stopień", "stopni"), "min": ("minuta", "minut"),
}
_PL_MONEY = {
    "PLN": ("złoty", "złotych", "grosz", "groszy"), "EUR": ("euro", "euro", "cent", "centów"),
    "USD": ("dolar", "dolarów", "cent", "centów"), "GBP": ("funt", "funtów", "pens", "pensów"),
}
_PL_ABBREVIATIONS = {
    r"ul\.": "ulica", r"np\.": "na przykład", r"itd\.": "i tak dalej", r"itp\.": "i tym podobne", r"dr(?=\s)": "doktor",
    r"prof\.": "profesor", r"godz\.": "godzina", r"tzn\.": "to znaczy", r"ok\.": "około", r"tys\.": "tysięcy",
    r"mln": "milionów", r"(?<=\d\s)r\.": "roku", r"(?<=\s)w\.(?=\s)": "wieku", r"nr(?=\s*\d)": "numer",
}
_PL_MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
              "października", "listopada", "grudnia")

_RU_UNITS = {
    "км/ч": ("километр в час", "километров в час"), "км": ("километр", "километров"), "см": ("сантиметр", "сантиметров"),
    "м": ("метр", "метров"), "кг": ("килограмм", "килограммов"), "г": ("грамм", "граммов"), "л": ("литр", "литров"),
    "°C": ("градус Цельсия", "градусов Цельсия"), "°": ("градус", "градусов"), "km/h": ("километр в час", "километров в час"),
    "km": ("километр", "километров"), "kg": ("килограмм", "килограммов"),
}
_RU_MONEY = {
    "RUB": ("рубль", "рублей", "копейка", "копеек"), "USD": ("доллар", "долларов", "цент", "центов"),
    "EUR": ("евро", "евро", "цент", "центов"), "GBP": ("фунт", "фунтов", "пенс", "пенсов"),
}
_RU_ABBREVIATIONS = {
    r"т\.\s?е\.": "то есть", r"т\.\s?д\.": "так далее", r"т\.\s?п\.": "тому подобное", r"ул\.": "улица",
    r"(?<=\d\s)г\.": "года", r"руб\.": "рублей", r"тыс\.": "тысяч", r"млн": "миллионов", r"млрд": "миллиардов",
    r"др\.": "другие", r"проф\.": "профессор", r"им\.": "имени",
}
_RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")

_TR_UNITS = {
    "km/h": ("kilometre hız", "kilometre hız"), "km/sa": ("kilometre hız", "kilometre hız"), "km": ("kilometre", "kilometre"),
    "cm": ("santimetre", "santimetre"), "m": ("metre", "metre"), "kg": ("kilogram", "kilogram"), "g": ("gram", "gram"),
    "l": ("litre", "litre"), "°C": ("derece", "derece"), "°": ("derece", "derece"), "dk": ("dakika", "dakika"),
}
_TR_MONEY = {
    "TRY": ("lira", "lira", "kuruş", "kuruş"), "USD": ("dolar", "dolar", "sent", "sent"),
    "EUR": ("avro", "avro", "sent", "sent"), "GBP": ("sterlin", "sterlin", "peni", "peni"),
}
_TR_ABBREVIATIONS = {
    r"Dr\.": "Doktor", r"Prof\.": "Profesör", r"vb\.": "ve benzeri", r"vs\.": "vesaire", r"No\.(?=\s*\d)": "numara",
    r"Cad\.": "Caddesi", r"Sok\.": "Sokak", r"Av\.": "Avukat", r"Doç\.": "Doçent",
}
_TR_MONTHS = ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım",
              "Aralık")

_JA_UNITS = {"km/h": ("キロメートル毎時", "キロメートル毎時"), "km": ("キロメートル", "キロメートル"),
             "cm": ("センチメートル", "センチメートル"), "m": ("メートル", "メートル"), "kg": ("キログラム", "キログラム"),
             "g": ("グラム", "グラム"), "°C": ("度", "度"), "°": ("度", "度")}
_JA_MONEY = {"JPY": ("円", "円", "", ""), "USD": ("ドル", "ドル", "セント", "セント"), "EUR": ("ユーロ", "ユーロ", "セント", "セント")}
_KO_UNITS = {"km/h": ("킬로미터 매시", "킬로미터 매시"), "km": ("킬로미터", "킬로미터"), "cm": ("센티미터", "센티미터"),
             "m": ("미터", "미터"), "kg": ("킬로그램", "킬로그램"), "g": ("그램", "그램"), "°C": ("도", "도"), "°": ("도", "도")}
_KO_MONEY = {"KRW": ("원", "원", "", ""), "USD": ("달러", "달러", "센트", "센트"), "EUR": ("유로", "유로", "센트", "센트"),
             "JPY": ("엔", "엔", "", "")}
_ZH_UNITS = {"km/h": ("公里每小时", "公里每小时"), "km": ("公里", "公里"), "cm": ("厘米", "厘米"), "m": ("米", "米"),
             "kg": ("公斤", "公斤"), "g": ("克", "克"), "°C": ("摄氏度", "摄氏度"), "°": ("度", "度")}
_ZH_MONEY = {"CNY": ("元", "元", "", ""), "USD": ("美元", "美元", "美分", "美分"), "EUR": ("欧元", "欧元", "欧分", "欧分"),
             "JPY": ("日元", "日元", "", "")}
_HI_UNITS = {"km/h": ("किलोमीटर प्रति घंटा", "किलोमीटर प्रति घंटा"), "km": ("किलोमीटर", "किलोमीटर"),
             "cm": ("सेंटीमीटर", "सेंटीमीटर"), "m": ("मीटर", "मीटर"), "kg": ("किलो", "किलो"), "g": ("ग्राम", "ग्राम"),
             "°C": ("डिग्री सेल्सियस", "डिग्री सेल्सियस"), "°": ("डिग्री", "डिग्री")}
_HI_MONEY = {"INR": ("रुपया", "रुपये", "पैसा", "पैसे"), "USD": ("डॉलर", "डॉलर", "सेंट", "सेंट"),
             "EUR": ("यूरो", "यूरो", "सेंट", "सेंट")}

LANGUAGES = {
    "en": Language("en", ",", ".", "percent", "to", r"Chapter|Part|Book|Volume|Act|Scene|War|Phase|Level|Round",
                   _EN_MONTHS, _EN_ABBREVIATIONS, frozenset({r"Jr\.", r"Sr\.", r"St\.", r"etc\.", r"Rd\.", r"Ave\."}),
                   _EN_MONEY, ", ", _EN_UNITS, {"m": "million", "bn": "billion", "k": "thousand", "million": "million",
                                                  "billion": "billion", "trillion": "trillion", "thousand": "thousand"},
                   {2: ("half", "halves"), 4: ("quarter", "quarters")}, " and a half", regnal="ordinal"),
    "de": Language("de", r"\.", ",", "Prozent", "bis", r"Kapitel|Teil|Buch|Band|Akt|Szene|Abschnitt",
                   _DE_MONTHS, _DE_ABBREVIATIONS, frozenset({r"u\.\s?a\.", r"usw\.", r"(?<=[a-zäöüß])str\."}),
                   _DE_MONEY, " und ", _DE_UNITS, {"Mio.": "Millionen", "Mrd.": "Milliarden", "Millionen": "Millionen",
                                                    "Million": "Million", "Milliarden": "Milliarden", "Tausend": "Tausend"},
                   {2: ("halb", "halbe"), 3: ("Drittel", "Drittel"), 4: ("Viertel", "Viertel")}, "einhalb",
                   ("{h} Uhr {m}", "{h} Uhr"), regnal="der"),
    "fr": Language("fr", r"[ \u00a0\u202f.]", ",", "pour cent", "à", r"Chapitre|Partie|Livre|Tome|Acte|Scène",
                   _FR_MONTHS, _FR_ABBREVIATIONS, frozenset({r"etc\."}), _FR_MONEY, " et ", _FR_UNITS,
                   {"millions": "millions", "million": "million", "milliards": "milliards", "mille": "mille"},
                   {2: ("demi", "demis"), 3: ("tiers", "tiers"), 4: ("quart", "quarts")}, " et demi",
                   ("{h} heures {m}", "{h} heures"), regnal="cardinal", phone_pairs=True),
    "es": Language("es", r"\.", ",", "por ciento", "a", r"Capítulo|Parte|Libro|Tomo|Acto|Escena|siglo",
                   _ES_MONTHS, _ES_ABBREVIATIONS, frozenset({r"etc\."}), _ES_MONEY, " con ", _ES_UNITS,
                   {"millones": "millones", "millón": "millón", "mil": "mil"},
                   {2: ("medio", "medios"), 3: ("tercio", "tercios"), 4: ("cuarto", "cuartos")}, " y medio",
                   ("{h} y {m}", "{h} en punto"), regnal="ordinal10"),
    "it": Language("it", r"\.", ",", "per cento", "a", r"Capitolo|Parte|Libro|Atto|Scena", _IT_MONTHS,
                   _IT_ABBREVIATIONS, frozenset({r"ecc\."}), _IT_MONEY, " e ", _IT_UNITS,
                   {"milioni": "milioni", "milione": "milione", "miliardi": "miliardi"},
                   {2: ("mezzo", "mezzi"), 3: ("terzo", "terzi"), 4: ("quarto", "quarti")}, " e mezzo",
                   ("{h} e {m}", "{h}"), regnal="ordinal"),
    "pt": Language("pt", r"\.", ",", "por cento", "a", r"Capítulo|Parte|Livro|Ato|Cena|século", _PT_MONTHS,
                   _PT_ABBREVIATIONS, frozenset({r"etc\."}), _PT_MONEY, " e ", _PT_UNITS,
                   {"milhões": "milhões", "milhão": "milhão", "mil": "mil"},
                   {2: ("meio", "meios"), 3: ("terço", "terços"), 4: ("quarto", "quartos")}, " e meio",
                   ("{h} e {m}", "{h} horas"), regnal="ordinal10"),
    "pl": Language("pl", r"[ \u00a0\u202f.]", ",", "procent", "do", r"Rozdział|Część|Księga|Tom|Akt|Scena",
                   _PL_MONTHS, _PL_ABBREVIATIONS, frozenset({r"itd\.", r"itp\."}), _PL_MONEY, " ", _PL_UNITS,
                   {"mln": "milionów", "tys.": "tysięcy"}, {}, "", ("{h} {m}", "{h}"), regnal="ordinal"),
    "ru": Language("ru", r"[ \u00a0\u202f]", ",", "процентов", "до", r"Глава|Часть|Книга|Том|Акт", _RU_MONTHS,
                   _RU_ABBREVIATIONS, frozenset({r"т\.\s?д\.", r"т\.\s?п\."}), _RU_MONEY, " ", _RU_UNITS,
                   {"млн": "миллионов", "тыс.": "тысяч"}, {}, "", ("{h} {m}", "{h}"), regnal="ordinal"),
    "tr": Language("tr", r"\.", ",", "yüzde", "ile", r"Bölüm|Kısım|Kitap|Cilt|Perde", _TR_MONTHS,
                   _TR_ABBREVIATIONS, frozenset({r"vb\.", r"vs\."}), _TR_MONEY, " ", _TR_UNITS,
                   {"milyon": "milyon", "milyar": "milyar"}, {}, "", ("{h} {m}", "{h}"), regnal="none"),
    "ja": Language("ja", ",", ".", "パーセント", "から", r"第", (), {}, frozenset(), _JA_MONEY, " ", _JA_UNITS, {}, {}, "",
                   ("{h}時{m}分", "{h}時"), regnal="none"),
    "ko": Language("ko", ",", ".", "퍼센트", "에서", r"제", (), {}, frozenset(), _KO_MONEY, " ", _KO_UNITS, {}, {}, "",
                   ("{h}시 {m}분", "{h}시"), regnal="none"),
    "zh": Language("zh", ",", ".", "百分之", "到", r"第", (), {}, frozenset(), _ZH_MONEY, "", _ZH_UNITS, {}, {}, "",
                   ("{h}点{m}分", "{h}点"), regnal="none"),
    "hi": Language("hi", ",", ".", "प्रतिशत", "से", r"अध्याय|भाग", (), {r"डॉ\.": "डॉक्टर"}, frozenset(), _HI_MONEY, " ",
                   _HI_UNITS, {"लाख": "लाख", "करोड़": "करोड़"}, {2: ("आधा", "आधे")}, "", ("{h} बजकर {m} मिनट", "{h} बजे"),
                   regnal="none"),
}
GENERIC = Language("", ",", ".", "%", "-", r"Chapter")  # numbers only, for a num2words language Bark does not speak

# the currency symbols as written before or after an amount, longest first
CURRENCY_SYMBOLS = {
    "US$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "R$": "BRL", "$": "USD", "€": "EUR",
    "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB", "₺": "TRY", "₩": "KRW", "¢": "CENT", "CHF": "CHF", "zł": "PLN",
    "EUR": "EUR", "USD": "USD", "GBP": "GBP", "руб.": "RUB", "TL": "TRY", "元": "CNY", "円": "JPY", "원": "KRW",
    "Rs.": "INR", "Rs": "INR",
}
# where a symbol means a different currency in a language (¥ is the yuan in Chinese)
LOCAL_SYMBOLS = {"zh": {"¥": "CNY"}}
