"""The report's predictions section in Chromium: each split's confusion matrix with the
dataset's class names, a slider over the evaluations, pictures right, wrong and least sure,
misclassified points circled, and the plain-words banner for a constant classifier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browser_pages import Tab, open_report, text
from watch_runs import config, dead_relu_config, watched_run

from lnn.watch.report import write_report

DIGITS = [str(d) for d in range(10)]


def _matrix(page: Any, split: str) -> tuple[list[str], list[list[int]]]:
    """The table's column headers (class names) and counts, as the page shows them."""
    table = page.locator(f"#predictions-{split}")
    heads = table.locator("tr").first.locator("th").all_inner_texts()[1:]
    rows = [
        [int(v) for v in row.locator("td").all_inner_texts()]
        for row in table.locator("tr").all()[1:]
    ]
    return heads, rows


def test_a_digits_report_shows_each_splits_matrix_named_and_its_history(
    tab: Tab, tmp_path: Path, screenshots: Path
) -> None:
    cfg = config(
        "digits",
        layers=[{"units": 16, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        epochs=6,
        eval_every=2,
        lr=0.3,
        holdout=0.2,
    )
    view, result = watched_run(cfg)
    page = open_report(tab, write_report(tmp_path, view))
    evaluated = [h for h in result.history if h.train_confusion is not None]
    assert [h.epoch for h in evaluated] == [2, 4, 6]
    for split in ("train", "dev"):
        heads, rows = _matrix(page, split)
        assert heads == DIGITS
        assert rows == getattr(evaluated[-1], f"{split}_confusion")
    assert page.locator("#predictions-test").count() == 0  # the run has no test split
    assert "after epoch 6 (3 of 3)" in text(page, "predictions-step-text")
    # Back to the first evaluation: its counts, its epoch.
    page.locator("#predictions-step").fill("0")
    assert "after epoch 2 (1 of 3)" in text(page, "predictions-step-text")
    assert _matrix(page, "train")[1] == evaluated[0].train_confusion
    # A live poll may bring the evaluations spread anew (past the number kept): the slider
    # stays on the epoch chosen, wherever it now stands, rather than on its old position.
    page.locator("#predictions-step").fill("1")
    assert "after epoch 4 (2 of 3)" in text(page, "predictions-step-text")
    page.evaluate(
        "() => { const d = Object.assign({}, window.LNN.doc);"
        " d.predictions = Object.assign({}, d.predictions,"
        " {evaluations: d.predictions.evaluations.slice(1)});"
        " window.LNN.sections.find(s => s.keys.includes('predictions')).render(d); }"
    )
    assert "after epoch 4 (1 of 2)" in text(page, "predictions-step-text")
    page.locator("#predictions-step").fill("0")
    # Pictures of the dev split, each captioned with a digit's name and a probability.
    for kind in ("right", "wrong", "unsure"):
        captions = page.locator(f"#predictions-{kind} figcaption").all_inner_texts()
        assert captions and all(c.split(" P ")[0] in DIGITS for c in captions), kind
        sources = page.locator(f"#predictions-{kind} img").evaluate_all("ns => ns.map(n => n.src)")
        assert all(src.startswith("data:image/png;base64,") for src in sources), kind
    assert page.locator("#predictions-verdict").is_hidden()  # it learned beyond guessing
    page.locator("#predictions").screenshot(path=str(screenshots / "predictions-digits.png"))
    assert tab.errors == []


def test_a_constant_classifier_gets_the_banner_in_plain_words(
    tab: Tab, tmp_path: Path, screenshots: Path
) -> None:
    # Zero weights: the output is 0.5 for every point, so "upper" is predicted for all.
    view, result = watched_run(dead_relu_config())
    final = result.history[-1].train_confusion
    assert final is not None and [row[1] for row in final] == [0, 0]
    page = open_report(tab, write_report(tmp_path, view))
    banner = text(page, "predictions-verdict")
    total = sum(map(sum, final))
    assert banner == (
        f"After epoch 2, the network predicts upper for all {total} training points: "
        "0.500 is the share of upper."
    )
    assert _matrix(page, "train") == (["upper", "lower"], final)
    # The connection banner is another element, and stays hidden in a report.
    assert page.locator("#banner").is_hidden()
    # Every point on the wrong side of the boundary is circled.
    wrong = page.evaluate(
        "() => document.getElementById('boundary-plot').data"
        ".find(t => t.name === 'misclassified').x.length"
    )
    assert wrong == final[1][0]
    assert text(page, "boundary-wrong").startswith(f"{wrong} of {total} points misclassified")
    page.locator("#predictions").screenshot(path=str(screenshots / "predictions-banner.png"))
    assert tab.errors == []


def test_a_good_2d_classifier_has_no_banner(tab: Tab, tmp_path: Path) -> None:
    view, result = watched_run(config(epochs=60, eval_every=30, lr=1.0))
    final = result.history[-1]
    assert final.train_accuracy is not None and final.train_accuracy > 0.8
    page = open_report(tab, write_report(tmp_path, view))
    assert page.locator("#predictions-verdict").is_hidden()
    assert _matrix(page, "train") == (["upper", "lower"], final.train_confusion)
    assert tab.errors == []


def test_an_output_that_is_not_a_probability_says_why_there_is_no_grid(
    tab: Tab, tmp_path: Path
) -> None:
    layers = [{"units": 8, "activation": "relu"}, {"units": 10, "activation": "relu"}]
    view, _ = watched_run(config("digits", layers=layers, epochs=2, lr=0.05))
    page = open_report(tab, write_report(tmp_path, view))
    said = text(page, "predictions-examples")
    assert "10:relu" in said and "not class probabilities" in said
    assert page.locator("#predictions-examples img").count() == 0
    assert " P " not in said
    assert tab.errors == []
