"""The screen edition is tagged PDF/UA-1: structure in reading order, alt text, languages, links."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import yaml

from awareprint.compose.structure import link_target
from awareprint.diagnostics import AwareprintError
from awareprint.pipeline import PosterRequest, make_poster
from awareprint.preflight import preflight_pdf
from tests.system_tools import debian_command

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

LOGO = Path(__file__).resolve().parent.parent / "examples" / "logos"


def _org(folder: Path, **extra: object) -> Path:
    logo = next(LOGO.glob("*.png"))
    org = {
        "name": "مدرسة النور",
        "contact": ["020 7946 0108", "alnoor@example.org"],
        "logo": str(logo),
        **extra,
    }
    path = folder / "org.yaml"
    path.write_text(yaml.safe_dump({"organisation": org}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("screen")
    org = _org(folder, logo_alt="Al-Noor School crest")
    made = {
        "a3-en": ("en", "poster-a3", org),
        "trifold-en": ("en", "leaflet-a4-trifold", None),
        "a3-ar": ("ar", "poster-a3", None),
        "card-pl": ("pl", "card-a6", None),
    }
    out = {}
    for name, (language, template, organisation) in made.items():
        request = PosterRequest(
            language,
            "gb",
            "parents",
            template,
            folder / f"{name}.pdf",
            organisation=organisation,
            edition="screen",
        )
        make_poster(request)
        out[name] = request.output
    return out


@pytest.mark.parametrize("name", ["a3-en", "trifold-en", "a3-ar", "card-pl"])
def test_every_screen_file_passes_the_ua_check(screen: dict[str, Path], name: str) -> None:
    report = preflight_pdf(screen[name], ua=True)
    assert [d.message for d in report.diagnostics if d.code.startswith("ua")] == []


def _tree(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Dictionary]]:
    """The structure elements, depth first: (role, element)."""
    return [(str(element.S)[1:], element) for element in _iter(pdf.Root.StructTreeRoot.K)]


def test_the_structure_reads_like_the_poster(screen: dict[str, Path]) -> None:
    with pikepdf.open(screen["a3-en"]) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True and str(root.Lang) == "en"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert all(page.obj.Tabs == pikepdf.Name.S for page in pdf.pages)
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1" and meta["dc:title"].startswith("Live streaming")
        roles = []

        def walk(node: pikepdf.Object) -> None:
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid)
            elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                roles.append(str(node.S)[1:])
                if pikepdf.Name.Figure == node.S:
                    assert str(node.Alt).strip()
                walk(node.get("/K"))
            elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") == pikepdf.Name.OBJR:
                roles.append("OBJR")

        walk(root.StructTreeRoot.K)
    assert roles[0] == "Document" and roles.count("H1") == 1
    assert roles.index("H1") < roles.index("H2") < roles.index("L")
    assert roles.count("LI") == roles.count("Lbl") == roles.count("LBody") >= 8
    assert roles.count("Figure") == 2  # the logo and the QR code
    assert roles.count("Link") == roles.count("OBJR") >= 8  # every address and phone number


def test_struct_text_lists_the_text_in_reading_order(screen: dict[str, Path]) -> None:
    listing = subprocess.run(
        [debian_command("pdfinfo"), "-struct-text", str(screen["a3-en"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    order = [
        "Live streaming can put",
        "What the study found",
        "What you can do",
        "Childline",
        "Source: Internet",
    ]
    places = [listing.index(text) for text in order]
    assert places == sorted(places)
    assert '"1"' in listing and '"10"' in listing  # the list's labels


def test_links_say_where_they_lead(screen: dict[str, Path]) -> None:
    with pikepdf.open(screen["a3-en"]) as pdf:
        links = {
            str(a.A.URI): str(a.Contents)
            for page in pdf.pages
            for a in page.obj.get("/Annots", [])
            if "/A" in a
        }
    assert links["tel:08001111"] == "0800 1111"
    assert links["mailto:help@nspcc.org.uk"] == "help@nspcc.org.uk"
    assert links["tel:999"] == "999"
    assert links["mailto:alnoor@example.org"] == "alnoor@example.org"  # the organisation's own lines too
    assert any(url.startswith("https://") and "Scan" in text for url, text in links.items())  # the QR code


def test_a_name_in_another_script_carries_its_language(screen: dict[str, Path]) -> None:
    """The Arabic school name on an English poster is read in Arabic; the logo has its alt text."""
    with pikepdf.open(screen["a3-en"]) as pdf:
        languages = {str(e.Lang) for _, e in _tree(pdf) if "/Lang" in e}
        alts = [str(e.Alt) for role, e in _tree(pdf) if role == "Figure"]
    assert languages == {"ar"}
    assert "Al-Noor School crest" in alts


def test_leaflets_have_bookmarks(screen: dict[str, Path]) -> None:
    with pikepdf.open(screen["trifold-en"]) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert titles[0].startswith("Live streaming") and len(titles) >= 5


def test_a_logo_needs_words_in_the_screen_edition(tmp_path: Path) -> None:
    org = _org(tmp_path)
    request = PosterRequest(
        "en", "gb", "parents", "poster-a3", tmp_path / "x.pdf", organisation=org, edition="screen"
    )
    with pytest.raises(AwareprintError) as raised:
        make_poster(request)
    assert raised.value.diagnostic.key == "organisation.logo_alt"
    assert not (tmp_path / "x.pdf").exists()
    decorative = _org(tmp_path, logo_decorative="true")
    make_poster(
        PosterRequest(
            "en", "gb", "parents", "poster-a3", tmp_path / "y.pdf", organisation=decorative, edition="screen"
        )
    )
    with pikepdf.open(tmp_path / "y.pdf") as pdf:
        figures = [role for role, _ in _tree(pdf) if role == "Figure"]
    assert len(figures) == 1  # only the QR code: the logo is an Artifact


def test_a_spreadsheet_row_is_told_which_logo_column_to_add(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(EXAMPLES / "logos" / "school-02.png", tmp_path / "logo.png")
    rows = tmp_path / "schools.csv"
    rows.write_text("name,contact,logo\nOakfield Academy,020 7946 0102,logo.png\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ("batch", "--orgs", str(rows), "--lang", "en", "--template", "card-a6", "--audience", "parents")
    result = cli(*args, "--edition", "screen", "--jobs", "0", "--output", str(out))
    assert result.code == 1
    assert "schools.csv: key 'logo_alt'" in result.err and "add a logo_alt column" in result.err
    rows.write_text(
        "name,contact,logo,logo_decorative\nOakfield Academy,020 7946 0102,logo.png,true\n", encoding="utf-8"
    )
    assert cli(*args, "--edition", "screen", "--jobs", "0", "--output", str(out)).code == 0


def test_preflight_ua_finds_planted_faults(screen: dict[str, Path], tmp_path: Path) -> None:
    with pikepdf.open(screen["a3-en"]) as pdf:
        del pdf.Root.ViewerPreferences["/DisplayDocTitle"]
        pdf.pages[0].contents_add(pdf.make_stream(b"BT /AP1 12 Tf 10 10 Td <0001> Tj ET"), prepend=False)
        figure = next(kid for kid in _iter(pdf.Root.StructTreeRoot.K) if kid.get("/S") == pikepdf.Name.Figure)
        del figure["/Alt"]
        pdf.save(tmp_path / "bad.pdf")
    codes = {d.code for d in preflight_pdf(tmp_path / "bad.pdf", ua=True).diagnostics}
    assert {"ua-title", "ua-untagged-content", "ua-alt"} <= codes


def _iter(node: pikepdf.Object):  # type: ignore[no-untyped-def]
    if isinstance(node, pikepdf.Array):
        for kid in node:
            yield from _iter(kid)
    elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
        yield node
        yield from _iter(node.get("/K"))


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("0800 1111", "tel:08001111"),
        ("+44 20 7946 0000", "tel:+442079460000"),
        ("help@nspcc.org.uk", "mailto:help@nspcc.org.uk"),
        ("ceop.police.uk/Safety-Centre", "https://ceop.police.uk/Safety-Centre"),
        ("Room 12", None),
    ],
)
def test_link_targets(text: str, target: str | None) -> None:
    assert link_target(text) == target


def test_right_to_left_text_copies_as_written_in_the_tagged_edition(screen: dict[str, Path]) -> None:
    """Tagging must not change what copy and search give: an ActualText on each Arabic line once made
    pdfium give every word letter-reversed ("ىتح يف لزنملا")."""
    text = pypdfium2.PdfDocument(screen["a3-ar"])[0].get_textpage().get_text_range()
    assert "حتى في المنزل" in text
    assert "المصدر: Internet Watch Foundation (IWF), 2018" in text
