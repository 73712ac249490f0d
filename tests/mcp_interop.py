"""`agentcred mcp` against the official Python MCP client SDK (PyPI `mcp`, pinned in .ci/run).

    python tests/mcp_interop.py path/to/agentcred

Registers a Fluxra agent in the embedded sandbox under a temporary AGENTCRED_HOME, starts
`agentcred mcp` over stdio with the SDK's own client, and checks that: the initialize
handshake agrees on a protocol version of 2025-06-18 or later; the five tools are listed
with input schemas and the documented annotations; each tool works; no result contains any
secret the file store holds (before or after the refresh); an unknown profile and a write
without --allow-writes are tool errors carrying the error envelope. Prints 'N passed, 0
failed' and exits 0, or exits 1 at the first failure.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

EXPECTED = {
    # tool: (readOnlyHint, destructiveHint) without --allow-writes
    "list_profiles": (True, False),
    "status": (True, False),
    "check": (True, False),
    "request": (True, False),
    "refresh": (False, False),
}

passed = 0


def check(condition, what):
    global passed
    if not condition:
        print(f"FAIL: {what}", file=sys.stderr)
        print(f"0 passed, 1 failed")
        sys.exit(1)
    passed += 1


def stored_secrets(home):
    # The file store keeps one file per profile in data/secrets/ (data/secrets.json is the
    # single file of earlier releases).
    data = os.path.join(home, "data")
    files = [os.path.join(data, "secrets", name) for name in os.listdir(os.path.join(data, "secrets"))]
    files.append(os.path.join(data, "secrets.json"))
    values = set()
    for path in files:
        if os.path.exists(path):
            with open(path) as f:
                values |= set(v for v in json.load(f)["secrets"].values() if isinstance(v, str))
    return values


def dump(result):
    return json.dumps(result.model_dump(mode="json", by_alias=True))


async def served_profiles(binary, env):
    params = StdioServerParameters(
        command=binary, args=["--profile", "mcp", "--profile", "mcp-two", "mcp"], env=env
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.call_tool("list_profiles", {})
            check(not listed.is_error, "list_profiles with two --profile succeeds")
            names = sorted(p["name"] for p in listed.structured_content["profiles"])
            check(names == ["mcp", "mcp-two"], f"two --profile serve those two: {names}")
            other = await session.call_tool("status", {"profile": "mcp-three"})
            check(other.is_error, "a profile not served is a tool error")


async def main(binary, home, env):
    params = StdioServerParameters(command=binary, args=["mcp"], env=env)
    secrets = stored_secrets(home)
    results = []
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            check(
                init.protocol_version >= "2025-06-18",
                f"negotiated protocol {init.protocol_version}",
            )
            check(init.server_info.name == "agentcred", "server name")

            tools = (await session.list_tools()).tools
            by_name = {t.name: t for t in tools}
            check(set(by_name) == set(EXPECTED), f"tools listed: {sorted(by_name)}")
            for name, (read_only, destructive) in EXPECTED.items():
                tool = by_name[name]
                check(tool.input_schema.get("type") == "object", f"{name} has an input schema")
                check(bool(tool.description), f"{name} has a description")
                hints = tool.annotations
                check(hints is not None, f"{name} has annotations")
                check(hints.read_only_hint is read_only, f"{name} readOnlyHint")
                check(hints.destructive_hint is destructive, f"{name} destructiveHint")
            check(
                by_name["request"].input_schema["required"] == ["path"],
                "request needs a path",
            )

            listed = await session.call_tool("list_profiles", {})
            results.append(listed)
            check(not listed.is_error, "list_profiles succeeds")
            profiles = listed.structured_content["profiles"]
            check([p["name"] for p in profiles] == ["mcp"], f"profiles: {profiles}")
            agent_id = profiles[0]["agent_id"]
            check(profiles[0]["endpoints"] == ["api"], "endpoint names for request paths")

            status = await session.call_tool("status", {"profile": "mcp"})
            results.append(status)
            check(not status.is_error, f"status succeeds: {dump(status)}")
            check(status.structured_content["provider"] == "fluxra", "status is the status JSON")

            health = await session.call_tool("check", {"profile": "mcp", "min_valid": "30s"})
            results.append(health)
            check(not health.is_error, "check succeeds")
            check(health.structured_content["health"] == "ok", f"healthy: {dump(health)}")

            answer = await session.call_tool(
                "request", {"profile": "mcp", "path": f"/api/api/agents/{agent_id}"}
            )
            results.append(answer)
            check(not answer.is_error, f"request succeeds: {dump(answer)}")
            check(answer.structured_content["status"] == 200, f"GET through the gateway: {dump(answer)}")
            check("keys" in answer.structured_content["untrusted_content"]["body"], "the service's own answer")

            write = await session.call_tool(
                "request", {"profile": "mcp", "method": "POST", "path": f"/api/api/agents/{agent_id}"}
            )
            results.append(write)
            check(write.is_error, "a POST without --allow-writes is refused")
            check(write.structured_content["error"]["exit_code"] == 2, f"usage error: {dump(write)}")

            escape = await session.call_tool("request", {"profile": "mcp", "path": "/api/../x"})
            results.append(escape)
            check(escape.is_error, "a path with .. is refused")

            refreshed = await session.call_tool("refresh", {"profile": "mcp"})
            results.append(refreshed)
            check(not refreshed.is_error, f"refresh succeeds: {dump(refreshed)}")
            check(refreshed.structured_content["refreshed"] is True, "a new credential")

            unknown = await session.call_tool("status", {"profile": "no-such-profile"})
            results.append(unknown)
            check(unknown.is_error, "an unknown profile is a tool error")
            error = unknown.structured_content["error"]
            check(error["code"] == "not_found", f"not_found: {error}")
            check(error["exit_code"] == 3, "exit_code 3")
            check(error["message"] and "hint" in error, "message and hint")

    secrets |= stored_secrets(home)
    check(len(secrets) >= 3, "the store holds the profile's secrets")
    for result in results:
        text = dump(result)
        for secret in secrets:
            check(secret not in text, "no stored secret in any tool result")


if __name__ == "__main__":
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as home:
        env = {
            "AGENTCRED_HOME": home,
            "AGENTCRED_STORE": "file",
            "NO_COLOR": "1",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
        }
        subprocess.run(
            [binary, "--sandbox", "--profile", "mcp", "register", "fluxra", "--name", "mcp-agent"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        asyncio.run(main(binary, home, env))
        # Several profiles: `--profile` given twice serves exactly those two.
        for name in ("mcp-two", "mcp-three"):
            subprocess.run(
                [binary, "--sandbox", "--profile", name, "register", "fluxra", "--name", name],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        asyncio.run(served_profiles(binary, env))
    print(f"{passed} passed, 0 failed")
