"""Corrections made on the page (issue 18): `build.py serve` on a copy of the project whose corrections.yaml
holds only the editor's comment, the article corrected in headless Chromium by clicking and typing only; the file
written is the hand-written one, keeps the comment, and builds with --strict beside the editor's other decisions.
A hand edit made while the page is open wins over the page; a write without this run's secret, from another
Origin or to another Host is refused; axe in edit mode, light and dark; everything by keyboard."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from conftest import PROJECT, SEED
from editio import yamlio
from test_serve import Served, copy_project

SLUG = SEED.stem
COMMENT = "# Kept by hand: decisions made while reading the proofs.\n"
SHOTS = PROJECT / "test-artifacts"


@pytest.fixture
def served(tmp_path):
    server = Served(copy_project(tmp_path, SEED, COMMENT))
    yield server
    server.stop()


def enter(page: Page, served: Served, slug: str = SLUG) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(served.url + f"{slug}/")
    page.get_by_role("button", name="Edit mode").click()
    expect(page.locator(".editio-panel")).to_be_visible()


def written(page: Page, served: Served) -> None:
    """The write is confirmed, the whole site rebuilt (the open page may be reloaded twice: with the article
    at once, then with the site) and the page reloaded in edit mode."""
    builds = served.output().count("rebuilt in")
    expect(page.locator(".editio-status")).to_contain_text("Written to corrections.yaml", timeout=20_000)
    served.wait_for("rebuilt in", count=builds + 1)
    page.wait_for_timeout(400)
    page.wait_for_load_state("load")
    expect(page.locator(".editio-panel")).to_be_visible(timeout=20_000)


def question(page: Page, name: str):
    return page.locator(".editio-panel").get_by_role("button", name=name, exact=True)


def lost(page: Page, note: int):
    return page.locator(".editio-panel").get_by_role("button", name=re.compile(f"^Note {note}: its marker is lost"))


def dialog(page: Page):
    box = page.locator("dialog.editio-dialog")
    expect(box).to_be_visible()
    return box


def block_with(page: Page, words: str) -> str:
    return page.evaluate("""words => [...document.querySelectorAll('main p[id]')]
        .find(p => p.textContent.replace(/\\s+/g, ' ').includes(words)).id""", words)


def click_after(page: Page, words: str) -> None:
    """A click just before the last character of the words, where the text shows them."""
    point = page.evaluate("""words => {
        for (const p of document.querySelectorAll('main p[id]')) {
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {
            const at = node.nodeValue.indexOf(words);
            if (at >= 0) {
              const r = document.createRange();
              r.setStart(node, at + words.length - 1);
              r.setEnd(node, at + words.length);
              scrollBy(0, r.getBoundingClientRect().top - innerHeight / 4);  // above the edit mode's panel
              const box = r.getBoundingClientRect();
              return [box.left + box.width * 0.3, box.top + box.height / 2];
            }
          }
        }
      }""", words)
    page.mouse.click(*point)


def select(page: Page, block: str, words: str) -> None:
    page.evaluate("""([id, words]) => {
        const node = [...document.getElementById(id).querySelectorAll('*')].concat([document.getElementById(id)])
          .flatMap(e => [...e.childNodes]).find(n => n.nodeType === 3 && n.nodeValue.includes(words));
        node.parentElement.scrollIntoView({block: 'center'});
        const r = document.createRange(), at = node.nodeValue.indexOf(words);
        r.setStart(node, at); r.setEnd(node, at + words.length);
        getSelection().removeAllRanges(); getSelection().addRange(r);
        document.getElementById(id).dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
      }""", [block, words])
    page.get_by_role("button", name="Emend selection…").click()


def restore_by_click(page: Page, served: Served, note: int, words: str, reason: str) -> None:
    lost(page, note).click()
    box = dialog(page)
    box.get_by_label("Reason (the evidence)").fill(reason)
    box.get_by_role("button", name="Choose the place in the text").click()
    expect(page.locator(".editio-status")).to_contain_text(f"Click where the marker of note {note} stood")
    click_after(page, words)
    box = dialog(page)
    assert words.endswith(box.get_by_label("After the words").input_value().split(" ")[-1])
    box.get_by_role("button", name="Restore the marker").click()
    written(page, served)


def emend(page: Page, served: Served, block: str, words: str, reading: str, reason: str) -> None:
    select(page, block, words)
    box = dialog(page)
    box.get_by_label("The edition's reading").fill(reading)
    box.get_by_label("Reason (the evidence)").fill(reason)
    box.get_by_role("button", name="Emend", exact=True).click()
    written(page, served)


def test_an_editor_corrects_the_article_by_clicking_and_typing(page: Page, served: Served, tmp_path):
    enter(page, served)
    # A lost marker's proposed place, accepted where the page shows it.
    chip = page.locator(".editio-chip", has_text="Note 27:")
    chip.evaluate("chip => scrollBy(0, chip.getBoundingClientRect().top - innerHeight / 4)")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "edit-mode.png"))  # the README's picture
    chip.click()
    box = dialog(page)
    box.get_by_label("Reason (the evidence)").fill("Note 27 reports the rallies of several hundred workers.")
    box.get_by_role("button", name="Restore the marker").click()
    written(page, served)
    # Lost markers placed by clicking where they stood.
    restore_by_click(page, served, 9, "fuelling growing tensions in the workplace.",
                     "Note 9 refers to Black for the economic troubles of Leningrad.")
    restore_by_click(page, served, 26, "call on the Leningrad delegation to unite with the majority.",
                     "Note 26 documents the Vyborgskii aktiv meeting.")
    restore_by_click(page, served, 80, "by candidate members in the Rabotnitsa plant.",
                     "Note 80 gives Suzdal'tseva's speech.")
    # One typed: the paragraph and the words before the place.
    paragraph = block_with(page, "place new pressures upon workers.")
    lost(page, 51).click()
    box = dialog(page)
    box.get_by_label("Paragraph").fill(paragraph)
    box.get_by_label("After the words").fill("place new pressures upon workers.")
    box.get_by_label("Reason (the evidence)").fill("Note 51 cites the Bureau's resolution on rationalisation.")
    box.get_by_role("button", name="Restore the marker").click()
    written(page, served)
    # Emendations of words selected in the notes; a third, undone.
    emend(page, served, "note-15", "1. 9", "l. 9", "OCR read the folio abbreviation 'l.' as the digit '1'.")
    emend(page, served, "note-30", "2200strong", "2200-strong", "The hyphen was lost at a line break of the PDF.")
    emend(page, served, "note-30", "party meeting", "Party meeting", "A slip: undone below.")
    page.locator(".editio-panel").get_by_role("button", name="Undo").click()
    written(page, served)
    expect(page.locator(".editio-status")).to_contain_text("undone: 'party meeting' emended to 'Party meeting'")
    # Three doubts settled: a lacuna recorded, the abstract and a bibliography entry accepted.
    question(page, "Text may be lost at the end of p12").click()
    box = dialog(page)
    assert box.get_by_label("Text lost after the words").input_value() == "their delegations. The"
    box.get_by_label("Reason (the evidence)").fill("The paragraph breaks off after 'The' at a page break.")
    box.get_by_role("button", name="Record the lacuna").click()
    written(page, served)
    question(page, "inferred: the first paragraph after the title, which has no note markers, is taken as the "
                   "abstract").click()
    box = dialog(page)
    box.get_by_label("Reason (the evidence)").fill("The abstract is the journal's, as printed.")
    box.get_by_role("button", name="Accept as it stands").click()
    written(page, served)
    page.locator(".editio-panel").get_by_role(
        "button", name="entry-doubt: the title's quotation marks do not match; the inner quotation is kept whole").first.click()
    box = dialog(page)
    box.get_by_label("Reason (the evidence)").fill("The title prints its quotation marks so.")
    box.get_by_role("button", name="Accept as it stands").click()
    written(page, served)

    text = served.corrections.read_text(encoding="utf-8")
    assert text.startswith(COMMENT)
    assert yamlio.loads(text, "corrections.yaml") == yamlio.loads(HAND_WRITTEN.replace("PARAGRAPH51", paragraph), "hand")
    assert len(list((served.corrections.parent / ".history").iterdir())) == 12  # every version replaced, kept

    # With the editor's other decisions beside them, the article builds with --strict.
    mine = yamlio.loads(text, "page")
    hand = yamlio.loads((PROJECT / "edition" / SLUG / "corrections.yaml").read_text(encoding="utf-8"), "hand")
    merged = {section: list(mine.get(section, [])) + [e for e in items if not _same(section, e, mine.get(section, []))]
              for section, items in hand.items()}
    (tmp_path / "out" / "edition" / SLUG).mkdir(parents=True)
    (tmp_path / "out" / "edition" / SLUG / "corrections.yaml").write_text(yamlio.dumps(merged), encoding="utf-8")
    result = subprocess.run([sys.executable, str(PROJECT / "build.py"), "--strict", "--seed", str(SEED), "--out",
                             str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def _same(section: str, entry: dict, mine: list) -> bool:
    """Whether the page made the editor's decision this entry of the project's file records."""
    if section == "markers":
        return any(e["note"] == entry["note"] for e in mine)
    if section == "emendations":
        return any(e["where"] == entry.get("where") and e["source"] in entry["source"] for e in mine)
    if section == "accept":
        return any(e["doubt"] == entry["doubt"] and (e["about"] in entry["about"] or entry["about"] in e["about"])
                   for e in mine)
    return section == "lacunae" and bool(mine)


HAND_WRITTEN = """
markers:
  - {note: 27, after: several hundred workers., where: p9,
     reason: Note 27 reports the rallies of several hundred workers.}
  - {note: 9, after: in the workplace., where: p4, reason: Note 9 refers to Black for the economic troubles of Leningrad.}
  - {note: 26, after: with the majority., where: p9, reason: Note 26 documents the Vyborgskii aktiv meeting.}
  - {note: 80, after: the Rabotnitsa plant., where: p35, reason: "Note 80 gives Suzdal'tseva's speech."}
  - {note: 51, after: pressures upon workers., where: PARAGRAPH51,
     reason: "Note 51 cites the Bureau's resolution on rationalisation."}
emendations:
  - {where: note 15, source: "1. 9", edition: l. 9, reason: "OCR read the folio abbreviation 'l.' as the digit '1'."}
  - {where: note 30, source: 2200strong, edition: 2200-strong, reason: The hyphen was lost at a line break of the PDF.}
lacunae:
  - {after: their delegations. The, where: p12, reason: "The paragraph breaks off after 'The' at a page break."}
accept:
  - {doubt: inferred, about: "This article examines the process by […] t ideology influenced Soviet society.",
     reason: "The abstract is the journal's, as printed."}
  - {doubt: entry-doubt, about: "———. 'Zinoviev Re-examined: Comments on Lars Lih's \\"Populist Leninist\\". *The NEP",
     reason: The title prints its quotation marks so.}
"""


def test_a_link_doubt_settled_by_choosing_the_work(page: Page, tmp_path):
    seed = Path(__file__).parent / "seeds" / "gorky-car-plant-author-date.txt"
    served = Served(copy_project(tmp_path, seed, COMMENT))
    try:
        enter(page, served, seed.stem)
        page.locator(".editio-panel").get_by_role("button", name=re.compile("^Note 8: .*Kuromiya 1988")).click()
        box = dialog(page)
        assert box.get_by_label("The citation").input_value() == "Kuromiya 1988, p. 301"
        box.get_by_label("The work it cites").select_option(
            label="Kuromiya, H. (1988b) 'The Crisis of Proletarian Identity in the Soviet Factory', Slavic Review, 47, 2, pp. …")
        box.get_by_label("Reason (the evidence)").fill("The crisis of 1928 is the subject of 1988b.")
        box.get_by_role("button", name="Link", exact=True).click()
        written(page, served)
        text = (served.root / "edition" / seed.stem / "corrections.yaml").read_text(encoding="utf-8")
        assert yamlio.loads(text, "c")["citations"] == [
            {"note": 8, "text": "Kuromiya 1988, p. 301", "target": "kuromiya-1988b-crisis",
             "reason": "The crisis of 1928 is the subject of 1988b."}]
        expect(page.locator(".editio-panel").get_by_role("button", name=re.compile("^Note 8: "))).to_have_count(0)
        page.goto(served.url + f"{seed.stem}/#note-8")
        expect(page.locator("#note-8 a[href*='kuromiya-1988b-crisis']")).to_have_count(1)
    finally:
        served.stop()


def _post(served: Served, headers: dict, body: dict) -> int:
    request = urllib.request.Request(served.url + "__editio__/edit", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _secret(served: Served) -> str:
    page = urllib.request.urlopen(served.url + f"{SLUG}/", timeout=10).read().decode()
    return re.search(r'name="editio-secret" content="([^"]+)"', page).group(1)


def test_a_write_not_from_this_servers_page_is_refused(served: Served):
    before = served.corrections.read_bytes()
    secret, own = _secret(served), f"http://127.0.0.1:{served.port}"
    body = {"action": "accept", "slug": SLUG, "doubt": 0, "reason": "r", "digest": ""}
    assert _post(served, {"Origin": own}, body) == 403                                   # no secret
    assert _post(served, {"Origin": "http://evil.example", "X-Editio-Secret": secret}, body) == 403
    assert _post(served, {"Origin": own, "X-Editio-Secret": secret, "Host": f"rebound.example:{served.port}"},
                 body) == 403
    assert _post(served, {"Origin": own, "X-Editio-Secret": "guessed"}, body) == 403
    assert served.corrections.read_bytes() == before
    assert "/__editio__/edit" not in (PROJECT / "templates" / "base.html.j2").read_text()  # never in the site


def test_a_hand_edit_made_while_the_page_is_open_wins(page: Page, served: Served):
    page.route("**/__editio__/events*", lambda route: route.abort())  # this page hears of no rebuild
    enter(page, served)
    by_hand = served.corrections.read_text(encoding="utf-8") + "# Added by hand while the page was open.\n"
    served.corrections.write_text(by_hand, encoding="utf-8")
    question(page, "inferred: the first paragraph after the title, which has no note markers, is taken as the "
                   "abstract").click()
    box = dialog(page)
    box.get_by_label("Reason (the evidence)").fill("The abstract is the journal's.")
    box.get_by_role("button", name="Accept as it stands").click()
    expect(page.locator(".editio-status")).to_have_text(
        "Not written: corrections.yaml was changed (by hand, or in another page) since this page was loaded: nothing "
        "was written; the page reloads with the file as it is now")
    assert served.corrections.read_text(encoding="utf-8") == by_hand
    page.wait_for_load_state("load")
    expect(page.locator(".editio-status")).to_contain_text("Not written: corrections.yaml was changed", timeout=10_000)


def test_every_action_by_keyboard(page: Page, served: Served):
    enter(page, served)
    page.locator(".editio-panel").get_by_role("button", name="Emend…").focus()
    page.keyboard.press("Enter")
    box = dialog(page)
    box.get_by_label("In", exact=True).select_option("note 30")
    box.get_by_label("The words as the source reads them").focus()
    page.keyboard.type("2200strong")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("2200-strong")
    page.keyboard.press("Tab")
    page.keyboard.type("The hyphen was lost at a line break.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Emend"
    page.keyboard.press("Enter")
    written(page, served)
    assert yamlio.loads(served.corrections.read_text(encoding="utf-8"), "c")["emendations"] == [
        {"where": "note 30", "source": "2200strong", "edition": "2200-strong",
         "reason": "The hyphen was lost at a line break."}]
    page.locator(".editio-panel").get_by_role("button", name="Undo").focus()
    page.keyboard.press("Enter")
    written(page, served)
    assert served.corrections.read_text(encoding="utf-8") == COMMENT


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_in_edit_mode(browser, served: Served, scheme):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    enter(page, served)
    found = {"panel": [v["id"] for v in Axe().run(page).response["violations"]]}
    page.locator(".editio-chip", has_text="Note 6:").click()
    dialog(page)
    found["dialog"] = [v["id"] for v in Axe().run(page).response["violations"]]
    context.close()
    assert found == {"panel": [], "dialog": []}


def test_edit_mode_on_a_page_of_no_article_says_where_to_go(page: Page, served: Served):
    page.goto(served.url)
    page.get_by_role("button", name="Edit mode").click()
    expect(page.get_by_role("status")).to_have_text(
        "Edit mode corrects an article: open one of the articles listed here.")
    expect(page.locator(".editio-panel")).to_have_count(0)
