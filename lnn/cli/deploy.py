"""``lnn deploy``: build the Lambda bundle and deploy (or tear down) the stack."""

import argparse
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from infra.bundle import build_bundle, build_source_bundle
from infra.stack import (
    StackNotDeployedError,
    StackOutputs,
    Teardown,
    build_stack,
    deploy_stack,
    find_stack,
    function_states,
    resolve_names,
    teardown_stack,
)
from infra.stack.aws import Session, make_session
from lnn.cli.connection import (
    add_stack_options,
    require_listening,
    stack_errors,
)
from lnn.cli.errors import UsageError
from messages.function_sizes import (
    DEFAULT_FUNCTION_SIZES,
    FUNCTION_KEYS,
    FunctionSizeError,
    FunctionSizes,
)
from messages.limits import LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_S

_LAMBDA_PYTHON = "3.12"  # the runtime the stack's functions are created with


def _per_function(unit: str) -> Callable[[str], dict[str, int]]:
    """An argparse type: "N" (every function) or "KEY=N,KEY=N" (those functions)."""

    def parse(text: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for item in text.split(","):
            key, _, value = item.rpartition("=")
            if key and key not in FUNCTION_KEYS:
                raise argparse.ArgumentTypeError(
                    f"no function {key!r}: one of {', '.join(FUNCTION_KEYS)}"
                )
            if not value.strip().isdigit():
                raise argparse.ArgumentTypeError(f"{item!r} is not N or FUNCTION=N ({unit})")
            found.update(dict.fromkeys([key] if key else FUNCTION_KEYS, int(value)))
        return found

    return parse


def _range(limits: tuple[int, int]) -> str:
    return f"{limits[0]}..{limits[1]}"


def _defaults(field: str, unit: str) -> str:
    sizes = ", ".join(f"{key} {getattr(size, field)}" for key, size in DEFAULT_FUNCTION_SIZES)
    return f"{sizes} {unit}"


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_stack_options(p)
    p.add_argument(
        "--arch", choices=("x86_64", "arm64"), default="x86_64", help="the functions' CPU"
    )
    p.add_argument(
        "--timeout",
        type=_per_function("seconds"),
        default=None,
        metavar="S|FUNCTION=S,...",
        help=f"the functions' timeout in seconds, {_range(LAMBDA_TIMEOUT_S)}: one for all, or "
        f"per function ({', '.join(FUNCTION_KEYS)}); each queue hides a message for 6 x its "
        f"function's timeout (default: {_defaults('timeout_s', 's')})",
    )
    p.add_argument(
        "--memory",
        type=_per_function("MB"),
        default=None,
        metavar="MB|FUNCTION=MB,...",
        help=f"the functions' memory in MB, {_range(LAMBDA_MEMORY_MB)} (Lambda gives CPU in "
        f"proportion): one for all, or per function (default: {_defaults('memory_mb', 'MB')})",
    )
    p.add_argument("--max-depth", type=int, default=8, help="most layers a run may have")
    p.add_argument("--bundle", type=Path, default=None, help="use this Lambda zip, do not build")
    p.add_argument(
        "--local-runner",
        action="store_true",
        help="deploy the event source mappings disabled, for the functions to be served from "
        "this checkout by `lnn up --endpoint-url URL` (LocalStack without Docker, debugging)",
    )
    p.add_argument("--teardown", action="store_true", help="delete the stack instead")
    p.add_argument("--json", action="store_true", help="print one JSON line")


def deploy(
    *,
    stack: str,
    session: Session,
    endpoint_url: str | None,
    arch: str = "x86_64",
    max_depth: int = 8,
    bundle: Path | None = None,
    local_runner: bool = False,
    sizes: FunctionSizes = DEFAULT_FUNCTION_SIZES,
) -> tuple[StackOutputs, dict[str, str]]:
    """Deploy (or update) the stack with a freshly built bundle unless `bundle` is given;
    returns its outputs and each function's Lambda State.

    `local_runner`: the mappings are deployed disabled, a function the endpoint cannot run
    is no error (see `StackSpec.local_runner`) and the bundle is the project's sources only
    (the runner imports the handlers from this checkout)."""
    names = resolve_names(session, stack=stack, max_depth=max_depth, endpoint_url=endpoint_url)
    spec = build_stack(names, sizes=sizes, architecture=arch, mappings_enabled=not local_runner)
    if bundle is not None:
        code = bundle.read_bytes()
    else:
        with tempfile.TemporaryDirectory(prefix="lnn-deploy-") as tmp:
            output = Path(tmp) / "lnn-lambda.zip"
            if local_runner:  # the runner imports the handlers here: no wheels to fetch
                built = build_source_bundle(output)
            else:
                built = build_bundle(
                    architecture=arch,  # type: ignore[arg-type]
                    python_version=_LAMBDA_PYTHON,
                    output=output,
                )
            code = built.read_bytes()
    outputs = deploy_stack(spec, session=session, bundle=code, endpoint_url=endpoint_url)
    return outputs, function_states(spec, session=session, endpoint_url=endpoint_url)


def teardown(
    *, stack: str, session: Session, endpoint_url: str | None, max_depth: int = 8
) -> Teardown:
    """Delete the stack; the deployed depth wins over `max_depth` so no layer queue is left."""
    try:
        found = find_stack(session, stack=stack, endpoint_url=endpoint_url)
    except StackNotDeployedError:  # partially deployed: remove what is there
        found = None
    depth = found.max_depth if found else max_depth
    names = resolve_names(session, stack=stack, max_depth=depth, endpoint_url=endpoint_url)
    return teardown_stack(build_stack(names), session=session, endpoint_url=endpoint_url)


def _print_outputs(outputs: StackOutputs, endpoint_url: str | None) -> None:
    rows = {
        "stack": outputs.stack,
        "region": outputs.region,
        "max_depth": outputs.max_depth,
        "bucket": outputs.bucket,
        "runs_table": outputs.runs_table,
        **{f"{key}_topic": arn for key, arn in outputs.topic_arns.items()},
        **{
            f"{key}": f"timeout {size.timeout_s} s, memory {size.memory_mb} MB"
            for key, size in outputs.function_sizes
        },
    }
    for key, value in rows.items():
        print(f"{key:>15}: {value}")
    target = f" --endpoint-url {endpoint_url}" if endpoint_url else ""
    print(f"next: lnn submit --stack {outputs.stack}{target} --dataset flower --epochs 100")


def _local_runner_note(states: dict[str, str], endpoint_url: str | None) -> list[str]:
    """What a --local-runner deploy made and did not make, in plain lines."""
    failed = sorted(name for name, state in states.items() if state == "Failed")
    target = f" --endpoint-url {endpoint_url}" if endpoint_url else ""
    lines = [
        "event source mappings: created disabled; the endpoint's Lambda service polls nothing",
        f"functions: served from this checkout by `lnn up{target}` (until then, nothing runs)",
    ]
    if failed:
        lines.append(
            f"functions the endpoint cannot run (State Failed, kept as records of handler, "
            f"settings and environment; their code is not updated): {', '.join(failed)}"
        )
    return lines


def _print_teardown(result: Teardown, stack: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"stack": stack, "removed": result.removed, "left": result.left}))
        return
    print(f"stack {stack}: removed {len(result.removed)} resources")
    by_reason: dict[str, list[str]] = {}
    for resource, reason in result.left.items():
        by_reason.setdefault(reason, []).append(resource)
    for reason, resources in by_reason.items():
        print(f"left {', '.join(resources)}: {reason}; a restart of the emulator removes them")


def cmd_deploy(args: argparse.Namespace) -> int:
    if args.bundle is not None and not args.bundle.is_file():
        raise UsageError(f"--bundle: no such file {args.bundle}")
    try:
        sizes = DEFAULT_FUNCTION_SIZES.replaced(timeouts=args.timeout, memory=args.memory)
    except FunctionSizeError as exc:
        raise UsageError(f"deploy: {exc}") from exc
    require_listening(args.endpoint_url)
    session = make_session(region=args.region, endpoint_url=args.endpoint_url)
    common = {"stack": args.stack, "session": session, "endpoint_url": args.endpoint_url}
    if args.teardown:
        with stack_errors():
            result = teardown(max_depth=args.max_depth, **common)
        _print_teardown(result, args.stack, args.json)
        return 0
    with stack_errors():
        outputs, states = deploy(
            arch=args.arch,
            max_depth=args.max_depth,
            bundle=args.bundle,
            local_runner=args.local_runner,
            sizes=sizes,
            **common,
        )
    if args.json:
        extra = {"local_runner": args.local_runner, "function_states": states}
        print(json.dumps({**outputs.to_dict(), **extra}))
        return 0
    _print_outputs(outputs, args.endpoint_url)
    if args.local_runner:
        endpoint_url = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        for line in _local_runner_note(states, endpoint_url):
            print(line)
    return 0
