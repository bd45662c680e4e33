from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import DocumentReadError, UnsupportedFormatError
from ingest.loaders import load_file
from ingest.metadata import infer_metadata
from ingest.splitter import heading_version, split_document
from tests.conftest import write


def chunks_of(path: Path, source: str) -> list:  # type: ignore[type-arg]
    doc = load_file(path, source)
    return split_document(doc, infer_metadata(doc))


def test_markdown_front_matter_and_sections(corpus: Path) -> None:
    chunks = chunks_of(corpus / "codec/release-notes/9.4.1.md", "codec/release-notes/9.4.1.md")
    fixed = [c for c in chunks if c.section == "Fixed issues"]
    assert fixed and all(c.version == "9.4.1" and c.product == "codec" for c in chunks)
    assert "CX-4821" in fixed[0].text and fixed[0].released == "2026-06-08"
    assert {c.doc_type for c in chunks} == {"release_notes"}


def test_changelog_splits_by_version_section(corpus: Path) -> None:
    chunks = chunks_of(corpus / "panel/CHANGELOG.md", "panel/CHANGELOG.md")
    by_version = {c.version: c for c in chunks}
    assert set(by_version) == {"2.2.0", "2.1.0"}
    assert "TX-612" in by_version["2.2.0"].text and "TX-612" not in by_version["2.1.0"].text
    assert by_version["2.2.0"].released == "2026-06-01"
    assert by_version["2.2.0"].section.endswith("Fixed")


def test_rst_field_list_html_meta_and_txt_header(corpus: Path) -> None:
    rst = chunks_of(corpus / "panel/guides/lock.rst", "panel/guides/lock.rst")
    assert rst[0].doc_type == "how_to" and rst[0].title == "Panel lock"
    assert rst[0].section == "Enabling the lock"
    html = chunks_of(corpus / "codec/security/advisory.html", "codec/security/advisory.html")
    assert html[0].doc_type == "security_advisory" and html[0].version == "9.4.0"
    assert all("alert(1)" not in c.text for c in html)  # scripts are never indexed
    txt = chunks_of(corpus / "codec/patch-notes/9.4.1.txt", "codec/patch-notes/9.4.1.txt")
    assert txt[0].doc_type == "patch_notes" and txt[0].version == "9.4.1"
    assert txt[0].section == "Fixed"


def test_engineer_audience_from_front_matter(corpus: Path) -> None:
    chunks = chunks_of(corpus / "codec/bulletins/sb-01.md", "codec/bulletins/sb-01.md")
    assert {c.audience for c in chunks} == {"engineer"}


@pytest.mark.parametrize(
    ("heading", "version"),
    [
        ("PipeWire 1.6.0 (2026-02-19)", "1.6.0"),
        ("[v1.4.1] - 2026-04-20", "1.4.1"),
        ("6.18.0 (September 2022)", "6.18.0"),
        ("stable-9955", "stable-9955"),
        ("Highlights (since the previous 1.5.85 prerelease)", None),
        ("Upgrade from 9.3.0", None),
    ],
)
def test_release_headings(heading: str, version: str | None) -> None:
    assert heading_version(heading) == version


def test_news_file_without_suffix_and_stray_headings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "NEWS",
        "# Tool 1.6.0 (2026-02-19)\n\nIntro.\n\n## Highlights\n  - Fast path added.\n\n"
        "# pulse-server\n  - Fix mono mixdown query.\n\nTool 0.3.27\n\n- Old fix of the mixer.\n",
    )
    chunks = chunks_of(path, "NEWS")
    mono = next(c for c in chunks if "mono mixdown" in c.text)
    assert mono.version == "1.6.0"  # a stray same-level heading stays in its release
    assert next(c for c in chunks if "Old fix" in c.text).version == "0.3.27"


def test_long_sections_split_between_sentences(tmp_path: Path) -> None:
    body = "".join(
        f"Step {n} restarts the HDMI link when the display wakes from standby. " for n in range(60)
    )
    path = write(tmp_path, "guide.md", "# Guide\n\n## Long\n\n" + body)
    chunks = chunks_of(path, "guide.md")
    assert len(chunks) > 3
    assert all(len(c.text) <= 1000 for c in chunks)
    assert all(c.text.rstrip().endswith(".") for c in chunks)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty file"),
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        ("latin.md", "caf\u00e9 cr\u00e8me".encode("latin-1"), "invalid UTF-8"),
        ("broken.pdf", b"%PDF-1.4\nthis is not a pdf at all", "PDF"),
    ],
)
def test_bad_files_raise_specific_reasons(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(DocumentReadError) as err:
        load_file(path, name)
    assert reason in err.value.reason and err.value.path == name


def test_unknown_suffix_is_unsupported(tmp_path: Path) -> None:
    path = write(tmp_path, "photo.jpg", b"\xff\xd8")
    with pytest.raises(UnsupportedFormatError):
        load_file(path, "photo.jpg")


def test_malformed_front_matter_is_a_warning_not_a_loss(tmp_path: Path) -> None:
    path = write(
        tmp_path, "x/bad.md", "---\ntitle: [unclosed\n---\n# Bad\n\nThe body still counts.\n"
    )
    doc = load_file(path, "x/bad.md")
    assert doc.warnings and "malformed front matter" in doc.warnings[0]
    assert "The body still counts." in doc.text


def test_doxygen_markup_and_heading_anchors_are_left_out(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pw/pipewire.conf.5.md",
        "\\page page_man_pipewire_conf_5 pipewire.conf\n\nThe server configuration file\n\n"
        "\\tableofcontents\n\n# SYNOPSIS {#synopsis}\n\nRead at start-up.\n\n"
        "# CONTEXT PROPERTIES  @IDX@ pipewire.conf context.properties\n\n"
        "@PAR@ pipewire.conf  clock.power-of-two-quantum = true\n"
        "\\parblock\nRound the quantum to a power of two. See \\ref page_man_pw_cli_1\n"
        "\\endparblock\n\n# COMMANDS\n\n\\par q Quit\n\npw-top \\[*options*\\]\n\n"
        "| key | does |\n|---|---|\n| a \\| b | or |\n",
    )
    doc = load_file(tmp_path / "pw/pipewire.conf.5.md", "pw/pipewire.conf.5.md")
    assert doc.title == "pipewire.conf"
    headings = [s.heading for s in doc.sections]
    assert headings == ["pipewire.conf", "SYNOPSIS", "CONTEXT PROPERTIES", "COMMANDS"]
    text = "\n".join(p for s in doc.sections for p in s.paragraphs)
    assert "clock.power-of-two-quantum = true" in text and "See page_man_pw_cli_1" in text
    assert "q Quit" in text and "pw-top [*options*]" in text  # markdown escapes unescaped
    assert "| a \\| b | or |" in text  # but a pipe inside a table cell stays escaped
    assert not any(mark in text for mark in ("@PAR@", "@IDX@", "parblock", "\\ref", "\\page"))
