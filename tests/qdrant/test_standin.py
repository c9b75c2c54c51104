#!/usr/bin/env python3
"""Self-tests of the Qdrant stand-in and its OpenAPI checker.

    python3 -m unittest discover -s tests/qdrant -p 'test_*.py'   # from the repo root
    python3 tests/qdrant/test_standin.py

The servers run as subprocesses on ephemeral loopback ports, started through
the same command line the C++ tests use.  Every response to a spec operation
is itself checked against the spec's response schema, with unknown keys
flagged, so the stand-in cannot drift from Qdrant's documented shapes.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import openapi_check  # noqa: E402
import qdrant_standin  # noqa: E402

STANDIN = os.path.join(HERE, "qdrant_standin.py")
SPEC_PATH = os.path.join(HERE, "openapi.json")
SPEC = openapi_check.Spec.load(SPEC_PATH)
JSON = {"Content-Type": "application/json"}

# GET /collections/docs after PUT /collections/docs {"vectors":{"size":384,"distance":"Cosine"}}.
DEFAULT_INFO = {
    "status": "green",
    "optimizer_status": "ok",
    "indexed_vectors_count": 0,
    "points_count": 0,
    "segments_count": 2,
    "config": {
        "params": {
            "vectors": {"size": 384, "distance": "Cosine"},
            "shard_number": 1,
            "replication_factor": 1,
            "write_consistency_factor": 1,
            "on_disk_payload": True,
        },
        "hnsw_config": {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000,
                        "max_indexing_threads": 0, "on_disk": False},
        "optimizer_config": {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000,
                             "default_segment_number": 0, "max_segment_size": None,
                             "memmap_threshold": None, "indexing_threshold": 10000,
                             "flush_interval_sec": 5, "max_optimization_threads": None},
        "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0, "wal_retain_closed": 1},
        "quantization_config": None,
        "strict_mode_config": {"enabled": False},
    },
    "payload_schema": {},
}


# ---------------------------------------------------------------- test helpers

class Server:
    """qdrant_standin.py as a subprocess on an ephemeral port."""

    def __init__(self, *args: str):
        self.directory = tempfile.TemporaryDirectory()
        self.port_file = os.path.join(self.directory.name, "port")
        self.log = open(os.path.join(self.directory.name, "stderr"), "w+")
        self.process = subprocess.Popen(
            [sys.executable, STANDIN, "--port", "0", "--port-file", self.port_file, *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        self.port = self._wait_for_port()

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if os.path.exists(self.port_file):
                with open(self.port_file) as f:
                    return int(f.read())
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        self.log.seek(0)
        raise RuntimeError(f"stand-in did not start: {self.log.read()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=10)
        self.log.close()
        self.directory.cleanup()
        return code


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def result(self):
        return self.json["result"]

    @property
    def error(self) -> str:
        return self.json["status"]["error"]


class Client:
    """One keep-alive connection; reconnects after the server drops it."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port = port
        self.headers = headers or {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None,
                chunked: bool = False) -> Response:
        all_headers = dict(self.headers)
        if body is not None:
            raw = json.dumps(body).encode()
            all_headers.update(JSON)
        all_headers.update(headers or {})
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            if chunked:
                self.connection.request(method, path, iter([raw[:5], raw[5:]]), all_headers,
                                        encode_chunked=True)
            else:
                self.connection.request(method, path, raw, all_headers)
            reply = self.connection.getresponse()
            data = reply.read()
        except Exception:
            self.close()
            raise
        return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, data)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class ServerTestCase(unittest.TestCase):
    """Shares one stand-in per class and resets it before every test."""

    server_args: tuple = ()
    client_headers: dict = {}

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*cls.server_args)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.client = Client(self.server.port, self.client_headers)
        self.control("POST", "/__standin/reset")

    def tearDown(self):
        self.client.close()

    def control(self, method: str, path: str, body=None) -> Response:
        return self.client.request(method, path, body)

    def call(self, method: str, path: str, body=None, check: bool = True, **kwargs) -> Response:
        """A Qdrant API request; its response must match the spec's response schema."""
        response = self.client.request(method, path, body, **kwargs)
        route = path.partition("?")[0]
        if check and SPEC.match(method, route) is not None and response.body:
            problems = SPEC.check_response(method, route, response.status, response.body,
                                           response.content_type)
            self.assertEqual([], [str(p) for p in problems],
                             f"{method} {path} -> {response.status} {response.text}")
        return response

    def violations(self) -> list:
        return self.control("GET", "/__standin/violations").json

    def assertNoViolations(self):
        self.assertEqual([], self.violations())

    def create(self, name: str = "docs", body=None) -> Response:
        response = self.call("PUT", f"/collections/{name}",
                             body or {"vectors": {"size": 384, "distance": "Cosine"}})
        self.assertEqual(200, response.status, response.text)
        return response


# ------------------------------------------------------------ the spec checker

class OpenApiCheckTest(unittest.TestCase):

    def problems(self, method, path, body=None, query="", headers=None, spec=SPEC):
        raw = json.dumps(body).encode() if body is not None else b""
        all_headers = dict(JSON if body is not None else {}, **(headers or {}))
        return [str(v) for v in spec.check_request(method, path, query, all_headers, raw).violations]

    def test_spec_copy_matches_its_provenance(self):
        with open(os.path.join(HERE, "SOURCE.md")) as f:
            recorded = re.search(r"`([0-9a-f]{64})`", f.read()).group(1)
        with open(SPEC_PATH, "rb") as f:
            self.assertEqual(recorded, hashlib.sha256(f.read()).hexdigest())
        self.assertEqual(53, len(SPEC.document["paths"]))
        self.assertEqual(400, len(SPEC.document["components"]["schemas"]))

    def test_literal_segments_win_over_templates(self):
        self.assertEqual("update_aliases", SPEC.match("POST", "/collections/aliases").operation_id)
        # The literal path has no GET; it is not read as a collection named "aliases".
        self.assertIsNone(SPEC.match("GET", "/collections/aliases"))
        self.assertEqual("count_points", SPEC.match("POST", "/collections/c/points/count").operation_id)
        self.assertEqual("get_point", SPEC.match("GET", "/collections/c/points/7").operation_id)
        self.assertIsNone(SPEC.match("GET", "/collections/c/points/count"))
        self.assertEqual("create_snapshot", SPEC.match("POST", "/collections/c/snapshots").operation_id)

    def test_path_parameters_are_decoded_and_typed(self):
        check = SPEC.check_request("GET", "/collections/my%20docs/points/42")
        self.assertEqual({"collection_name": "my docs", "id": 42}, check.operation.path_params)
        self.assertEqual(["path.id: expected a UUID, got string \"abc\""],
                         self.problems("GET", "/collections/c/points/abc"))
        self.assertEqual(["path.shard_id: expected integer, got string \"x\""],
                         self.problems("GET", "/collections/c/shards/x/snapshots"))
        self.assertIsNone(SPEC.match("GET", "/collections//exists"))

    def test_unknown_path_and_method(self):
        self.assertEqual(["path /collection/x: not in the spec"], self.problems("GET", "/collection/x"))
        self.assertEqual(["method POST /collections/{collection_name}: not in the spec "
                          "(allowed: GET, PUT, DELETE, PATCH)"],
                         self.problems("POST", "/collections/x", {}))

    def test_query_parameters(self):
        check = SPEC.check_request("PUT", "/collections/c/index", "wait=true&timeout=5", JSON,
                                   b'{"field_name": "f", "field_schema": "keyword"}')
        self.assertEqual([], check.violations)
        self.assertEqual({"wait": True, "timeout": 5}, check.query)
        self.assertEqual(["query.wait: expected boolean, got string \"yes\""],
                         self.problems("DELETE", "/collections/c/index/f", query="wait=yes"))
        self.assertEqual(["query.timeout: expected integer, got string \"soon\""],
                         self.problems("DELETE", "/collections/c", query="timeout=soon"))
        self.assertEqual(["query.wait: unknown query parameter (declared: timeout)"],
                         self.problems("DELETE", "/collections/c", query="wait=true"))
        self.assertEqual(["query.wait: given more than once"],
                         self.problems("DELETE", "/collections/c/index/f", query="wait=true&wait=false"))
        [violation] = SPEC.check_request("DELETE", "/collections/c", "timeout=0").violations
        self.assertEqual(("query.timeout: must be at least 1, got 0", openapi_check.VALIDATION),
                         (str(violation), violation.kind))
        self.assertEqual([], self.problems("POST", "/collections/c/points/count", {},
                                           query="consistency=majority"))
        self.assertEqual([], self.problems("POST", "/collections/c/points/count", {}, query="consistency=2"))

    def test_body_messages_carry_the_json_path(self):
        [message] = self.problems("PUT", "/collections/c", {"vectors": {"size": "384", "distance": "Cosine"}})
        self.assertTrue(message.startswith("body.vectors.size: expected integer, got string"), message)
        self.assertEqual(["body.actions[0].create_alias.alias_name: expected string, got integer 5"],
                         self.problems("POST", "/collections/aliases", {"actions": [
                             {"create_alias": {"collection_name": "c", "alias_name": 5}}]}))
        self.assertEqual(['body.vectors.dense.distance: expected one of "Cosine", "Euclid", '
                          '"Dot", "Manhattan", got string "cos"'],
                         self.problems("PUT", "/collections/c", {"vectors": {"dense": {
                             "size": 3, "distance": "cos"}}}))
        self.assertEqual(["body.vectors: missing field `distance`"],
                         self.problems("PUT", "/collections/c", {"vectors": {"size": 3}}))

    def test_integer_formats_and_ranges(self):
        self.assertEqual(["body.vectors.size: expected a non-negative integer (uint64), got -1"],
                         self.problems("PUT", "/collections/c", {"vectors": {"size": -1, "distance": "Dot"}}))
        self.assertEqual(["body.shard_number: expected uint32 (0..4294967295), got 4294967296"],
                         self.problems("PUT", "/collections/c", {"shard_number": 2**32}))
        self.assertEqual(["body.vectors.size: expected integer, got number 3.0"],
                         self.problems("PUT", "/collections/c", {"vectors": {"size": 3.0, "distance": "Dot"}}))
        [violation] = SPEC.check_request("PATCH", "/collections/c", "", JSON,
                                         b'{"optimizers_config": {"deleted_threshold": 1.5}}').violations
        self.assertEqual(openapi_check.VALIDATION, violation.kind)
        self.assertEqual("body.optimizers_config.deleted_threshold: must be at most 1, got 1.5", str(violation))

    def test_nullable_any_of_branches(self):
        self.assertEqual([], self.problems("PUT", "/collections/c", {"hnsw_config": None, "shard_number": None}))
        self.assertEqual(["body.vectors: expected object, got null"],
                         self.problems("PUT", "/collections/c", {"vectors": None}))
        self.assertEqual([], self.problems("PATCH", "/collections/c", {
            "optimizers_config": {"max_optimization_threads": "auto"}, "quantization_config": "Disabled"}))

    def test_unknown_fields(self):
        # Filter is deny_unknown_fields in Qdrant: additionalProperties false in the spec.
        self.assertEqual(["body.filter.bogus: unknown field"],
                         self.problems("POST", "/collections/c/points/count", {"filter": {"bogus": 1}}))
        # Elsewhere serde ignores unknown keys, so only strict mode reports them.
        self.assertEqual([], self.problems("PUT", "/collections/c", {"optimizer_config": {}}))
        strict = openapi_check.Spec(SPEC.document, strict_fields=True)
        self.assertEqual(["body.optimizer_config: unknown field (not in the spec; Qdrant would "
                          "silently ignore it)"],
                         self.problems("PUT", "/collections/c", {"optimizer_config": {}}, spec=strict))
        self.assertEqual([], self.problems("PUT", "/collections/c", {
            "vectors": {"dense": {"size": 3, "distance": "Dot"}}}, spec=strict))

    def test_bodies_and_content_types(self):
        self.assertEqual(["header.content-type: expected application/json, got 'none'"],
                         [str(v) for v in SPEC.check_request("PUT", "/collections/c", "", {}, b"{}").violations])
        self.assertEqual(["body: missing request body (expected JSON)"],
                         [str(v) for v in SPEC.check_request("PUT", "/collections/c", "", JSON, b"").violations])
        self.assertEqual(["body: invalid JSON: duplicate field `vectors`"],
                         [str(v) for v in SPEC.check_request("PUT", "/collections/c", "", JSON,
                                                             b'{"vectors": {}, "vectors": {}}').violations])
        self.assertEqual(["body: this operation takes no request body"],
                         [str(v) for v in SPEC.check_request("GET", "/collections", "", JSON, b"{}").violations])
        self.assertEqual([], self.problems("PUT", "/collections/c", {}, headers={
            "Content-Type": "application/json; charset=utf-8"}))

    def test_keywords_on_a_small_document(self):
        spec = openapi_check.Spec({"paths": {}, "components": {"schemas": {
            "Name": {"type": "string", "minLength": 2, "pattern": "^[a-z]+$"},
            "Both": {"allOf": [{"$ref": "#/components/schemas/Name"}, {"maxLength": 4}]},
            "Tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                     "minItems": 1, "maxItems": 2},
            "Exactly": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
            "Open": {"type": "object", "additionalProperties": {"type": "integer"}},
        }}})

        def check(value, name):
            return [str(v) for v in spec.validate(value, {"$ref": f"#/components/schemas/{name}"})]

        self.assertEqual([], check("abc", "Both"))
        self.assertEqual(["body: must be at least 2 characters long"], check("a", "Both"))
        self.assertEqual(["body: must be at most 4 characters long"], check("abcde", "Both"))
        self.assertEqual(["body: must match '^[a-z]+$'"], check("AB", "Name"))
        self.assertEqual(["body: items must be unique"], check(["a", "a"], "Tags"))
        self.assertEqual(["body: must have at most 2 items, got 3"], check(["a", "b", "c"], "Tags"))
        self.assertEqual(["body[0]: expected string, got integer 1"], check([1], "Tags"))
        self.assertEqual([], check(3, "Exactly"))  # matches both branches: accepted on purpose
        self.assertEqual(['body["a b"]: expected integer, got boolean true'], check({"a b": True}, "Open"))

    def test_response_checks_catch_wrong_shapes(self):
        good = {"result": {"exists": True}, "status": "ok", "time": 0.1}
        self.assertEqual([], SPEC.check_response("GET", "/collections/c/exists", 200, json.dumps(good)))
        bad = dict(DEFAULT_INFO, status="purple", extra=1)
        problems = [str(p) for p in SPEC.check_response(
            "GET", "/collections/c", 200, json.dumps({"result": bad, "status": "ok", "time": 0.1}))]
        self.assertEqual(['response.result.status: expected one of "green", "yellow", "grey", "red", '
                          'got string "purple"',
                          "response.result.extra: unknown field (not in the spec; Qdrant would "
                          "silently ignore it)"], problems)
        self.assertEqual([], SPEC.check_response("GET", "/collections/c", 200, json.dumps(
            {"result": DEFAULT_INFO, "status": "ok", "time": 0.1})))


# ------------------------------------------------------------------ the server

class StandInTest(ServerTestCase):

    def test_root_and_health_endpoints(self):
        root = self.call("GET", "/")
        self.assertEqual({"title": "qdrant - vector search engine", "version": "1.19.0",
                          "commit": qdrant_standin.DEFAULT_COMMIT}, root.json)
        for path, text in (("/healthz", "healthz check passed"), ("/livez", "healthz check passed"),
                           ("/readyz", "all shards are ready")):
            response = self.call("GET", path)
            self.assertEqual((200, text), (response.status, response.text))
            self.assertTrue(response.content_type.startswith("text/plain"))
        telemetry = self.call("GET", "/telemetry?details_level=1")
        self.assertEqual(0, telemetry.result["collections"]["number_of_collections"])
        self.assertNoViolations()

    def test_created_collection_reports_qdrant_defaults(self):
        created = self.create()
        self.assertEqual(True, created.json["result"])
        self.assertEqual("ok", created.json["status"])
        self.assertIsInstance(created.json["time"], float)
        info = self.call("GET", "/collections/docs")
        self.assertEqual(200, info.status)
        self.assertEqual(DEFAULT_INFO, info.result)
        self.assertEqual(["result", "status", "time"], list(info.json))
        self.assertNoViolations()

    def test_collection_errors(self):
        self.create()
        again = self.call("PUT", "/collections/docs", {"vectors": {"size": 384, "distance": "Cosine"}})
        self.assertEqual((400, "Wrong input: Collection `docs` already exists!"), (again.status, again.error))
        self.assertEqual({"status", "time"}, set(again.json))
        missing = "Not found: Collection `nope` doesn't exist!"
        for method, path, body in (("GET", "/collections/nope", None),
                                   ("PATCH", "/collections/nope", {}),
                                   ("PUT", "/collections/nope/index", {"field_name": "f", "field_schema": "keyword"}),
                                   ("POST", "/collections/nope/snapshots", None),
                                   ("GET", "/collections/nope/aliases", None),
                                   ("POST", "/collections/nope/points/count", {})):
            response = self.call(method, path, body)
            self.assertEqual((404, missing), (response.status, response.error), path)
        self.assertEqual(False, self.call("DELETE", "/collections/nope").result)
        bad_name = self.call("PUT", "/collections/a*b", {})
        self.assertEqual(422, bad_name.status)
        self.assertIn('cannot contain "*" char', bad_name.error)
        self.assertNoViolations()

    def test_list_exists_delete(self):
        self.create("beta")
        self.create("alpha")
        self.assertEqual({"collections": [{"name": "alpha"}, {"name": "beta"}]},
                         self.call("GET", "/collections").result)
        self.assertEqual({"exists": True}, self.call("GET", "/collections/alpha/exists").result)
        self.assertEqual({"exists": False}, self.call("GET", "/collections/gamma/exists").result)
        self.assertEqual(True, self.call("DELETE", "/collections/alpha?timeout=5").result)
        self.assertEqual({"exists": False}, self.call("GET", "/collections/alpha/exists").result)
        self.assertNoViolations()

    def test_named_sparse_vectors_and_config_diffs(self):
        self.create("multi", {
            "vectors": {"dense": {"size": 4, "distance": "Dot", "on_disk": True},
                        "title": {"size": 8, "distance": "Euclid", "hnsw_config": None}},
            "sparse_vectors": {"keywords": {"modifier": "idf"}},
            "shard_number": 2, "replication_factor": 2, "on_disk_payload": False,
            "hnsw_config": {"m": 32, "on_disk": None},
            "optimizers_config": {"default_segment_number": 3, "max_optimization_threads": 2},
            "wal_config": {"wal_capacity_mb": 64},
            "quantization_config": {"scalar": {"type": "int8", "always_ram": True}},
            "metadata": {"owner": "agentdb"},
        })
        info = self.call("GET", "/collections/multi").result
        params = info["config"]["params"]
        self.assertEqual({"dense": {"size": 4, "distance": "Dot", "on_disk": True},
                          "title": {"size": 8, "distance": "Euclid"}}, params["vectors"])
        self.assertEqual({"keywords": {"modifier": "idf"}}, params["sparse_vectors"])
        self.assertEqual((2, 2, False), (params["shard_number"], params["replication_factor"],
                                         params["on_disk_payload"]))
        self.assertEqual(32, info["config"]["hnsw_config"]["m"])
        self.assertFalse(info["config"]["hnsw_config"]["on_disk"])
        self.assertEqual(3, info["config"]["optimizer_config"]["default_segment_number"])
        self.assertEqual(2, info["config"]["optimizer_config"]["max_optimization_threads"])
        self.assertEqual(6, info["segments_count"])
        self.assertEqual({"wal_capacity_mb": 64, "wal_segments_ahead": 0, "wal_retain_closed": 1},
                         info["config"]["wal_config"])
        self.assertEqual({"scalar": {"type": "int8", "always_ram": True}},
                         info["config"]["quantization_config"])
        self.assertEqual({"owner": "agentdb"}, info["config"]["metadata"])
        self.assertNoViolations()

    def test_update_collection_merges_diffs(self):
        self.create()
        update = self.call("PATCH", "/collections/docs", {
            "optimizers_config": {"indexing_threshold": 20000, "max_optimization_threads": "auto"},
            "params": {"replication_factor": 3, "write_consistency_factor": 2, "on_disk_payload": False},
            "hnsw_config": {"ef_construct": 200},
            "vectors": {"": {"hnsw_config": {"m": 8}, "on_disk": True}},
            "quantization_config": {"binary": {"always_ram": True}},
        })
        self.assertEqual(True, update.result)
        config = self.call("GET", "/collections/docs").result["config"]
        self.assertEqual(20000, config["optimizer_config"]["indexing_threshold"])
        self.assertIsNone(config["optimizer_config"]["max_optimization_threads"])
        self.assertEqual((3, 2, False), (config["params"]["replication_factor"],
                                         config["params"]["write_consistency_factor"],
                                         config["params"]["on_disk_payload"]))
        self.assertEqual(200, config["hnsw_config"]["ef_construct"])
        self.assertEqual(16, config["hnsw_config"]["m"])
        self.assertEqual({"size": 384, "distance": "Cosine", "hnsw_config": {"m": 8}, "on_disk": True},
                         config["params"]["vectors"])
        self.assertEqual({"binary": {"always_ram": True}}, config["quantization_config"])
        self.call("PATCH", "/collections/docs", {"quantization_config": "Disabled"})
        self.assertIsNone(self.call("GET", "/collections/docs").result["config"]["quantization_config"])
        unknown = self.call("PATCH", "/collections/docs", {"vectors": {"image": {"on_disk": True}}})
        self.assertEqual((400, "Wrong input: Vector params for image are not specified in config"),
                         (unknown.status, unknown.error))
        self.assertNoViolations()

    def test_payload_indexes(self):
        self.create()
        created = self.call("PUT", "/collections/docs/index?wait=true",
                            {"field_name": "tenant", "field_schema": "keyword"})
        self.assertEqual({"operation_id": 0, "status": "completed"}, created.result)
        background = self.call("PUT", "/collections/docs/index",
                               {"field_name": "rank", "field_schema": {"type": "integer", "range": True}})
        self.assertEqual({"operation_id": 1, "status": "acknowledged"}, background.result)
        self.call("PUT", "/collections/docs/points?wait=true", {"points": [
            {"id": 1, "vector": [0.0] * 384, "payload": {"tenant": "a"}},
            {"id": 2, "vector": [0.0] * 384, "payload": {"other": 1}}]})
        self.assertEqual({"tenant": {"data_type": "keyword", "points": 1},
                          "rank": {"data_type": "integer", "params": {"type": "integer", "range": True},
                                   "points": 0}},
                         self.call("GET", "/collections/docs").result["payload_schema"])
        dropped = self.call("DELETE", "/collections/docs/index/tenant?wait=true")
        self.assertEqual("completed", dropped.result["status"])
        self.assertEqual(["rank"], list(self.call("GET", "/collections/docs").result["payload_schema"]))
        self.assertNoViolations()

    def test_aliases(self):
        self.create("v1")
        self.create("v2")
        changed = self.call("POST", "/collections/aliases?timeout=10", {"actions": [
            {"create_alias": {"collection_name": "v1", "alias_name": "live"}},
            {"create_alias": {"collection_name": "v1", "alias_name": "old"}}]})
        self.assertEqual(True, changed.result)
        self.assertEqual({"aliases": [{"alias_name": "live", "collection_name": "v1"},
                                      {"alias_name": "old", "collection_name": "v1"}]},
                         self.call("GET", "/aliases").result)
        self.assertEqual(384, self.call("GET", "/collections/live").result["config"]["params"]["vectors"]["size"])
        self.assertEqual({"exists": True}, self.call("GET", "/collections/live/exists").result)
        # Switch "live" to v2 atomically, rename "old", drop a missing alias quietly.
        self.call("POST", "/collections/aliases", {"actions": [
            {"delete_alias": {"alias_name": "live"}},
            {"create_alias": {"collection_name": "v2", "alias_name": "live"}},
            {"rename_alias": {"old_alias_name": "old", "new_alias_name": "previous"}},
            {"delete_alias": {"alias_name": "never-existed"}}]})
        self.assertEqual({"aliases": [{"alias_name": "live", "collection_name": "v2"}]},
                         self.call("GET", "/collections/v2/aliases").result)
        self.assertEqual({"aliases": [{"alias_name": "previous", "collection_name": "v1"}]},
                         self.call("GET", "/collections/v1/aliases").result)
        missing = self.call("POST", "/collections/aliases", {"actions": [
            {"create_alias": {"collection_name": "v1", "alias_name": "x"}},
            {"rename_alias": {"old_alias_name": "ghost", "new_alias_name": "y"}}]})
        self.assertEqual((404, "Not found: Alias ghost does not exists!"), (missing.status, missing.error))
        self.assertNotIn("x", [a["alias_name"] for a in self.call("GET", "/aliases").result["aliases"]])
        no_target = self.call("POST", "/collections/aliases", {"actions": [
            {"create_alias": {"collection_name": "v9", "alias_name": "x"}}]})
        self.assertEqual(404, no_target.status)
        clash = self.call("PUT", "/collections/live", {})
        self.assertEqual(400, clash.status)
        self.assertIn("Alias with the same name already exists", clash.error)
        self.call("DELETE", "/collections/v2")
        self.assertEqual({"aliases": [{"alias_name": "previous", "collection_name": "v1"}]},
                         self.call("GET", "/aliases").result)
        self.assertNoViolations()

    def test_snapshots(self):
        self.create()
        first = self.call("POST", "/collections/docs/snapshots?wait=true").result
        second = self.call("POST", "/collections/docs/snapshots").result
        pattern = r"docs-\d+-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.snapshot"
        for snapshot in (first, second):
            self.assertRegex(snapshot["name"], pattern)
            self.assertRegex(snapshot["creation_time"], r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
            self.assertRegex(snapshot["checksum"], r"^[0-9a-f]{64}$")
            self.assertGreater(snapshot["size"], 0)
        self.assertNotEqual(first["name"], second["name"])
        background = self.call("POST", "/collections/docs/snapshots?wait=false")
        self.assertEqual((202, "accepted"), (background.status, background.json["status"]))
        listed = self.call("GET", "/collections/docs/snapshots").result
        self.assertEqual(3, len(listed))
        self.assertEqual([first, second], listed[:2])
        self.assertEqual(True, self.call("DELETE", f"/collections/docs/snapshots/{first['name']}").result)
        self.assertEqual(404, self.call("DELETE", f"/collections/docs/snapshots/{first['name']}").status)
        self.assertEqual(2, len(self.call("GET", "/collections/docs/snapshots").result))
        self.assertNoViolations()

    def test_points_make_counts_real(self):
        self.create("small", {"vectors": {"size": 3, "distance": "Dot"}})
        upsert = self.call("PUT", "/collections/small/points?wait=true", {"points": [
            {"id": 1, "vector": [1, 2, 3], "payload": {"tenant": "a", "rank": 5}},
            {"id": "550E8400-E29B-41D4-A716-446655440000", "vector": [1, 2, 3], "payload": {"tenant": "b"}},
            {"id": 1, "vector": [3, 2, 1], "payload": {"tenant": "a", "rank": 7}}]})
        self.assertEqual("completed", upsert.result["status"])
        self.call("PUT", "/collections/small/points", {"batch": {
            "ids": [2, "550e8400-e29b-41d4-a716-446655440000"], "vectors": [[0, 0, 1], [0, 1, 0]],
            "payloads": [{"tenant": "a", "tags": ["x", "y"]}, {"tenant": "b"}]}})
        self.assertEqual({"count": 3}, self.call("POST", "/collections/small/points/count", {"exact": True}).result)
        info = self.call("GET", "/collections/small").result
        self.assertEqual((3, 0), (info["points_count"], info["indexed_vectors_count"]))

        def count(flt):
            return self.call("POST", "/collections/small/points/count", {"filter": flt}).result["count"]

        self.assertEqual(2, count({"must": [{"key": "tenant", "match": {"value": "a"}}]}))
        self.assertEqual(1, count({"must": {"key": "tags", "match": {"any": ["y", "z"]}}}))
        self.assertEqual(1, count({"must": [{"key": "rank", "range": {"gte": 6}}]}))
        self.assertEqual(2, count({"must_not": [{"has_id": [1]}]}))
        self.assertEqual(2, count({"should": [{"is_empty": {"key": "rank"}}]}))
        unsupported = self.call("POST", "/collections/small/points/count",
                                {"filter": {"must": [{"key": "geo", "geo_radius": {
                                    "center": {"lon": 0, "lat": 0}, "radius": 1}}]}})
        self.assertEqual(501, unsupported.status)

        wrong_dim = self.call("PUT", "/collections/small/points", {"points": [{"id": 9, "vector": [1, 2]}]})
        self.assertEqual((400, "Wrong input: Vector dimension error: expected dim: 3, got 2"),
                         (wrong_dim.status, wrong_dim.error))
        wrong_name = self.call("PUT", "/collections/small/points", {"points": [{"id": 9, "vector": {"x": [1, 2, 3]}}]})
        self.assertEqual((400, "Wrong input: Not existing vector name error: x"),
                         (wrong_name.status, wrong_name.error))
        self.assertEqual(3, self.call("GET", "/collections/small").result["points_count"])
        self.assertNoViolations()

    def test_requests_outside_the_spec_are_recorded_and_refused(self):
        self.create()
        cases = [
            # (method, path, json body, raw body, headers, status, start of the error)
            ("PUT", "/collections/bad", {"vectors": {"size": "384", "distance": "Cosine"}}, None, None,
             400, "Format error in JSON body: body.vectors.size: expected integer, got string"),
            ("PATCH", "/collections/docs", {"hnsw_config": {"ef_construct": 2}}, None, None,
             422, "Validation error in JSON body: [body.hnsw_config.ef_construct: must be at least 4"),
            ("POST", "/collections/docs/points/count", {"filter": {"must": [], "mustt": []}}, None, None,
             400, "Format error in JSON body: body.filter.mustt: unknown field"),
            ("PUT", "/collections/docs/index?wait=yes", {"field_name": "f", "field_schema": "keyword"}, None, None,
             400, "Deserialize error in query parameters: query.wait: expected boolean"),
            ("DELETE", "/collections/docs?timeout=0", None, None, None,
             422, "Validation error in query parameters: [query.timeout: must be at least 1, got 0]"),
            ("GET", "/collections/docs?verbose=1", None, None, None,
             400, "Deserialize error in query parameters: query.verbose: unknown query parameter"),
            ("PUT", "/collections/raw", None, b'{"vectors": {}}', None, 400, "Content type error"),
            ("PUT", "/collections/raw", None, b'{"vectors": ', JSON, 400,
             "Format error in JSON body: body: invalid JSON"),
            ("GET", "/collections/docs/shards/one/snapshots", None, None, None,
             400, "Deserialize error in path parameters: path.shard_id: expected integer"),
            ("GET", "/collection", None, None, None, 404, None),
            ("POST", "/collections/docs", {}, None, None, 404, None),
            ("PUT", "/collections/aliases", {}, None, None, 404, None),
        ]
        for method, path, body, raw, headers, status, error in cases:
            with self.subTest(method=method, path=path):
                response = self.call(method, path, body, raw=raw, headers=headers)
                self.assertEqual(status, response.status, response.text)
                if error is None:
                    self.assertEqual(b"", response.body)  # actix's bare 404
                else:
                    self.assertTrue(response.error.startswith(error), response.error)
                    self.assertEqual(0.0, response.json["time"])
        violations = self.violations()
        self.assertEqual(len(cases), len(violations), violations)
        self.assertTrue(violations[0].startswith(
            'PUT /collections/bad: body.vectors.size: expected integer, got string "384"'), violations[0])
        self.assertIn("GET /collection: path /collection: not in the spec", violations)
        self.assertEqual({"exists": False}, self.call("GET", "/collections/bad/exists").result)

    def test_request_log(self):
        self.create()
        self.call("PUT", "/collections/docs/index?wait=true", {"field_name": "f", "field_schema": "keyword"},
                  headers={"api-key": "k"})
        self.call("GET", "/nowhere")
        log = self.control("GET", "/__standin/requests").json
        self.assertEqual(["create_collection", "create_field_index", None],
                         [entry["operation_id"] for entry in log])
        entry = log[1]
        self.assertEqual(("PUT", "/collections/docs/index", "wait=true", {"wait": ["true"]}),
                         (entry["method"], entry["path"], entry["query"], entry["query_params"]))
        self.assertEqual({"api_key": True, "authorization": False, "content_type": "application/json"},
                         entry["headers"])
        self.assertEqual({"field_name": "f", "field_schema": "keyword"}, entry["body"])
        self.assertEqual((200, [], None), (entry["status"], entry["violations"], entry["fault"]))
        self.assertEqual((404, ["path /nowhere: not in the spec"]), (log[2]["status"], log[2]["violations"]))
        self.control("POST", "/__standin/reset")
        self.assertEqual([], self.control("GET", "/__standin/requests").json)

    def test_keep_alive_and_chunked_bodies(self):
        self.call("GET", "/")
        first_socket = self.client.connection.sock
        response = self.call("PUT", "/collections/docs", raw=json.dumps(
            {"vectors": {"size": 2, "distance": "Dot"}}).encode(), headers=JSON, chunked=True)
        self.assertEqual(200, response.status, response.text)
        self.assertIs(first_socket, self.client.connection.sock)
        self.assertEqual(str(len(response.body)), response.headers["content-length"])
        self.assertNoViolations()

    def test_status_fault(self):
        fault = self.control("POST", "/__standin/fault", {"mode": "status", "code": 503, "count": 2})
        self.assertEqual(1, len(fault.json["pending"]))
        for _ in range(2):
            failed = self.call("GET", "/collections")
            self.assertEqual(503, failed.status)
            self.assertIn("error", failed.json["status"])
        self.assertEqual(200, self.call("GET", "/collections").status)
        log = self.control("GET", "/__standin/requests").json
        self.assertEqual(["status", "status", None], [e["fault"] for e in log])

    def test_hang_fault(self):
        self.control("POST", "/__standin/fault", {"mode": "hang", "seconds": 0.4, "count": 1})
        hung = {}

        def slow_request():
            started = time.monotonic()
            hung["status"] = Client(self.server.port).request("GET", "/collections").status
            hung["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=slow_request)
        thread.start()
        time.sleep(0.1)
        # Other connections are served while one request hangs.
        started = time.monotonic()
        self.assertEqual(200, self.call("GET", "/collections").status)
        self.assertLess(time.monotonic() - started, 0.3)
        thread.join(timeout=5)
        self.assertEqual(200, hung["status"])
        self.assertGreaterEqual(hung["seconds"], 0.4)

    def test_close_fault_and_queueing(self):
        self.control("POST", "/__standin/fault", {"mode": "close"})
        self.control("POST", "/__standin/fault", {"mode": "status", "code": 500})
        self.control("GET", "/__standin/violations")  # control requests use no faults
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.call("GET", "/collections")
        self.assertEqual(500, self.call("GET", "/collections").status)
        self.assertEqual(200, self.call("GET", "/collections").status)
        for bad in ({"mode": "explode"}, {"mode": "status"}, {"mode": "hang"}, {"mode": "close", "count": 0}):
            self.assertEqual(400, self.control("POST", "/__standin/fault", bad).status, bad)

    def test_collection_controls(self):
        self.create()
        self.control("POST", "/__standin/collections/docs/status", {"status": "yellow"})
        self.assertEqual("yellow", self.call("GET", "/collections/docs").result["status"])
        self.control("POST", "/__standin/collections/docs/status",
                     {"status": "red", "optimizer_error": "disk full"})
        info = self.call("GET", "/collections/docs").result
        self.assertEqual(("red", {"error": "disk full"}), (info["status"], info["optimizer_status"]))
        self.control("POST", "/__standin/collections/docs/points_count", {"count": 100000})
        info = self.call("GET", "/collections/docs").result
        # 100000 vectors of 384 floats pass the 10000 kB indexing threshold.
        self.assertEqual((100000, 100000), (info["points_count"], info["indexed_vectors_count"]))
        self.assertEqual({"count": 100000}, self.call("POST", "/collections/docs/points/count", {}).result)
        self.control("POST", "/__standin/collections/docs/points_count",
                     {"count": 10, "indexed_vectors_count": 4})
        info = self.call("GET", "/collections/docs").result
        self.assertEqual((10, 4), (info["points_count"], info["indexed_vectors_count"]))
        self.assertEqual(404, self.control("POST", "/__standin/collections/nope/status", {"status": "red"}).status)
        self.assertEqual(400, self.control("POST", "/__standin/collections/docs/status", {"status": "blue"}).status)
        self.assertEqual(400, self.control("POST", "/__standin/collections/docs/points_count", {"count": -1}).status)
        self.assertEqual(404, self.control("GET", "/__standin/nothing").status)
        self.assertNoViolations()


class StrictFieldsTest(unittest.TestCase):
    """--strict-fields, exercised on StandIn directly (no HTTP needed)."""

    def test_unknown_fields_become_violations(self):
        spec = openapi_check.Spec(SPEC.document, strict_fields=True)
        app = qdrant_standin.StandIn(spec)
        reply = app.handle("PUT", "/collections/c", "", JSON,
                           b'{"vectors": {"size": 3, "distance": "Dot"}, "optimizer_config": {}}')
        self.assertEqual(400, reply.status)
        self.assertEqual(["PUT /collections/c: body.optimizer_config: unknown field (not in the spec; "
                          "Qdrant would silently ignore it)"], app.violations)
        lenient = qdrant_standin.StandIn(SPEC)
        reply = lenient.handle("PUT", "/collections/c", "", JSON,
                               b'{"vectors": {"size": 3, "distance": "Dot"}, "optimizer_config": {}}')
        self.assertEqual((200, []), (reply.status, lenient.violations))


class ApiKeyTest(ServerTestCase):
    server_args = ("--api-key", "secret", "--read-only-api-key", "reader", "--version", "1.12.3")

    def test_requests_without_a_valid_key_are_refused(self):
        missing = self.call("GET", "/collections", check=False)
        self.assertEqual((401, "Must provide an API key or an Authorization bearer token"),
                         (missing.status, missing.text))
        self.assertTrue(missing.content_type.startswith("text/plain"))
        wrong = self.call("GET", "/collections", headers={"api-key": "guess"}, check=False)
        self.assertEqual((401, "Invalid API key or JWT"), (wrong.status, wrong.text))
        not_bearer = self.call("GET", "/collections", headers={"Authorization": "Basic secret"}, check=False)
        self.assertEqual(401, not_bearer.status)
        log = self.control("GET", "/__standin/requests").json
        self.assertEqual([False, True, False], [e["headers"]["api_key"] for e in log])

    def test_valid_keys_and_exempt_paths(self):
        self.assertEqual(200, self.call("GET", "/collections", headers={"api-key": "secret"}).status)
        self.assertEqual(200, self.call("GET", "/collections",
                                        headers={"Authorization": "Bearer secret"}).status)
        for path in ("/", "/healthz", "/livez", "/readyz"):
            self.assertEqual(200, self.call("GET", path).status, path)
        self.assertEqual("1.12.3", self.call("GET", "/").json["version"])
        self.assertEqual(200, self.control("GET", "/__standin/violations").status)

    def test_read_only_key(self):
        self.call("PUT", "/collections/docs", {"vectors": {"size": 2, "distance": "Dot"}},
                  headers={"api-key": "secret"})
        reader = {"api-key": "reader"}
        self.assertEqual(200, self.call("GET", "/collections/docs", headers=reader).status)
        self.assertEqual(200, self.call("POST", "/collections/docs/points/count", {}, headers=reader).status)
        denied = self.call("DELETE", "/collections/docs", headers=reader, check=False)
        self.assertEqual((403, "Write access denied"), (denied.status, denied.text))
        self.assertNoViolations()


class LifecycleTest(unittest.TestCase):

    def test_sigterm_stops_the_server_and_removes_the_port_file(self):
        server = Server()
        port_file = server.port_file
        client = Client(server.port)
        self.assertEqual(200, client.request("GET", "/").status)  # leaves a keep-alive connection open
        server.process.send_signal(signal.SIGTERM)
        self.assertEqual(0, server.process.wait(timeout=5))
        self.assertFalse(os.path.exists(port_file))
        client.close()
        server.stop()

    def test_port_file_is_written_atomically(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "port")
            qdrant_standin.write_port_file(path, 4321)
            with open(path) as f:
                self.assertEqual("4321\n", f.read())
            self.assertEqual(["port"], os.listdir(directory))


if __name__ == "__main__":
    unittest.main()
