"""The plain-words verdict on a classifier no better than guessing the majority class."""

import numpy as np

from lnn.majority import (
    BASELINE_MARGIN,
    history_verdict,
    majority_verdict,
    sample_noun,
)
from messages.status import HistoryEntry

CAT = ("non-cat", "cat")
STUCK_CAT = [[137, 0], [72, 0]]  # the course's cat network, predicting non-cat throughout


def test_a_constant_classifier_is_named_in_the_learners_words() -> None:
    message = majority_verdict(STUCK_CAT, split="train", classes=CAT, noun="images")
    assert message == "predicts non-cat for all 209 training images: 0.656 is the share of non-cat"


def test_predicting_the_minority_class_for_all_is_flagged_too() -> None:
    message = majority_verdict([[0, 137], [0, 72]], split="test", classes=CAT)
    assert message == "predicts cat for all 209 test samples: 0.344 is the share of cat"


def test_nearly_every_sample_in_one_class_says_how_many() -> None:
    message = majority_verdict([[136, 1], [70, 2]], classes=CAT, noun="images")
    assert message is not None
    assert message.startswith("predicts non-cat for 206 of 209 training images")


def test_an_accuracy_at_the_majority_share_with_mixed_predictions() -> None:
    # 45 right of 100 where class 0 holds 60: predictions spread over both.
    message = majority_verdict([[30, 30], [25, 15]], split="dev", noun="points")
    assert message == (
        "scores 0.450 on the 100 dev points, no better than predicting class 0 for all: "
        "0.600 is the share of class 0"
    )


def test_balanced_classes_are_called_chance_not_one_class() -> None:
    # Ten classes of 10 % (one of 11 %): naming "the most common class" would name a class
    # picked by one sample; a network at 10 % is at chance.
    counts = np.full((10, 10), 1)
    counts[3, 3] += 1
    message = majority_verdict(counts, split="test", classes=[str(d) for d in range(10)])
    assert message == (
        "scores 0.109 on the 101 test samples, no better than chance: the 10 classes are "
        "balanced, the largest (3) is 0.109 of them"
    )


def test_a_classifier_that_learned_is_not_flagged() -> None:
    assert majority_verdict([[130, 7], [5, 67]], classes=CAT) is None
    # Mostly one class predicted, on data mostly of that class, yet right beyond the share.
    assert majority_verdict([[95, 0], [2, 3]]) is None
    digits = [[10 if i == j else 0 for j in range(10)] for i in range(10)]
    assert majority_verdict(digits) is None


def test_the_margin_is_the_one_threshold_above_the_share() -> None:
    # 1000 samples, majority share 0.6: at the margin flagged, one more right answer not.
    at_margin = int((0.6 + BASELINE_MARGIN) * 1000)
    assert majority_verdict([[at_margin - 200, 600 - at_margin + 200], [200, 200]]) is not None
    beyond = at_margin + 1
    assert majority_verdict([[beyond - 200, 600 - beyond + 200], [200, 200]]) is None


def test_the_history_verdict_reads_the_latest_evaluation() -> None:
    learned = [[130, 7], [5, 67]]
    history = [
        HistoryEntry(epoch=1, cost=0.7, train_accuracy=0.656, train_confusion=STUCK_CAT),
        HistoryEntry(epoch=2, cost=0.6),  # no evaluation after this epoch
        HistoryEntry(epoch=3, cost=0.2, train_accuracy=0.943, train_confusion=learned),
    ]
    assert history_verdict(history, classes=CAT) is None
    verdict = history_verdict(history[:2], classes=CAT, noun="images")
    assert verdict is not None and (verdict.split, verdict.epoch) == ("train", 1)
    # The first flagged split, in order train, dev, test.
    dev_stuck = HistoryEntry(
        epoch=4, cost=0.2, train_confusion=learned, dev_confusion=[[40, 0], [10, 0]]
    )
    verdict = history_verdict([dev_stuck], classes=CAT)
    assert verdict is not None and verdict.split == "dev"
    assert (
        verdict.message == "predicts non-cat for all 50 dev samples: 0.800 is the share of non-cat"
    )
    assert history_verdict([HistoryEntry(epoch=1, cost=0.3)]) is None  # a regression's


def test_samples_are_called_by_what_they_are() -> None:
    assert sample_noun("cat", 64 * 64 * 3) == "images"
    assert sample_noun("digits", 64) == "images"
    assert sample_noun("moons", 2) == "points"
    assert sample_noun("breast_cancer", 30) == "samples"
    assert sample_noun(None, None) == "samples"
