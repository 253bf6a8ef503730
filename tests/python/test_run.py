# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of "rws run", "rws plugins" and the plugin options of "rws connect".

The peers are independent Python websockets servers on 127.0.0.1:
tests/peers/ws_broadcast.py (plain text feed) and tests/peers/jsonrpc_peer.py
(JSON-RPC 2.0 subscriptions). meson sets RWS_TOOL to the rws program of the
build tree, which finds the plugins built in that tree by itself.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from test_tool import LineReader, stop_process, tool_path
from test_tool import PeerProcess as Peer

TESTS_DIR = Path(__file__).resolve().parent.parent
SOURCE_ROOT = TESTS_DIR.parent
BROADCAST_PEER = TESTS_DIR / "peers" / "ws_broadcast.py"
JSONRPC_PEER = TESTS_DIR / "peers" / "jsonrpc_peer.py"
EXAMPLES_DIR = SOURCE_ROOT / "data" / "examples"

PROCESS_TIMEOUT = 30
# rws run closes every client on SIGTERM and exits after 3 s at the latest.
EXIT_TIMEOUT = 10

BUILTIN_PLUGINS = {"raw", "text", "binary", "json"}
BUILD_TREE_PLUGINS = {"json-template", "jsonrpc"}
OUTPUT_KEYS = {"time", "endpoint", "topic", "type", "data"}
TIME_PATTERN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
# An unset variable for ${…} expansion; the tests remove it from the
# environment of rws.
UNSET_VARIABLE = "RWS_TEST_UNSET_VARIABLE"


def closed_port():
    """Return a port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tool_env(**variables):
    env = dict(os.environ)
    env.pop(UNSET_VARIABLE, None)
    env.update(variables)
    return env


def start_run(*args, env=None):
    return subprocess.Popen(
        [tool_path(), "run", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
        env=env if env is not None else tool_env(),
    )


def run_tool(*args, env=None, timeout=PROCESS_TIMEOUT, executable=None):
    return subprocess.run(
        [executable or tool_path(), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env if env is not None else tool_env(),
    )


def parse_output_line(line):
    """Parse one stdout line of rws run and check the fields every line has."""
    record = json.loads(line)
    assert set(record) == OUTPUT_KEYS, f"unexpected keys in {line!r}"
    assert TIME_PATTERN.fullmatch(record["time"]), f"time is not ISO 8601 UTC with µs: {line!r}"
    assert record["type"] in ("text", "binary"), f"unexpected type in {line!r}"
    return record


def records_of(lines, endpoint):
    return [record for record in map(parse_output_line, lines) if record["endpoint"] == endpoint]


def terminate_and_wait(process, stdout, stderr):
    """Send SIGTERM to rws run and return its exit status."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"rws run did not exit within {EXIT_TIMEOUT} s after SIGTERM; "
                             f"stderr: {stderr.finish(0)[-10:]}")


def print_stderr(reader):
    """Print the tool's stderr, which pytest shows when the test fails."""
    print("rws stderr:", *reader.finish(), sep="\n")


def write_config(tmp_path, text, name="endpoints.conf"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_run_tags_two_endpoints(tmp_path):
    alpha = Peer(BROADCAST_PEER, "--record", str(tmp_path / "alpha.txt"))
    beta = Peer(BROADCAST_PEER, "--record", str(tmp_path / "beta.txt"))
    tool = None
    try:
        # beta's port comes from the environment, to check ${…} expansion.
        config = write_config(tmp_path, f"""
[endpoint alpha]
url=ws://127.0.0.1:{alpha.port}/

[endpoint beta]
url=ws://127.0.0.1:${{RWS_TEST_BETA_PORT}}/
protocol=raw
codec=text
backoff-max=2000
""")
        tool = start_run(str(config), env=tool_env(RWS_TEST_BETA_PORT=str(beta.port)))
        stdout = LineReader(tool.stdout)
        stderr = LineReader(tool.stderr)
        try:
            lines = stdout.wait_for(
                lambda lines: len(records_of(lines, "alpha")) >= 5 and len(records_of(lines, "beta")) >= 5,
                "five messages from each endpoint")
            returncode = terminate_and_wait(tool, stdout, stderr)
        finally:
            stop_process(tool)
            lines = stdout.finish()
            print_stderr(stderr)

        assert returncode == 0, f"rws run exited with {returncode} after SIGTERM"
        for endpoint in ("alpha", "beta"):
            records = records_of(lines, endpoint)
            assert [record["data"] for record in records] == \
                [f"msg {n}" for n in range(1, len(records) + 1)]
            assert all(record["topic"] is None for record in records)
            assert all(record["type"] == "text" for record in records)
        assert {record["endpoint"] for record in map(parse_output_line, lines)} == {"alpha", "beta"}
        assert any(line.startswith("rws: [alpha] connected to") for line in stderr.lines)
        assert any(line.startswith("rws: [beta] connected to") for line in stderr.lines)
    finally:
        alpha.stop()
        beta.stop()


def jsonrpc_records(lines):
    """Return the records of endpoint "node" after checking their topic and data."""
    records = records_of(lines, "node")
    for record in records:
        # jsonrpc_peer.py puts the topic into each notification's result, so
        # a notification routed to the wrong subscription shows here.
        assert record["topic"] in ("newHeads", "logs"), f"unexpected topic in {record}"
        assert isinstance(record["data"], dict), f"data is not the decoded JSON result: {record}"
        assert record["data"]["topic"] == record["topic"], f"notification routed to the wrong topic: {record}"
    return records


def subscription_ids(records):
    return {(record["topic"], record["data"]["subscription"]) for record in records}


def subscribe_requests_by_connection(record_path):
    """Map each connection number of a jsonrpc_peer.py record to its eth_subscribe topics."""
    requests = {}
    for line in record_path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        request = json.loads(entry["request"])
        if request.get("method") == "eth_subscribe":
            requests.setdefault(entry["connection"], []).append(request["params"][0])
    return requests


def test_run_jsonrpc_example_across_restart(tmp_path):
    first_record = tmp_path / "first.txt"
    second_record = tmp_path / "second.txt"
    peer = Peer(JSONRPC_PEER, "--record", str(first_record))
    tool = start_run(str(EXAMPLES_DIR / "jsonrpc.conf"), env=tool_env(RWS_EXAMPLE_PORT=str(peer.port)))
    stdout = LineReader(tool.stdout)
    stderr = LineReader(tool.stderr)
    try:
        def has_both_topics(records):
            return {record["topic"] for record in records} == {"newHeads", "logs"}

        lines = stdout.wait_for(lambda lines: has_both_topics(jsonrpc_records(lines)),
                                "notifications of newHeads and logs")
        before = subscription_ids(jsonrpc_records(lines))
        seen_before = len(lines)

        port = peer.port
        stderr_at_outage = len(stderr.wait_for(lambda lines: True, "stderr"))
        peer.kill()
        stderr.wait_for(
            lambda lines: any("[node] disconnected" in line for line in lines[stderr_at_outage:]),
            "the lifecycle line about the dropped connection", timeout=10)
        peer = Peer(JSONRPC_PEER, "--record", str(second_record), port=port)

        # The restarted peer hands out new subscription ids, so the
        # notifications after the restart name ids not seen before.
        def has_both_new_topics(lines):
            after = [record for record in jsonrpc_records(lines[seen_before:])
                     if (record["topic"], record["data"]["subscription"]) not in before]
            return has_both_topics(after)

        stdout.wait_for(has_both_new_topics, "notifications from the restarted peer")
        returncode = terminate_and_wait(tool, stdout, stderr)
    finally:
        stop_process(tool)
        peer.stop()
        lines = stdout.finish()
        print_stderr(stderr)

    assert returncode == 0, f"rws run exited with {returncode} after SIGTERM"

    records = jsonrpc_records(lines)
    after = [record for record in records[seen_before:]
             if (record["topic"], record["data"]["subscription"]) not in before]
    for topic in ("newHeads", "logs"):
        counters = [record["data"]["counter"] for record in after if record["topic"] == topic]
        assert counters[0] == 1, f"{topic} after the restart starts at {counters[0]}, expected 1"

    # Each connection subscribes to each topic exactly once.
    for record_path in (first_record, second_record):
        requests = subscribe_requests_by_connection(record_path)
        assert requests, f"{record_path.name}: no eth_subscribe request"
        for connection, topics in requests.items():
            assert sorted(topics) == ["logs", "newHeads"], \
                f"{record_path.name}: connection {connection} subscribed {topics}"


def test_run_examples_load(tmp_path):
    # A refused port keeps each client reconnecting, so only a valid file
    # keeps rws running until SIGTERM.
    env = tool_env(RWS_EXAMPLE_PORT=str(closed_port()))
    for example in sorted(EXAMPLES_DIR.glob("*.conf")):
        tool = start_run(str(example), env=env)
        stdout = LineReader(tool.stdout)
        stderr = LineReader(tool.stderr)
        try:
            time.sleep(0.5)
            assert tool.poll() is None, f"rws run {example.name} exited with {tool.returncode}"
            returncode = terminate_and_wait(tool, stdout, stderr)
        finally:
            stop_process(tool)
            stdout.finish()
            print_stderr(stderr)
        assert returncode == 0, f"rws run {example.name} exited with {returncode} after SIGTERM"


CONFIG_ERRORS = [
    # (case, lines of [endpoint broken], strings the error must contain)
    ("unknown key", "no-such-key=1", ["no-such-key"]),
    ("bad value", "backoff-max=soon", ["backoff-max", "soon"]),
    ("missing variable", "header.X-Token=${" + UNSET_VARIABLE + "}",
     ["header.X-Token", UNSET_VARIABLE]),
    ("unknown protocol", "protocol=no-such-protocol", ["protocol", "no-such-protocol"]),
    ("unknown codec", "codec=no-such-codec", ["codec", "no-such-codec"]),
    ("unknown protocol key", "protocol=jsonrpc\nprotocol.no-such-key=1", ["protocol.no-such-key"]),
]


def test_run_config_errors(tmp_path):
    for case, lines, expected in CONFIG_ERRORS:
        config = write_config(tmp_path, f"[endpoint broken]\nurl=ws://127.0.0.1:9/\n{lines}\n",
                              name=case.replace(" ", "-") + ".conf")
        result = run_tool("run", str(config))
        assert result.returncode == 2, f"{case}: exit status {result.returncode}; stderr:\n{result.stderr}"
        assert result.stdout == "", f"{case}: stdout {result.stdout!r}"
        assert result.stderr.startswith("rws: "), f"{case}: stderr {result.stderr!r}"
        for text in [str(config), "broken", *expected]:
            assert text in result.stderr, f"{case}: {text!r} missing from stderr {result.stderr!r}"


def test_run_rejects_route_group(tmp_path):
    config = write_config(tmp_path, """
[endpoint source]
url=ws://127.0.0.1:9/

[route forward]
from=source
""")
    result = run_tool("run", str(config))
    assert result.returncode == 2, f"exit status {result.returncode}; stderr:\n{result.stderr}"
    assert str(config) in result.stderr
    assert "route forward" in result.stderr
    assert result.stdout == ""


def test_run_rejects_missing_file(tmp_path):
    path = tmp_path / "missing.conf"
    result = run_tool("run", str(path))
    assert result.returncode == 2, f"exit status {result.returncode}; stderr:\n{result.stderr}"
    assert str(path) in result.stderr
    assert result.stdout == ""


def test_run_rejects_duplicate_endpoint(tmp_path):
    first = write_config(tmp_path, "[endpoint feed]\nurl=ws://127.0.0.1:9/\n", name="first.conf")
    second = write_config(tmp_path, "[endpoint feed]\nurl=ws://127.0.0.1:9/\n", name="second.conf")
    result = run_tool("run", str(first), str(second))
    assert result.returncode == 2, f"exit status {result.returncode}; stderr:\n{result.stderr}"
    assert str(first) in result.stderr
    assert str(second) in result.stderr
    assert "feed" in result.stderr


def test_run_exit_on_failure(tmp_path):
    peer = Peer(BROADCAST_PEER, "--record", str(tmp_path / "record.txt"))
    try:
        config = write_config(tmp_path, f"""
[endpoint live]
url=ws://127.0.0.1:{peer.port}/

[endpoint dead]
url=ws://127.0.0.1:{closed_port()}/
max-attempts=1
""")
        result = run_tool("run", "--exit-on-failure", str(config))
    finally:
        peer.stop()
    assert result.returncode == 1, f"exit status {result.returncode}; stderr:\n{result.stderr}"
    assert "[dead] giving up" in result.stderr


def test_run_keeps_others_after_failure(tmp_path):
    peer = Peer(BROADCAST_PEER, "--record", str(tmp_path / "record.txt"))
    tool = None
    try:
        config = write_config(tmp_path, f"""
[endpoint live]
url=ws://127.0.0.1:{peer.port}/

[endpoint dead]
url=ws://127.0.0.1:{closed_port()}/
max-attempts=1
""")
        tool = start_run(str(config))
        stdout = LineReader(tool.stdout)
        stderr = LineReader(tool.stderr)
        try:
            stderr.wait_for(lambda lines: any("[dead] giving up" in line for line in lines),
                            "the line about the failed endpoint")
            count = len(stdout.wait_for(lambda lines: True, "stdout"))
            stdout.wait_for(lambda lines: len(lines) >= count + 5,
                            "five more messages of the live endpoint after the failure")
            returncode = terminate_and_wait(tool, stdout, stderr)
        finally:
            stop_process(tool)
            lines = stdout.finish()
            print_stderr(stderr)
        # The failed endpoint makes the exit status 1 even after SIGTERM.
        assert returncode == 1, f"rws run exited with {returncode}"
        assert {record["endpoint"] for record in map(parse_output_line, lines)} == {"live"}
    finally:
        peer.stop()


def plugin_names(table):
    """Return the first column of the rows of the rws plugins table."""
    rows = table.splitlines()
    assert rows and rows[0].split()[0] == "NAME", f"no header row in {table!r}"
    return {row.split()[0] for row in rows[1:]}


def test_plugins_lists_all():
    result = run_tool("plugins")
    assert result.returncode == 0, f"exit status {result.returncode}; stderr:\n{result.stderr}"
    assert plugin_names(result.stdout) >= BUILTIN_PLUGINS | BUILD_TREE_PLUGINS
    assert result.stderr == ""


def test_plugins_without_plugin_path():
    result = run_tool("plugins", env=tool_env(RWS_PLUGIN_PATH="/nonexistent"))
    assert result.returncode == 0, f"exit status {result.returncode}; stderr:\n{result.stderr}"
    assert plugin_names(result.stdout) >= BUILTIN_PLUGINS
    assert result.stderr == ""


def test_plugins_json():
    result = run_tool("plugins", "--json")
    assert result.returncode == 0, f"exit status {result.returncode}; stderr:\n{result.stderr}"
    plugins = {plugin["name"]: plugin for plugin in json.loads(result.stdout)}
    assert set(plugins) >= BUILTIN_PLUGINS | BUILD_TREE_PLUGINS
    for name in BUILTIN_PLUGINS:
        assert plugins[name]["builtin"] is True
        assert plugins[name]["file"] is None
    for name in BUILD_TREE_PLUGINS:
        plugin = plugins[name]
        assert plugin["kind"] == "protocol"
        assert plugin["builtin"] is False
        assert plugin["description"], f"{name} has no description"
        assert plugin["file"].endswith(f"{name}.plugin")
        assert Path(plugin["file"]).is_file()
    assert plugins["raw"]["kind"] == "protocol"
    assert {plugins[name]["kind"] for name in ("text", "binary", "json")} == {"codec"}


def test_plugins_copy_ignores_build_tree(tmp_path):
    # A copy of the program is not the build tree's rws, so it must not
    # search the build tree's plugin directories, as an installed rws.
    copy = tmp_path / "rws"
    shutil.copy2(tool_path(), copy)
    build_root = Path(tool_path()).resolve().parent.parent
    result = run_tool("plugins", "--json", executable=str(copy),
                      env=tool_env(RWS_PLUGIN_PATH="/nonexistent"))
    assert result.returncode == 0, f"exit status {result.returncode}; stderr:\n{result.stderr}"
    plugins = json.loads(result.stdout)
    assert {plugin["name"] for plugin in plugins} >= BUILTIN_PLUGINS
    for plugin in plugins:
        assert plugin["file"] is None or not plugin["file"].startswith(str(build_root)), \
            f"the copy found {plugin['file']} in the build tree"


def test_connect_with_jsonrpc_plugin(tmp_path):
    peer = Peer(JSONRPC_PEER, "--record", str(tmp_path / "record.txt"))
    try:
        url = f"ws://127.0.0.1:{peer.port}/"
        result = run_tool("connect", "--protocol", "jsonrpc", "--codec", "json",
                          "--subscribe", "newHeads",
                          "--set", "protocol.notification-method=eth_subscription",
                          "--jsonl", "--count", "3", url)
    finally:
        peer.stop()
    assert result.returncode == 0, f"exit status {result.returncode}; stderr:\n{result.stderr}"
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 3
    assert [record["topic"] for record in records] == ["newHeads"] * 3
    assert [record["data"]["counter"] for record in records] == [1, 2, 3]


CONNECT_USAGE_ERRORS = [
    # (case, options, strings the error must contain)
    ("unknown key", ["--set", "no-such-key=1"], ["no-such-key"]),
    ("unknown plugin key", ["--protocol", "jsonrpc", "--set", "protocol.no-such-key=1"],
     ["protocol.no-such-key"]),
    ("bad value", ["--set", "backoff-max=soon"], ["backoff-max", "soon"]),
    ("no equals sign", ["--set", "backoff-max"], ["--set", "backoff-max"]),
    ("unknown protocol", ["--protocol", "no-such-protocol"], ["no-such-protocol"]),
    ("unknown codec", ["--codec", "no-such-codec"], ["no-such-codec"]),
]


def test_connect_plugin_option_errors():
    for case, options, expected in CONNECT_USAGE_ERRORS:
        result = run_tool("connect", *options, "ws://127.0.0.1:9/")
        assert result.returncode == 2, f"{case}: exit status {result.returncode}; stderr:\n{result.stderr}"
        assert result.stdout == "", f"{case}: stdout {result.stdout!r}"
        for text in expected:
            assert text in result.stderr, f"{case}: {text!r} missing from stderr {result.stderr!r}"
