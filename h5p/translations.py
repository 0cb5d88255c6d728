"""Swedish for H5P core's own interface, passed to h5p-standalone as
``translations: {H5P: {...}}`` (it merges them into ``H5PIntegration.l10n``).

The texts of a content type's buttons ("Kontrollera", "Försök igen", "Visa
svar" …) belong to the content: the author sets them in the authoring tool
(Lumi, h5p.org, Moodle) and they come with ``content.json``. Core's strings
below are the player's frame, dialogs, licences and connection messages.
"""

from __future__ import annotations

H5P_CORE_SV: dict[str, str] = {
    "fullscreen": "Helskärm",
    "disableFullscreen": "Avsluta helskärm",
    "download": "Ladda ner",
    "copyrights": "Upphovsrätt",
    "embed": "Bädda in",
    "size": "Storlek",
    "showAdvanced": "Visa avancerat",
    "hideAdvanced": "Dölj avancerat",
    "advancedHelp": (
        "Lägg in det här skriptet på din webbplats om du vill att det inbäddade "
        "innehållet ska ändra storlek automatiskt:"
    ),
    "copyrightInformation": "Upphovsrätt",
    "close": "Stäng",
    "title": "Titel",
    "author": "Upphovsperson",
    "year": "År",
    "source": "Källa",
    "license": "Licens",
    "thumbnail": "Miniatyrbild",
    "noCopyrights": "Det finns ingen upphovsrättsinformation för det här innehållet.",
    "reuse": "Återanvänd",
    "reuseContent": "Återanvänd innehållet",
    "reuseDescription": "Återanvänd det här innehållet.",
    "downloadDescription": "Ladda ner innehållet som en H5P-fil.",
    "copyrightsDescription": "Visa upphovsrättsinformation för innehållet.",
    "embedDescription": "Visa koden för att bädda in innehållet.",
    "h5pDescription": "Besök H5P.org för att se mer innehåll.",
    "contentChanged": "Innehållet har ändrats sedan du använde det senast.",
    "startingOver": "Du börjar om från början.",
    "by": "av",
    "showMore": "Visa mer",
    "showLess": "Visa mindre",
    "subLevel": "Undernivå",
    "confirmDialogHeader": "Bekräfta",
    "confirmDialogBody": "Bekräfta att du vill fortsätta. Det går inte att ångra.",
    "cancelLabel": "Avbryt",
    "confirmLabel": "Bekräfta",
    "licenseU": "Ej angiven",
    "licenseCCBY": "Erkännande",
    "licenseCCBYSA": "Erkännande-DelaLika",
    "licenseCCBYND": "Erkännande-IngaBearbetningar",
    "licenseCCBYNC": "Erkännande-IckeKommersiell",
    "licenseCCBYNCSA": "Erkännande-IckeKommersiell-DelaLika",
    "licenseCCBYNCND": "Erkännande-IckeKommersiell-IngaBearbetningar",
    "licenseCC40": "4.0 Internationell",
    "licenseCC30": "3.0 Generisk",
    "licenseCC25": "2.5 Generisk",
    "licenseCC20": "2.0 Generisk",
    "licenseCC10": "1.0 Generisk",
    "licenseGPL": "General Public License",
    "licenseV3": "Version 3",
    "licenseV2": "Version 2",
    "licenseV1": "Version 1",
    "licensePD": "Allmän egendom",
    "licenseCC010": "CC0 1.0 Universal (CC0 1.0) – avstående från upphovsrätt",
    "licensePDM": "Märkning för allmän egendom",
    "licenseC": "Upphovsrättsskyddat",
    "contentType": "Innehållstyp",
    "licenseExtras": "Övrig licensinformation",
    "changes": "Ändringslogg",
    "contentCopied": "Innehållet har kopierats till urklipp",
    "connectionLost": (
        "Anslutningen bröts. Resultaten sparas och skickas när anslutningen fungerar igen."
    ),
    "connectionReestablished": "Anslutningen fungerar igen.",
    "resubmitScores": "Försöker skicka sparade resultat.",
    "offlineDialogHeader": "Anslutningen till servern bröts",
    "offlineDialogBody": (
        "Vi kunde inte skicka uppgifterna om att du gjort klart uppgiften. "
        "Kontrollera din internetanslutning."
    ),
    "offlineDialogRetryMessage": "Försöker igen om :num …",
    "offlineDialogRetryButtonLabel": "Försök igen nu",
    "offlineSuccessfulSubmit": "Resultaten har skickats.",
    # Common texts of H5P's question types, used where core or a library looks
    # them up in l10n rather than in the content's own parameters.
    "checkAnswer": "Kontrollera",
    "submitAnswer": "Skicka",
    "showSolution": "Visa svar",
    "tryAgain": "Försök igen",
    "retry": "Försök igen",
    "scoreBarLabel": "Du fick :num av :total poäng",
}


def player_translations(language: str) -> dict[str, dict[str, str]]:
    """h5p-standalone's ``translations`` option for the learner's language."""
    if language.split("-")[0] == "sv":
        return {"H5P": dict(H5P_CORE_SV)}
    return {}
