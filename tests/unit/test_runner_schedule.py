"""The runner's queue predictor: once it has seen a step, it polls the right queue first."""

from infra.local.schedule import HopPredictor

# One training step of a 4-layer network: each layer queue is visited going forward and
# again going backward, so the queue after "l3" depends on where the network came from.
STEP = ["trainer", "l1", "l2", "l3", "l4", "out", "l4", "l3", "l2", "l1"]
QUEUES = set(STEP)


def wrong_first_guesses(predictor: HopPredictor, steps: int, step: list[str] | None = None) -> int:
    wrong = 0
    for _ in range(steps):
        for queue in step or STEP:
            guesses = predictor.guesses(QUEUES)
            wrong += bool(guesses) and guesses[0] != queue
            predictor.hit(queue, full=False)
    return wrong


def test_after_two_steps_every_first_guess_is_right() -> None:
    predictor = HopPredictor()
    wrong_first_guesses(predictor, steps=2)  # the second sees step-to-step transition
    assert wrong_first_guesses(predictor, steps=5) == 0


def test_a_full_receive_polls_the_same_queue_again_first() -> None:
    predictor = HopPredictor()
    wrong_first_guesses(predictor, steps=1)
    predictor.hit("l2", full=True)
    assert predictor.guesses(QUEUES)[0] == "l2"


def test_guesses_only_known_queues() -> None:
    predictor = HopPredictor()
    wrong_first_guesses(predictor, steps=1)
    assert "l3" not in predictor.guesses(QUEUES - {"l3"})


def test_a_queue_that_follows_itself_is_guessed_first() -> None:
    # Layer 1's last backward stage starts the next step on layer 1 itself.
    predictor = HopPredictor()
    step = ["l1", "l2", "l3", "out", "l3", "l2", "l1"]
    wrong_first_guesses(predictor, steps=2, step=step)
    assert wrong_first_guesses(predictor, steps=5, step=step) == 0
