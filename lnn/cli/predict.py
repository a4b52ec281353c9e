"""``lnn predict``: labels and probabilities from a model.npz for a file or a built-in dataset."""

import argparse
import json
import zipfile
from pathlib import Path

import numpy as np

from functions.nn.predict import predict_labels, predict_proba
from lnn.cli.errors import UsageError
from lnn.datasets import load_dataset
from lnn.model_file import load_model


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, required=True, help="model.npz written by lnn train")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", help=".npz (x or x_test) or .csv, samples in rows")
    source.add_argument("--dataset", help="a built-in dataset: predicts its test (or train) set")
    p.add_argument("--output", type=Path, help="write a .csv (index,label,probabilities...)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _unlabelled_features(path: Path, n_features: int) -> np.ndarray | None:
    """Samples of a file that holds features only (an .npz without y, a .csv of exactly
    n_features columns); None otherwise, leaving the dataset loader to read or reject it."""
    try:
        if path.suffix.lower() == ".npz":
            with np.load(path, allow_pickle=False) as npz:
                if {"y", "y_train", "y_test"} & set(npz.files):
                    return None
                key = next((k for k in ("x_test", "x", "x_train") if k in npz.files), None)
                return None if key is None else np.asarray(npz[key], dtype=np.float64)
        if path.suffix.lower() == ".csv":
            lines = [line for line in path.read_text("utf-8-sig").splitlines() if line.strip()]
            try:
                table = np.loadtxt(lines, delimiter=",", ndmin=2)
            except ValueError:
                table = np.loadtxt(lines[1:], delimiter=",", ndmin=2)  # a header line
            return table if table.shape[1] == n_features else None
    except (OSError, EOFError, ValueError, TypeError, AttributeError, zipfile.BadZipFile):
        return None  # unreadable here: load_dataset reports why in one line
    return None


def _load_inputs(args: argparse.Namespace, n_features: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Samples in rows, plus labels when the source has them."""
    if args.input:
        features = _unlabelled_features(Path(args.input), n_features)
        if features is not None and features.ndim == 2:
            return features, None
    dataset = load_dataset(args.dataset or args.input)
    if dataset.x_test is not None:
        return dataset.x_test, dataset.y_test
    return dataset.x_train, dataset.y_train


def cmd_predict(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    n_features = int(model.config["n_features"])  # load_model checked it
    x, labels = _load_inputs(args, n_features)
    if x.shape[1] != n_features:
        raise UsageError(
            f"the input has {x.shape[1]} features per sample but the model expects {n_features}"
        )
    proba = predict_proba(model.params, np.ascontiguousarray(x.T), model.specs)
    predicted = np.asarray(predict_labels(proba, model.specs[-1].activation))
    if predicted.ndim == 2:  # a linear output predicts values (units, m): one row per sample
        predicted = predicted[0] if predicted.shape[0] == 1 else predicted.T
    accuracy = None
    if labels is not None and model.specs[-1].activation != "linear":
        accuracy = float(np.mean(predicted == labels))
    if args.output:
        rows = np.column_stack([np.arange(x.shape[0]), predicted, proba.T])
        header = "index,label," + ",".join(f"p{i}" for i in range(proba.shape[0]))
        np.savetxt(args.output, rows, delimiter=",", header=header, comments="", fmt="%.6g")
    if args.json:
        print(
            json.dumps(
                {
                    "n": int(x.shape[0]),
                    "accuracy": accuracy,
                    "labels": predicted.tolist(),
                    "probabilities": proba.T.tolist(),
                    "output": str(args.output) if args.output else None,
                }
            )
        )
    elif not args.output:
        for i, (label, p) in enumerate(zip(predicted, proba.T, strict=True)):
            print(i, label, " ".join(f"{v:.4f}" for v in p))
    if accuracy is not None and not args.json:
        print(f"accuracy: {accuracy:.4f} on {x.shape[0]} labelled samples")
    return 0
