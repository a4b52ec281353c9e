"""The search space of `lnn sweep`: what a --search text means, its one-line errors, and the
trials drawn from it (reproducible from the seed, on the scale the range names)."""

import math

import pytest

from lnn.sweep.draws import draw_trials, trial_config
from lnn.sweep.exceptions import SearchSpecError, SweepError
from lnn.sweep.search import Choice, Fixed, Range, parse_search
from messages.train_request import TrainConfig

ISSUE_EXAMPLE = (
    "lr=log:1e-4:1,l2=log:1e-3:1,dropout=0.5:1,beta1=1-log:1e-3:1e-1,"
    "layers=choice:20:relu,1:sigmoid|8:relu,8:relu,1:sigmoid,batch-size=choice:32|64|0"
)
BASE = TrainConfig(dataset="moons", layers=[{"units": 1, "activation": "sigmoid"}], epochs=30)


def random_trials(text: str, trials: int, seed: int = 1) -> list[dict]:
    return draw_trials(parse_search(text), method="random", trials=trials, seed=seed, grid_points=3)


def grid(text: str, grid_points: int = 3, trials: int | None = None) -> list[dict]:
    space = parse_search(text)
    return draw_trials(space, method="grid", trials=trials, seed=1, grid_points=grid_points)


def test_the_issue_example_parses_to_its_kinds() -> None:
    space = parse_search(ISSUE_EXAMPLE)
    assert space.names == ("lr", "l2", "dropout", "beta1", "layers", "batch-size")
    kinds = {d.name: d.kind for d in space.dimensions}
    assert kinds["lr"] == Range("log", 1e-4, 1.0)
    assert kinds["l2"] == Range("log", 1e-3, 1.0)
    assert kinds["dropout"] == Range("uniform", 0.5, 1.0)
    assert kinds["beta1"] == Range("1-log", 1e-3, 1e-1)
    assert kinds["layers"] == Choice(("20:relu,1:sigmoid", "8:relu,8:relu,1:sigmoid"))
    assert kinds["batch-size"] == Choice((32, 64, 0))


def test_fixed_values_integer_ranges_and_own_grid_points() -> None:
    space = parse_search("lr=0.01,optimizer=adam,epochs=int:10:50:5,layers=4:tanh, 1:sigmoid")
    kinds = {d.name: d.kind for d in space.dimensions}
    assert kinds["lr"] == Fixed(0.01)
    assert kinds["optimizer"] == Fixed("adam")
    assert kinds["epochs"] == Range("int", 10, 50, points=5)
    assert kinds["layers"] == Fixed("4:tanh,1:sigmoid")  # layers as their option text


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("lr=log:0:1", ['"lr=log:0:1"', "bounds must be > 0"]),
        ("lr=0.1,foo=2", ['"foo=2"', "unknown name 'foo'", "lr-decay", "batch-size"]),
        ("holdout=0.1:0.3", ['"holdout=0.1:0.3"', "cannot be searched", "compared"]),
        ("dataset=moons", ['"dataset=moons"', "cannot be searched"]),
        ("lr=0.1,l2=0,lr=0.2", ['"lr=0.2"', "lr is named twice"]),
        ("batch-size=choice:", ['"batch-size=choice:"', "choice"]),
        ("dropout=choice:0.5||1", ['"dropout=choice:0.5||1"', "none empty"]),
        ("lr=1:0.5", ['"lr=1:0.5"', "A < B"]),
        ("lr=log:1:1", ['"lr=log:1:1"', "A < B"]),
        ("l2=abc", ['"l2=abc"', "bad number 'abc'"]),
        ("lr=log:1e-4:x", ["bad number 'x'"]),
        ("lr=nan", ["bad number 'nan'"]),
        ("layers=8:relux,1:sigmoid", ['"layers=8:relux,1:sigmoid"', "'relux'"]),
        ("layers=choice:8:relu|x", ["'x'", "UNITS:ACTIVATION"]),
        ("layers=0:relu", ["layers '0:relu'", "units"]),
        ("layers=8:relu:xx,1:sigmoid", ['"layers=8:relu:xx,1:sigmoid"', "unknown option 'xx'"]),
        ("batch-size=32.5", ['"batch-size=32.5"', "'32.5' is not a whole number"]),
        ("epochs=100:200", ['"epochs=100:200"', "int:A:B"]),
        ("seed=log:1:100", ["seed takes whole numbers"]),
        ("lr=int:1:3", ["int: ranges are for the whole-number options"]),
        ("optimizer=choice:adam|sgd", ["'sgd' is not one of gd, momentum"]),
        ("beta1=1-log:0.01:2", ["1-log bounds", "at most 1"]),
        ("lr=log:1e-4:1:1", ["grid points must be >= 2"]),
        ("lr=log:1e-4:1:2:3", ["A:B or A:B:POINTS"]),
        ("lr", ['"lr"', "expected NAME=VALUE"]),
        ("", ["empty"]),
    ],
)
def test_a_bad_search_is_one_line_naming_the_bad_part(text: str, names: list[str]) -> None:
    with pytest.raises(SearchSpecError) as caught:
        parse_search(text)
    message = str(caught.value)
    assert message.startswith("--search: ")
    assert "\n" not in message
    for name in names:
        assert name in message
    assert isinstance(caught.value, SweepError) and isinstance(caught.value, ValueError)


def test_the_same_seed_draws_the_same_trials_and_more_trials_keep_the_first() -> None:
    first = random_trials(ISSUE_EXAMPLE, 8, seed=7)
    assert random_trials(ISSUE_EXAMPLE, 8, seed=7) == first
    assert random_trials(ISSUE_EXAMPLE, 12, seed=7)[:8] == first
    assert random_trials(ISSUE_EXAMPLE, 8, seed=8) != first
    assert len({t["lr"] for t in first}) == 8


def test_log_uniform_draws_spread_over_every_decade() -> None:
    values = [t["lr"] for t in random_trials("lr=log:1e-4:1", 200)]
    assert all(1e-4 <= v <= 1.0 for v in values)
    decades = [math.floor(math.log10(v)) for v in values if v < 1.0]
    # Uniform on a log scale: each of the 4 decades gets about 50; a linear draw in
    # [1e-4, 1] would put about 180 in the last one.
    assert all(25 <= decades.count(d) <= 75 for d in (-4, -3, -2, -1)), decades


def test_one_minus_log_draws_beta_close_to_one_on_a_log_scale() -> None:
    values = [t["beta1"] for t in random_trials("beta1=1-log:1e-3:1e-1", 200)]
    assert all(0.9 <= v <= 0.999 for v in values)
    decades = [math.floor(math.log10(1 - v)) for v in values]
    assert decades.count(-3) >= 50 and decades.count(-2) >= 50  # [0.99, 0.999) and [0.9, 0.99)


def test_draws_are_json_rounded_to_six_significant_digits() -> None:
    for trial in random_trials("lr=log:1e-4:1,dropout=0.5:1,epochs=int:1:3", 20):
        assert trial["lr"] == float(f"{trial['lr']:.6g}")
        assert trial["dropout"] == float(f"{trial['dropout']:.6g}")
        assert type(trial["epochs"]) is int and 1 <= trial["epochs"] <= 3


def test_a_grid_is_every_point_first_name_slowest() -> None:
    points = grid("lr=log:1e-3:1e-1,batch-size=choice:32|0")
    assert points == [
        {"lr": 0.001, "batch-size": 32},
        {"lr": 0.001, "batch-size": 0},
        {"lr": 0.01, "batch-size": 32},
        {"lr": 0.01, "batch-size": 0},
        {"lr": 0.1, "batch-size": 32},
        {"lr": 0.1, "batch-size": 0},
    ]


def test_grid_points_per_range_and_per_scale() -> None:
    assert [p["dropout"] for p in grid("dropout=0.5:1", grid_points=3)] == [0.5, 0.75, 1.0]
    assert [p["lr"] for p in grid("lr=log:1e-4:1:5")] == [1e-4, 1e-3, 1e-2, 0.1, 1.0]
    assert [p["beta1"] for p in grid("beta1=1-log:1e-3:1e-1")] == [0.999, 0.99, 0.9]
    assert [p["epochs"] for p in grid("epochs=int:1:3", grid_points=5)] == [1, 2, 3]
    assert len(grid("l2=0.1,optimizer=choice:gd|adam,lr=0.1:0.2:4")) == 8


def test_a_grid_of_another_size_than_the_trials_asked_is_an_error() -> None:
    with pytest.raises(SearchSpecError, match=r"--trials 5: .* 6 points \(3 lr x 2 batch-size\)"):
        grid("lr=log:1e-3:1e-1,batch-size=choice:32|0", trials=5)
    assert len(grid("lr=log:1e-3:1e-1,batch-size=choice:32|0", trials=6)) == 6


def test_random_needs_a_number_of_trials() -> None:
    with pytest.raises(SearchSpecError, match="--trials"):
        draw_trials(parse_search("lr=0.1"), method="random", trials=None, seed=1, grid_points=3)
    with pytest.raises(SearchSpecError, match="--method"):
        draw_trials(parse_search("lr=0.1"), method="bayes", trials=3, seed=1, grid_points=3)


def test_layers_with_batch_norm_are_searched_as_their_option_text() -> None:
    space = parse_search("layers=choice:8:relu:bn,8:relu:bn,1:sigmoid|8:relu,1:sigmoid")
    assert space.dimensions[0].kind == Choice(("8:relu:bn,8:relu:bn,1:sigmoid", "8:relu,1:sigmoid"))
    configs = [trial_config(BASE, params) for params in grid(space.dimensions[0].text, trials=2)]
    assert [[layer.batch_norm for layer in c.layers] for c in configs] == [
        [True, True, False],
        [False, False],
    ]


def test_batch_norm_momentum_and_epsilon_are_searched() -> None:
    space = parse_search("bn-momentum=log:0.01:0.5,bn-epsilon=choice:1e-5|1e-3")
    for params in draw_trials(space, method="random", trials=6, seed=2, grid_points=3):
        config = trial_config(BASE, params)
        assert 0.01 <= config.bn_momentum <= 0.5 and config.bn_momentum == params["bn-momentum"]
        assert config.bn_epsilon in (1e-5, 1e-3)
    with pytest.raises(SearchSpecError, match="bn-momentum"):
        trial_config(BASE, {"bn-momentum": 1.5})


def test_trial_config_is_the_base_with_the_trial_values() -> None:
    params = {"lr": 0.05, "batch-size": 64, "layers": "8:relu,1:sigmoid", "optimizer": "adam"}
    config = trial_config(BASE, params)
    assert (config.lr, config.batch_size, config.optimizer) == (0.05, 64, "adam")
    assert [(x.units, x.activation) for x in config.layers] == [(8, "relu"), (1, "sigmoid")]
    assert (config.dataset, config.epochs, config.seed) == ("moons", 30, BASE.seed)


def test_every_trial_of_the_issue_example_is_a_valid_config() -> None:
    for params in random_trials(ISSUE_EXAMPLE, 50):
        config = trial_config(BASE, params)
        assert config.lr == params["lr"] and config.beta1 == params["beta1"]
        assert config.model_dump()["batch_size"] == params["batch-size"]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"lr": 0.1, "dropout": 1.5}, ["dropout=1.5", "less than or equal to 1"]),
        ({"batch-size": -1}, ["batch-size=-1"]),
        ({"layers": "3:softmax,1:sigmoid"}, ["layers=3:softmax,1:sigmoid", "output layer"]),
        ({"layers": "8:relu,1:sigmoid:bn"}, ["layers=8:relu,1:sigmoid:bn", "hidden layers"]),
        ({"holdout": 0.2}, ["'holdout'"]),
    ],
)
def test_trial_config_rejects_a_value_naming_it(params: dict, names: list[str]) -> None:
    with pytest.raises(SearchSpecError) as caught:
        trial_config(BASE, params)
    assert "\n" not in str(caught.value)
    for name in names:
        assert name in str(caught.value)


def test_trial_config_chains_the_validation_error() -> None:
    with pytest.raises(SearchSpecError) as caught:
        trial_config(BASE, {"dropout": 1.5})
    assert type(caught.value.__cause__).__name__ == "ValidationError"
