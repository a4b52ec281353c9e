"""``lnn deploy``: build the Lambda bundle and deploy (or tear down) the stack."""

import argparse
import json
import tempfile
from pathlib import Path

from infra.bundle import build_bundle
from infra.stack import (
    StackNotDeployedError,
    StackOutputs,
    build_stack,
    deploy_stack,
    find_stack,
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

LAMBDA_PYTHON = "3.12"  # the runtime the stack's functions are created with


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_stack_options(p)
    p.add_argument(
        "--arch", choices=("x86_64", "arm64"), default="x86_64", help="the functions' CPU"
    )
    p.add_argument("--max-depth", type=int, default=8, help="most layers a run may have")
    p.add_argument("--bundle", type=Path, default=None, help="use this Lambda zip, do not build")
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
) -> StackOutputs:
    """Deploy (or update) the stack with a freshly built bundle unless `bundle` is given."""
    names = resolve_names(session, stack=stack, max_depth=max_depth, endpoint_url=endpoint_url)
    spec = build_stack(names, architecture=arch)
    if bundle is None:
        with tempfile.TemporaryDirectory(prefix="lnn-deploy-") as tmp:
            built = build_bundle(
                architecture=arch,  # type: ignore[arg-type]
                python_version=LAMBDA_PYTHON,
                output=Path(tmp) / "lnn-lambda.zip",
            )
            code = built.read_bytes()
    else:
        code = bundle.read_bytes()
    return deploy_stack(spec, session=session, bundle=code, endpoint_url=endpoint_url)


def teardown(
    *, stack: str, session: Session, endpoint_url: str | None, max_depth: int = 8
) -> list[str]:
    """Delete the stack; the deployed depth wins over `max_depth` so no layer queue is left."""
    try:
        found = find_stack(session, stack=stack, endpoint_url=endpoint_url)
    except StackNotDeployedError:  # partially deployed: remove what is there
        found = None
    depth = found.max_depth if found else max_depth
    names = resolve_names(session, stack=stack, max_depth=depth, endpoint_url=endpoint_url)
    return teardown_stack(build_stack(names), session=session, endpoint_url=endpoint_url)


def print_outputs(outputs: StackOutputs, endpoint_url: str | None) -> None:
    rows = {
        "stack": outputs.stack,
        "region": outputs.region,
        "max_depth": outputs.max_depth,
        "bucket": outputs.bucket,
        "runs_table": outputs.runs_table,
        **{f"{key}_topic": arn for key, arn in outputs.topic_arns.items()},
    }
    for key, value in rows.items():
        print(f"{key:>15}: {value}")
    target = f" --endpoint-url {endpoint_url}" if endpoint_url else ""
    print(f"next: lnn submit --stack {outputs.stack}{target} --dataset flower --epochs 100")


def cmd_deploy(args: argparse.Namespace) -> int:
    if args.bundle is not None and not args.bundle.is_file():
        raise UsageError(f"--bundle: no such file {args.bundle}")
    require_listening(args.endpoint_url)
    session = make_session(region=args.region, endpoint_url=args.endpoint_url)
    common = {"stack": args.stack, "session": session, "endpoint_url": args.endpoint_url}
    if args.teardown:
        with stack_errors():
            removed = teardown(max_depth=args.max_depth, **common)
        text = f"stack {args.stack}: removed {len(removed)} resources"
        print(json.dumps({"stack": args.stack, "removed": removed}) if args.json else text)
        return 0
    with stack_errors():
        outputs = deploy(arch=args.arch, max_depth=args.max_depth, bundle=args.bundle, **common)
    if args.json:
        print(json.dumps(outputs.to_dict()))
    else:
        print_outputs(outputs, args.endpoint_url)
    return 0
