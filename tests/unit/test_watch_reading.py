"""What the page tells a learner besides the figures: which splits the accuracy chart has, why
it is empty, and what each term means (one glossary, shipped with the page)."""

import re
from importlib import resources

from watch_runs import config, watched_run

from lnn.watch.curves import history_section
from lnn.watch.glossary import TERMS
from lnn.watch.page import SECTIONS, live_page, report_page
from lnn.watch.series import STATISTICS
from messages.status import HistoryEntry


def test_the_accuracy_chart_has_only_the_splits_the_run_has() -> None:
    without_dev = watched_run(config())[0].document()["history"]
    assert without_dev["splits"] == ["train"] and without_dev["no_accuracy"] is None
    with_dev = watched_run(config(holdout=0.25))[0].document()["history"]
    assert with_dev["splits"] == ["train", "dev"]
    assert with_dev["dev"][-1] is not None


def test_an_accuracy_chart_before_the_first_evaluation_says_when_it_comes() -> None:
    first = [HistoryEntry(epoch=1, cost=0.7), HistoryEntry(epoch=2, cost=0.6)]
    spread = history_section(config(epochs=100, eval_every="auto"), first)
    assert spread["splits"] == []
    assert spread["no_accuracy"] == (
        "No accuracy yet: the first evaluation is after epoch 5, then every 5 epochs and "
        "after the last (--eval-every)."
    )
    once = history_section(config(epochs=100, eval_every=0), first)
    assert once["no_accuracy"] == (
        "No accuracy yet: the run is evaluated once, after its last epoch (100)."
    )


def _fragments() -> str:
    folder = resources.files("lnn.watch").joinpath("assets")
    parts = [folder.joinpath("page.html").read_text(encoding="utf-8")]
    for name in SECTIONS:
        fragment = folder.joinpath("sections", name + ".html")
        if fragment.is_file():
            parts.append(fragment.read_text(encoding="utf-8"))
    return "".join(parts)


def test_every_term_the_page_names_is_explained() -> None:
    named = set(re.findall(r'data-term="([a-z_]+)"', _fragments()))
    assert {"calls_per_hop", "telemetry_steps", "dead", "saturated"} <= named
    assert {"update_ratio", "grad_rms"} <= named
    assert named <= set(TERMS)
    assert set(STATISTICS) <= set(TERMS)  # the selector's options and the unit plots' titles
    assert all(len(meaning.split()) >= 8 for meaning in TERMS.values())


def test_both_pages_ship_the_glossary() -> None:
    view, _ = watched_run(config(epochs=2))
    for page in (live_page("t"), report_page("t", view.document())):
        assert "window.LNN_GLOSSARY = {" in page
        assert TERMS["calls_per_hop"].split(":")[0] in page


def test_a_title_naming_a_path_is_text_in_both_pages() -> None:
    """A --dataset path lands in the title: shown as written, never read as markup or as one
    of the page's placeholders."""
    view, _ = watched_run(config(epochs=2))
    title = "lnn report: /data/<b>x</b>&y {{SCRIPTS}}.npz 8:relu"
    for page in (live_page(title), report_page(title, view.document())):
        shown = "lnn report: /data/&lt;b&gt;x&lt;/b&gt;&amp;y {{SCRIPTS}}.npz 8:relu"
        assert f"<title>{shown}</title>" in page and f"<h1>{shown}</h1>" in page
        assert "<b>x</b>" not in page
