"""`lnn up --endpoint-url`: which mappings the local runner serves, and what it says."""

import json
from typing import Any

from infra.local.discovery import discover_mappings
from infra.local.hosting import local_session
from infra.stack import resolve_names
from infra.stack.names import FUNCTION_KEYS


def local_runner_options(endpoint_url: str, stack: str | None) -> dict[str, Any]:
    """LambdaRunner options serving the disabled mappings (`lnn deploy --local-runner`) at
    the endpoint: of stack `stack` only, or of every stack when it is None."""
    options: dict[str, Any] = {"serve": "Disabled"}
    if stack:
        names = resolve_names(local_session(), stack=stack, endpoint_url=endpoint_url)
        options["functions"] = [names.function(key) for key in FUNCTION_KEYS]
    return options


def announce_local_runner(
    endpoint_url: str, pids: list[int], options: dict[str, Any], *, as_json: bool
) -> None:
    session = local_session()
    mappings = discover_mappings(
        session.client("lambda", endpoint_url=endpoint_url),
        session.client("sqs", endpoint_url=endpoint_url),
        options["serve"],
        options.get("functions"),
    )
    functions = sorted({m.function_name for m in mappings})
    if as_json:
        shown = {"endpoint_url": endpoint_url, "workers": pids, "functions": functions}
        print(json.dumps({**shown, "mappings": len(mappings)}), flush=True)
        return
    workers = f" in {len(pids)} workers" if len(pids) > 1 else ""
    served = ", ".join(functions) or "none yet: deploy with `lnn deploy --local-runner`"
    print(
        f"lnn up: serving {len(mappings)} disabled mappings at {endpoint_url} from this "
        f"checkout{workers} ({served}); Ctrl-C to stop",
        flush=True,
    )
