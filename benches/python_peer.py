"""Runs the original project's Python package (`headroom-ai` on PyPI) as a black box for the
benchmark: reads one JSON object per line on stdin and writes one per line on stdout, in order.
- {name, content, query}: the content is sent as one tool result through `headroom.compress`;
  the answer is {name, content, ms}.
- {name, messages}: a whole conversation (OpenAI chat format) is sent through `headroom.compress`
  as it is; the answer is {name, messages, ms}.
Failures answer {name, error}. Only the package's public API is used."""

import json
import sys
import time


def main() -> None:
    try:
        from headroom import compress
    except Exception as exc:  # noqa: BLE001 - any import failure is reported, not raised
        print(json.dumps({"fatal": f"import failed: {exc!r}"}), flush=True)
        return
    for line in sys.stdin:
        item = json.loads(line)
        if "messages" in item:
            conversation(compress, item)
            continue
        messages = [
            {"role": "user", "content": item.get("query") or "Look at this tool output."},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "run_tool", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": item["content"]},
        ]
        try:
            t0 = time.perf_counter()
            result = compress(messages, model="claude-sonnet-4-5-20250929")
            ms = (time.perf_counter() - t0) * 1000
            out = result.messages[-1]
            content = out.get("content") if isinstance(out, dict) else getattr(out, "content", None)
            if not isinstance(content, str):
                content = json.dumps(content)
            print(json.dumps({"name": item["name"], "content": content, "ms": ms}), flush=True)
        except Exception as exc:  # noqa: BLE001
            print(json.dumps({"name": item["name"], "error": repr(exc)[:300]}), flush=True)


def conversation(compress, item) -> None:
    try:
        t0 = time.perf_counter()
        result = compress(item["messages"], model="claude-sonnet-4-5-20250929")
        ms = (time.perf_counter() - t0) * 1000
        messages = json.loads(json.dumps(list(result.messages), default=vars))
        print(json.dumps({"name": item["name"], "messages": messages, "ms": ms}), flush=True)
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({"name": item["name"], "error": repr(exc)[:300]}), flush=True)


if __name__ == "__main__":
    main()
