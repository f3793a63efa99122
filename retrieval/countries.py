"""Country names as Indonesian news writes them, for answer-type evidence and for names typed in
lower case ("menlu prancis ngomong apa")."""

from __future__ import annotations

from collections.abc import Sequence

# Countries as Indonesian news names them, by the word that tells each apart ("Korea" Utara, "Arab"
# Saudi, "Selandia" Baru): "tentara Korea Utara dikerahkan" answers "negara mana" with no "di"/"ke"
# before it. Written for this project from the countries' Indonesian names.
COUNTRY_WORDS = frozenset(
    """
    afganistan afghanistan afrika albania aljazair amerika andorra angola antigua arab argentina armenia
    australia austria azerbaijan bahama bahrain bangladesh barbados belanda belarus belgia belize benin
    bhutan bolivia bosnia botswana brasil brazil brunei bulgaria burkina burundi chad chili china cina
    tiongkok denmark djibouti dominika ekuador mesir salvador emirat eritrea estonia eswatini etiopia fiji
    filipina finlandia gabon gambia georgia ghana grenada guatemala guinea guyana haiti honduras hongaria
    hungaria india indonesia inggris irak iran irlandia islandia israel italia jamaika jepang jerman
    yordania kamboja kamerun kanada kazakhstan kenya kirgistan kiribati kolombia komoro kongo korea
    kosovo kosta kroasia kuba kuwait laos latvia lebanon lesotho liberia libia liechtenstein lituania
    luksemburg madagaskar makedonia malawi malaysia maladewa mali malta maroko mauritania
    mauritius meksiko mikronesia moldova monako mongolia montenegro mozambik myanmar namibia nauru nepal
    nikaragua niger nigeria norwegia oman pakistan palau palestina panama papua paraguay peru polandia
    portugal prancis perancis qatar rumania rusia rwanda samoa saudi selandia serbia seychelles singapura siprus
    slowakia slovenia somalia spanyol lanka sudan suriah suriname swedia swiss tajikistan tanzania
    thailand timor togo tonga trinidad tunisia turki turkmenistan tuvalu uganda ukraina uruguay
    uzbekistan vanuatu vatikan venezuela vietnam yaman yunani zambia zimbabwe ceko kazakstan
    """.split()
)


def is_country(tokens: Sequence[str], i: int) -> bool:
    """Whether token `i` names a country ("AS" too); not a language ("bahasa Inggris")."""
    token = tokens[i]
    if token != "AS" and token.lower() not in COUNTRY_WORDS:
        return False
    return i == 0 or tokens[i - 1].lower() not in ("bahasa", "berbahasa")
