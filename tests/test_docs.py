"""The operator's guide (docs/id/, docs/en/) stays whole: every link points to a file that exists and, with an
#anchor, to a heading that exists (GitHub's anchor rules); every image exists and is one the screenshots script
takes; each Indonesian page has its English counterpart; and the screenshots script runs."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
DOCS = BASE_DIR / "docs"
IMAGES = DOCS / "id" / "img"
# Each page of docs/id/ and its English version in docs/en/ (docs/id/pemasangan.md and docs/en/installation.md
# are helper docsops' pages of issue 15).
PAGES = {
    "README.md": "README.md",
    "pemasangan.md": "installation.md",
    "hari-pertama.md": "first-day.md",
    "rutin.md": "routines.md",
    "panduan-media.md": "outlets-guide.md",
}
MAX_IMAGES_BYTES = 2 * 1024 * 1024

FENCE = re.compile(r"^\s*(```|~~~)")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def guide_pages() -> list[Path]:
    return sorted((DOCS / "id").glob("*.md")) + sorted((DOCS / "en").glob("*.md"))


def prose_lines(path: Path) -> list[str]:
    """The page's lines outside fenced code blocks, with HTML comments removed (the guide keeps the images of
    features not merged yet in comments)."""
    text = COMMENT.sub("", path.read_text(encoding="utf-8"))
    lines, in_fence = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            lines.append(line)
    return lines


def links(path: Path) -> list[str]:
    return [match.group(1) for line in prose_lines(path) for match in LINK.finditer(INLINE_CODE.sub("", line))]


def github_anchor(heading: str) -> str:
    """GitHub's anchor of a heading: its text (links reduced to their words) lower-cased, every character that is
    not a letter, digit, space, hyphen or underscore dropped, spaces turned into hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = "".join(char for char in text if char.isalnum() or char in " -_")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor; a repeated one gets -1, -2... as on GitHub."""
    seen: dict[str, int] = {}
    result = set()
    for line in prose_lines(path):
        match = HEADING.match(line)
        if not match:
            continue
        anchor = github_anchor(match.group(2))
        if anchor in seen:
            seen[anchor] += 1
            anchor = f"{anchor}-{seen[anchor]}"
        else:
            seen[anchor] = 0
        result.add(anchor)
    return result


def broken_links(path: Path, *, only_into: Path | None = None) -> list[str]:
    problems = []
    for target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, fragment = target.partition("#")
        destination = (path.parent / unquote(file_part)).resolve() if file_part else path.resolve()
        if only_into is not None and not destination.is_relative_to(only_into.resolve()):
            continue
        if not destination.exists():
            problems.append(f"{path.relative_to(BASE_DIR)}: {target}: no file {destination.relative_to(BASE_DIR)}")
        elif fragment and destination.suffix == ".md" and unquote(fragment) not in anchors(destination):
            problems.append(f"{path.relative_to(BASE_DIR)}: {target}: no heading #{fragment} in "
                            f"{destination.relative_to(BASE_DIR)}")
    return problems


def screenshots_module():
    spec = importlib.util.spec_from_file_location("docs_screenshots", DOCS / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_github_anchor_rules():
    assert github_anchor("1. Membuat instansi dan administratornya") == "1-membuat-instansi-dan-administratornya"
    assert github_anchor("7. Import the office's own list of outlets") == "7-import-the-offices-own-list-of-outlets"
    assert github_anchor("Second approval (PPK)") == "second-approval-ppk"
    assert github_anchor("The `import_outlets` command") == "the-import_outlets-command"
    assert github_anchor("Budgets, orders and /transparency/") == "budgets-orders-and-transparency"


@pytest.mark.parametrize("page", guide_pages(), ids=lambda page: str(page.relative_to(DOCS)))
def test_every_link_of_the_guide_points_to_a_file_and_heading_that_exist(page):
    assert broken_links(page) == []


def test_the_readme_links_into_docs_exist():
    readme = BASE_DIR / "README.md"
    targets = [target for target in links(readme) if target.startswith("docs/")]
    assert any(target.startswith("docs/id/") for target in targets), "README.md points to the Indonesian guide"
    assert broken_links(readme, only_into=DOCS) == []


def test_each_indonesian_page_has_its_english_counterpart():
    indonesian = {page.name for page in (DOCS / "id").glob("*.md")}
    english = {page.name for page in (DOCS / "en").glob("*.md")}
    assert indonesian - set(PAGES) == set(), "a new page of docs/id/ needs its English name in PAGES"
    assert english - set(PAGES.values()) == set(), "a page of docs/en/ without an Indonesian original in PAGES"
    missing = [f"docs/id/{id_page} → docs/en/{en_page}" for id_page, en_page in PAGES.items()
               if (DOCS / "id" / id_page).exists() != (DOCS / "en" / en_page).exists()]
    assert missing == []
    assert (DOCS / "id" / "README.md").exists()


def test_the_guides_images_are_the_screenshots_scripts():
    """Every image the guide shows is taken by docs/screenshots.py (so it can be taken again), every image the
    script takes is in the repository, and all of them stay small."""
    module = screenshots_module()
    names = [shot.name for shot in module.SHOTS]
    assert len(names) == len(set(names)), "each image name is listed once"
    shown = set()
    for page in guide_pages():
        for target in links(page):
            if target.endswith(".png"):
                shown.add((page.parent / target).resolve())
    assert {path.parent for path in shown} <= {IMAGES.resolve()}, "the guide's images live in docs/id/img/"
    assert {path.stem for path in shown} - {shot.name for shot in module.SHOTS} == set()
    assert [shot.name for shot in module.SHOTS if not (IMAGES / f"{shot.name}.png").exists()] == []
    assert sum(path.stat().st_size for path in IMAGES.glob("*.png")) < MAX_IMAGES_BYTES


def test_screenshots_script_lists_its_images():
    result = subprocess.run([sys.executable, "docs/screenshots.py", "--list"], cwd=BASE_DIR, capture_output=True,
                            text=True, check=True)
    assert "masuk" in result.stdout.split()
    result = subprocess.run([sys.executable, "docs/screenshots.py", "--only", "no-such-page"], cwd=BASE_DIR,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "unknown image name" in result.stderr


@pytest.mark.slow
def test_screenshots_script_takes_a_page(tmp_path):
    """One page into tmp_path, from the demo on the script's own database (migrate and seed_demo included)."""
    from tests.browser import chromium_or_skip

    chromium_or_skip()
    result = subprocess.run(  # noqa: S603 (our interpreter, our script)
        [sys.executable, "docs/screenshots.py", "--only", "masuk", "--out", str(tmp_path)], cwd=BASE_DIR,
        capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    image = tmp_path / "masuk.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(image) as opened:
        assert opened.size == (1280, 800)
    assert "1 image(s)" in result.stdout
