"""Languages and scripts the workspace does not handle, and symbolic links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workbench import Workspace
from workbench.ingester import Ingester

from .base import cli, expect, short_case
from .files import GOOD_EN, GOOD_FA, stored_paths

LANGUAGES: list[tuple[str, str, str]] = [
    (
        "Urdu",
        "ur",
        "لاہور میں کل شام شدید بارش کے بعد کئی سڑکیں پانی میں ڈوب گئیں اور شہریوں کو گھروں تک"
        " پہنچنے میں مشکلات کا سامنا کرنا پڑا۔ محکمہ موسمیات نے اگلے دو دنوں میں مزید بارش کی"
        " پیش گوئی کی ہے۔",
    ),
    (
        "Pashto",
        "ps",
        "د کندهار ښار په مرکزي بازار کې پرون سهار یو لوی اور ولګید چې لسګونه دوکانونه یې"
        " وسوځول. د ښاروالۍ چارواکو ویلي چې د اور د لګیدو لامل لا معلوم نه دی.",
    ),
    (
        "Sorani Kurdish",
        "ckb",
        "حکومەتی هەرێمی کوردستان ڕایگەیاند کە مووچەی فەرمانبەران لە هەفتەی داهاتوودا دابەش"
        " دەکرێت. وەزارەتی دارایی گوتی پارەکە لە بانکەکانی سلێمانی و هەولێر ئامادەیە.",
    ),
    (
        "Kurmanji Kurdish (Arabic script)",
        "kmr",
        "ل دهۆکێ ئەڤرۆ کۆمبوونەکا مەزن هاتە گرێدان و خەلکێ دەڤەرێ داخوازا ئاڤاکرنا"
        " قوتابخانەیێن نوی کر. سەروکێ شارەوانیێ گۆت کو ئەڤ کارە دێ ل هاڤینێ دەستپێبکەت.",
    ),
    (
        "Sindhi",
        "sd",
        "حيدرآباد ۾ ڪالهه رات وڏي برسات سبب شهر جا ڪيترائي رستا ٻڏي ويا ۽ ماڻهن کي ڏاڍي"
        " تڪليف ٿي. ميونسپل ڪارپوريشن چيو ته پاڻي ڪڍڻ جو ڪم جاري آهي.",
    ),
    (
        "Uyghur",
        "ug",
        "ئۈرۈمچى شەھىرىدە بۈگۈن يېڭى بىر كۇتۇپخانا ئېچىلدى، ئۇنىڭدا يۈز مىڭدىن ئارتۇق كىتاب"
        " بار. شەھەر باشلىقى بۇ كۇتۇپخانىنىڭ ياشلار ئۈچۈن ناھايىتى پايدىلىق بولىدىغانلىقىنى"
        " ئېيتتى.",
    ),
    (
        "Chinese",
        "zh",
        "北京市政府昨天宣布，将在明年春季开通三条新的地铁线路，以缓解城市交通拥堵。"
        "官员表示，新线路将连接郊区和市中心，每天可运送乘客五十万人次。",
    ),
    (
        "Russian",
        "ru",
        "Городские власти Новосибирска объявили, что новый мост через Обь откроется в"
        " следующем году. По словам мэра, строительство идёт по графику, и движение будет"
        " запущено весной.",
    ),
    (
        "French",
        "fr",
        "Le conseil municipal de Lyon a approuvé mardi la construction d'une nouvelle ligne de"
        " tramway qui reliera le centre-ville aux quartiers de l'est. Les travaux devraient"
        " commencer au printemps prochain et durer environ deux ans.",
    ),
    (
        "German",
        "de",
        "Die Stadtverwaltung von Leipzig hat am Dienstag den Bau einer neuen Brücke über die"
        " Elster beschlossen. Der Bürgermeister sagte, die Arbeiten würden im nächsten Frühjahr"
        " beginnen und etwa zwei Jahre dauern.",
    ),
    (
        "Hebrew",
        "he",
        "מועצת העיר חיפה אישרה ביום שלישי תוכנית לבניית גשר חדש מעל הנחל. ראש העיר אמר כי"
        " העבודות יתחילו באביב הבא ויימשכו כשנתיים.",
    ),
    (
        "Greek",
        "el",
        "Το δημοτικό συμβούλιο της Θεσσαλονίκης ενέκρινε την Τρίτη την κατασκευή μιας νέας"
        " γέφυρας πάνω από τον ποταμό. Ο δήμαρχος είπε ότι οι εργασίες θα ξεκινήσουν την άνοιξη.",
    ),
]


KEPT: list[tuple[str, str, str]] = [
    ("Persian", "fa", GOOD_FA),
    (
        "Arabic",
        "ar",
        "أعلن مجلس مدينة الإسكندرية يوم الثلاثاء عن خطة لبناء جسر جديد فوق القناة، وقال رئيس"
        " المجلس إن أعمال البناء ستبدأ في الربيع المقبل وتستمر نحو عامين.",
    ),
    ("English", "en", GOOD_EN),
    (
        "Dari (Persian of Afghanistan)",
        "fa",
        "وزارت صحت عامه افغانستان روز دوشنبه اعلام کرد که برنامهٔ واکسین پولیو در ولایات شرقی"
        " کشور آغاز شده است. به گفتهٔ مسئولان، بیش از یک میلیون کودک در این دور واکسین خواهند"
        " شد.",
    ),
]


def language(text: str, code: str, kept: bool, folder: Path) -> str:
    """One article through the Ingester: a language the workspace does not hold is
    skipped with its code and nothing stored; fa, ar and en are stored as themselves."""
    path = folder / "article.txt"
    path.write_text(text + "\n", "utf-8")
    with Workspace(folder / "ws") as ws:
        (outcome,) = Ingester(ws).ingest([path])
        langs = [d.lang for d in ws.documents()]
        sources = ws.counts()["sources"]
    if kept:
        expect(outcome.outcome == "added", f"{outcome.outcome}: {outcome.detail}")
        expect(langs == [code], f"stored as {langs}, not [{code!r}]")
        return f"stored as {code}"
    seen = (outcome.outcome, outcome.detail)
    expect(
        seen == ("skipped", f"unsupported language ({code})"),
        f"{outcome.outcome}: {outcome.detail or '-'}; stored as {langs}",
    )
    expect(sources == 0, f"{sources} sources stored")
    return outcome.detail


def language_line(folder: Path) -> str:
    """What the user reads: the skip line names the language."""
    (folder / "in").mkdir()
    (folder / "in" / "news.txt").write_text(LANGUAGES[0][2], "utf-8")
    (folder / "in" / "good.txt").write_text(GOOD_EN, "utf-8")
    ran = cli("ingest", "in", "-w", "ws", cwd=folder)
    ran.clean()
    expect(ran.code == 0, f"exit {ran.code}")
    expect(
        len(ran.lines) == 1 and ran.lines[0].endswith("unsupported language (ur)"),
        f"stderr: {short_case(ran.err)}",
    )
    return short_case(ran.lines[0])


def links(
    make: Callable[[Path, Path, Path], None], lines: list[str], stored: list[str], folder: Path
) -> str:
    """``make(inbox, outside, folder)`` adds links to a folder holding good.txt; then
    ``workbench ingest``: one line per link that leaves (each holding the words in
    ``lines``, in order), and exactly the files ``stored`` (names) stored, each once."""
    inbox, outside = folder / "in", folder / "outside"
    inbox.mkdir()
    (outside / "sub").mkdir(parents=True)
    (inbox / "good.txt").write_text(GOOD_EN, "utf-8")
    (outside / "secret.txt").write_text("A private note: the bridge costs too much.\n", "utf-8")
    (outside / "sub" / "other.txt").write_text("Another private note on the bridge.\n", "utf-8")
    make(inbox, outside, folder)
    ran = cli("ingest", "in", "-w", "ws", cwd=folder, timeout=60)
    ran.clean()
    expect(ran.code == 0, f"exit {ran.code}: {short_case(ran.err)}")
    expect(len(ran.lines) == len(lines), f"{len(ran.lines)} lines: {short_case(ran.err)}")
    for line, words in zip(ran.lines, lines, strict=True):
        expect(words in line, f"{words!r} not in {short_case(line)}")
    paths = stored_paths(folder / "ws")
    names = sorted(Path(p).name for p in paths)
    expect(names == sorted(stored), f"stored {names}, not {sorted(stored)}")
    expect(
        all(Path(p).is_relative_to(inbox.resolve()) for p in paths),
        f"a path outside the folder: {paths}",
    )
    return (
        short_case(ran.lines[0].replace(str(folder), "CASE"), 110)
        if ran.lines
        else f"stored {names}"
    )


def _link(name: str, target: Callable[[Path, Path, Path], Path | str]):
    def make(inbox: Path, outside: Path, folder: Path) -> None:
        (inbox / name).symlink_to(target(inbox, outside, folder))

    return make


def _chain(inbox: Path, outside: Path, folder: Path) -> None:
    (inbox / "hop2.txt").symlink_to(outside / "secret.txt")
    (inbox / "hop1.txt").symlink_to(inbox / "hop2.txt")


def _inside_folder(inbox: Path, outside: Path, folder: Path) -> None:
    (inbox / "real").mkdir()
    (inbox / "real" / "a.txt").write_text("The footbridge will be lit at night.\n", "utf-8")
    (inbox / "again").symlink_to(inbox / "real")


LINK_CASES: list[tuple[str, Callable[[Path, Path, Path], None], list[str], list[str]]] = [
    (
        "to a file outside",
        _link("s.txt", lambda i, o, f: o / "secret.txt"),
        ["outside"],
        ["good.txt"],
    ),
    ("to a folder outside", _link("elsewhere", lambda i, o, f: o), ["not followed"], ["good.txt"]),
    (
        "relative ../ to a file outside",
        _link("r.txt", lambda i, o, f: "../outside/secret.txt"),
        ["outside"],
        ["good.txt"],
    ),
    ("a chain of two links leading out", _chain, ["hop1.txt", "hop2.txt"], ["good.txt"]),
    ("to /dev/zero", _link("zero.txt", lambda i, o, f: "/dev/zero"), ["outside"], ["good.txt"]),
    ("to the parent folder", _link("up", lambda i, o, f: f), ["not followed"], ["good.txt"]),
    ("to a file inside", _link("alias.txt", lambda i, o, f: i / "good.txt"), [], ["good.txt"]),
    ("to a folder inside", _inside_folder, [], ["a.txt", "good.txt"]),
    ("a loop (to the folder itself)", _link("loop", lambda i, o, f: i), [], ["good.txt"]),
    ("broken", _link("gone.txt", lambda i, o, f: f / "missing.txt"), ["broken"], ["good.txt"]),
]
