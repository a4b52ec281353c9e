"""Dead units over time in a run's TensorBoard log: the events of each step and the verdicts
as text, the strip as a picture, read back with TensorBoard's own reader."""

import io
from pathlib import Path

import numpy as np
from dying_units import ALIVE, DEAD, net_records, unit_steps
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from lnn.tensorboard import run_board, write_board
from lnn.tensorboard.dead_units import ALIVE_RGB, DEAD_RGB, ROW_PIXELS, STRIP_WIDTH
from lnn.tensorboard.tags import TRAIN

# unit 0 dies at step 2 and revives at 4; unit 1 dies at step 3 and stays dead.
RECORDS = net_records(
    unit_steps([ALIVE, DEAD, DEAD, ALIVE, ALIVE], [ALIVE, ALIVE, DEAD, DEAD, DEAD])
)


def test_the_board_holds_each_steps_events_the_verdicts_and_the_strip() -> None:
    board = run_board(None, [], RECORDS, None)
    texts = {(t.tag, t.step): t.text for t in board.texts}
    assert texts == {
        ("layer1/unit_events", 2): "- unit 0 died: Z ≤ 0 on every sample (max Z -0.41, bias -0.2)",
        ("layer1/unit_events", 3): "- unit 1 died: Z ≤ 0 on every sample (max Z -0.41, bias -0.3)",
        ("layer1/unit_events", 4): "- unit 0 revived (max Z 2, bias -0.4)",
        ("layer1/unit_verdicts", 5): (
            "- layer 1 unit 0: revived at step 4 (epoch 4) after being dead since step 2 "
            "(max Z 2, bias -0.5)\n"
            "- ! layer 1 unit 1: dead since step 3 (epoch 3): Z ≤ 0 on every sample "
            "(max Z -0.41, bias -0.5)"
        ),
    }  # the output layer (layer 2) has none
    (strip,) = board.pictures
    assert strip.tag == "layer1/dead_units" and strip.step == 5
    columns = STRIP_WIDTH // 5
    assert strip.pixels.shape == (1, 2 * ROW_PIXELS, 5 * columns, 3)
    cells = strip.pixels[0, ::ROW_PIXELS, ::columns]  # one pixel per (unit, step)
    dead = [[0, 1, 1, 0, 0], [0, 0, 1, 1, 1]]
    expected = np.where(np.array(dead)[:, :, None] == 1, DEAD_RGB, ALIVE_RGB)
    np.testing.assert_array_equal(cells, expected)


def test_a_board_without_telemetry_steps_has_no_dead_units() -> None:
    assert not run_board(None, [], [], None).texts
    epoch_only = [r for r in RECORDS if r.step == 1]
    epoch_only = [type(r)(r.epoch, None, r.step, r.telemetry) for r in epoch_only]
    assert run_board(None, [], epoch_only, None).empty


def test_texts_and_strip_are_written_as_tensorboard_reads_them(tmp_path: Path) -> None:
    run_dir = write_board(tmp_path, "run", run_board(None, [], RECORDS, None))
    # Texts and pictures go in the run of the training split.
    log = EventAccumulator(str(run_dir / TRAIN), size_guidance={"tensors": 0, "images": 0})
    log.Reload()
    events = log.Tensors("layer1/unit_events/text_summary")
    assert [e.step for e in events] == [2, 3, 4]
    assert events[2].tensor_proto.string_val[0].decode() == "- unit 0 revived (max Z 2, bias -0.4)"
    (verdicts,) = log.Tensors("layer1/unit_verdicts/text_summary")
    assert verdicts.step == 5 and "! layer 1 unit 1: dead since step 3" in (
        verdicts.tensor_proto.string_val[0].decode()
    )
    (image,) = log.Images("layer1/dead_units")
    pixels = np.asarray(Image.open(io.BytesIO(image.encoded_image_string)).convert("RGB"))
    assert image.step == 5 and pixels.shape == (2 * ROW_PIXELS, 5 * (STRIP_WIDTH // 5), 3)
    assert tuple(pixels[ROW_PIXELS, -1]) == DEAD_RGB  # unit 1 at the last step
