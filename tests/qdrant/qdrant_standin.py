#!/usr/bin/env python3
"""An in-memory stand-in for Qdrant's REST API (v1.19) for agentdb's tests.

Qdrant has no Debian package, so the tests run this instead.  It keeps
collections in memory and answers as Qdrant does: same paths, the
{"result": ..., "status": "ok", "time": ...} envelope, the same error bodies
and status codes.  Every request is checked against Qdrant's OpenAPI spec
(openapi_check.py); requests the spec does not allow are recorded as
violations and refused the way Qdrant would refuse them, so a test can assert
that agentdb sent none.

    python3 qdrant_standin.py --port 0 --port-file /tmp/qdrant.port [--api-key KEY]

Test hooks live under /__standin/ (see README.md); they are not checked
against the spec and need no API key.  Standard library only.
"""

from __future__ import annotations

import argparse
import collections
import copy
import datetime
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openapi_check  # noqa: E402  (lives beside this file)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPEC = os.path.join(HERE, "openapi.json")
DEFAULT_VERSION = "1.19.0"
DEFAULT_COMMIT = "74f3e85b9473c62560006c043e13737ce6b48412"  # tag v1.19.0, see SOURCE.md
CONTROL_PREFIX = "/__standin"
MAX_LOGGED_REQUESTS = 10_000  # oldest entries are dropped past this

# Qdrant exempts these from the API key check (src/actix/mod.rs whitelist).
AUTH_EXEMPT_EXACT = ("/", "/healthz")
AUTH_EXEMPT_PREFIX = ("/readyz", "/livez")

# POST operations a read-only key may call (Qdrant: READ_ONLY_POST_PATTERNS).
READ_ONLY_POST_OPERATIONS = frozenset({
    "get_points", "count_points", "scroll_points", "facet", "query_points",
    "query_batch_points", "query_points_groups", "search_matrix_pairs",
    "search_matrix_offsets",
})

# With default_segment_number = 0 Qdrant picks a count from the CPUs; the
# stand-in reports this fixed number instead.
AUTO_SEGMENT_COUNT = 2

# Qdrant's defaults (config/config.yaml) for what a create request leaves out.
def default_hnsw_config() -> dict:
    return {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000,
            "max_indexing_threads": 0, "on_disk": False}


def default_optimizer_config() -> dict:
    return {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000,
            "default_segment_number": 0, "max_segment_size": None,
            "memmap_threshold": None, "indexing_threshold": 10000,
            "flush_interval_sec": 5, "max_optimization_threads": None}


def default_wal_config() -> dict:
    return {"wal_capacity_mb": 32, "wal_segments_ahead": 0, "wal_retain_closed": 1}


def default_strict_mode_config() -> dict:
    return {"enabled": False}


# --------------------------------------------------------------------- replies

@dataclass
class Reply:
    """What to send back; `drop` means close the connection without a word."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = None
    drop: bool = False


def json_bytes(value) -> bytes:
    # Compact, like serde_json.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def elapsed(started: float) -> float:
    return round(time.monotonic() - started, 6)


def ok_reply(result, started: float) -> Reply:
    return Reply(200, json_bytes({"result": result, "status": "ok", "time": elapsed(started)}),
                 "application/json")


def accepted_reply(started: float) -> Reply:
    """Qdrant's answer when wait=false lets an operation finish in the background."""
    return Reply(202, json_bytes({"status": "accepted", "time": elapsed(started)}), "application/json")


def error_reply(status: int, message: str, seconds: float) -> Reply:
    return Reply(status, json_bytes({"status": {"error": message}, "time": seconds}),
                 "application/json")


def text_reply(status: int, text: str) -> Reply:
    return Reply(status, text.encode("utf-8"), "text/plain; charset=utf-8")


def json_reply(status: int, value) -> Reply:
    """Plain JSON, without Qdrant's envelope (GET / and the control endpoints)."""
    return Reply(status, json_bytes(value), "application/json")


class ApiError(Exception):
    """An error Qdrant reports as {"status": {"error": message}} with `status`."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# Qdrant's StorageError variants and the texts they print with.
def not_found(description: str) -> ApiError:
    return ApiError(404, f"Not found: {description}")


def bad_input(description: str) -> ApiError:
    return ApiError(400, f"Wrong input: {description}")


def not_emulated(what: str) -> ApiError:
    # Not Qdrant behaviour: says plainly that a test needs more of the stand-in.
    return ApiError(501, f"Service internal error: the Qdrant stand-in does not emulate {what}")


# ------------------------------------------------------------------ collections

def without_nulls(value):
    """Drop null members, as Qdrant's serializer skips unset options."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def merge_diff(target: dict, diff: dict | None) -> dict:
    """Apply a Qdrant *Diff object: every non-null member replaces the old value."""
    for key, value in (diff or {}).items():
        if value is not None:
            target[key] = copy.deepcopy(value)
    return target


def point_key(point_id):
    """Qdrant's point ids: unsigned integers, or UUIDs in any accepted spelling."""
    if isinstance(point_id, int):
        return point_id
    return str(uuid.UUID(point_id))


def payload_values(payload, key: str) -> list:
    """Values at a payload key such as "meta.tags" or "items[].id"; arrays flatten."""
    values = [payload]
    for part in key.split("."):
        part = part[:-2] if part.endswith("[]") else part
        found = []
        for value in values:
            if isinstance(value, dict) and part in value:
                item = value[part]
                found.extend(item if isinstance(item, list) else [item])
        values = found
    return values


@dataclass
class Collection:
    name: str
    config: dict  # CollectionConfig, as GET /collections/{name} reports it
    status: str = "green"
    optimizer_status: object = "ok"
    points: dict = field(default_factory=dict)  # point id -> payload (or None)
    count_offset: int = 0  # from /__standin/.../points_count: points without data
    indexed_override: int | None = None
    payload_schema: dict = field(default_factory=dict)  # field -> {data_type, params?}
    snapshots: list = field(default_factory=list)
    last_operation_id: int = -1

    @property
    def params(self) -> dict:
        return self.config["params"]

    def has_single_vector(self) -> bool:
        vectors = self.params["vectors"]
        return isinstance(vectors.get("size"), int) and "distance" in vectors

    def dense_vectors(self) -> dict:
        """Vector name -> VectorParams; the unnamed vector is called ""."""
        if self.has_single_vector():
            return {"": self.params["vectors"]}
        return self.params["vectors"]

    def points_count(self) -> int:
        return max(0, len(self.points) + self.count_offset)

    def indexed_vectors_count(self) -> int:
        """Vectors Qdrant would have put in an HNSW index by now.

        Qdrant indexes a segment once its vectors pass indexing_threshold
        (in kB, 0 = never); the stand-in applies that to the whole collection.
        """
        if self.indexed_override is not None:
            return self.indexed_override
        threshold = self.config["optimizer_config"].get("indexing_threshold")
        threshold = 10000 if threshold is None else threshold
        count = self.points_count()
        if threshold == 0:
            return 0
        return sum(count for params in self.dense_vectors().values()
                   if count * params["size"] * 4 / 1024 >= threshold)

    def segments_count(self) -> int:
        per_shard = self.config["optimizer_config"].get("default_segment_number") or AUTO_SEGMENT_COUNT
        return per_shard * self.params["shard_number"]

    def next_operation_id(self) -> int:
        self.last_operation_id += 1
        return self.last_operation_id

    def info(self) -> dict:
        """CollectionInfo, in Qdrant's field order."""
        schema = {}
        for name, index in self.payload_schema.items():
            indexed = sum(1 for payload in self.points.values()
                          if payload and payload_values(payload, name))
            schema[name] = {**index, "points": indexed}
        return {
            "status": self.status,
            "optimizer_status": copy.deepcopy(self.optimizer_status),
            "indexed_vectors_count": self.indexed_vectors_count(),
            "points_count": self.points_count(),
            "segments_count": self.segments_count(),
            "config": copy.deepcopy(self.config),
            "payload_schema": schema,
        }


def new_collection_config(body: dict) -> dict:
    """CollectionConfig for a CreateCollection body, Qdrant's defaults filled in."""
    params = {
        "vectors": without_nulls(body.get("vectors") or {}),
        "shard_number": body.get("shard_number") or 1,
    }
    if body.get("sharding_method") is not None:
        params["sharding_method"] = body["sharding_method"]
    params["replication_factor"] = body.get("replication_factor") or 1
    params["write_consistency_factor"] = body.get("write_consistency_factor") or 1
    on_disk_payload = body.get("on_disk_payload")
    params["on_disk_payload"] = True if on_disk_payload is None else on_disk_payload
    if body.get("payload") is not None:
        params["payload"] = without_nulls(body["payload"])
    if body.get("sparse_vectors") is not None:
        params["sparse_vectors"] = without_nulls(body["sparse_vectors"])

    optimizers = body.get("optimizers_config") or {}
    config = {
        "params": params,
        "hnsw_config": merge_diff(default_hnsw_config(), body.get("hnsw_config")),
        "optimizer_config": merge_optimizers(default_optimizer_config(), optimizers),
        "wal_config": merge_diff(default_wal_config(), body.get("wal_config")),
        "quantization_config": without_nulls(body.get("quantization_config")),
        "strict_mode_config": merge_diff(default_strict_mode_config(), body.get("strict_mode_config")),
    }
    if body.get("metadata") is not None:
        config["metadata"] = copy.deepcopy(body["metadata"])
    return config


def merge_optimizers(config: dict, diff: dict) -> dict:
    """OptimizersConfigDiff; max_optimization_threads "auto" reads back as null."""
    diff = dict(diff)
    threads = diff.pop("max_optimization_threads", None)
    merge_diff(config, diff)
    if threads == "auto":
        config["max_optimization_threads"] = None
    elif threads is not None:
        config["max_optimization_threads"] = threads
    return config


def update_vector_params(target: dict, diff: dict) -> None:
    """Apply a VectorParamsDiff to one vector's VectorParams."""
    if diff.get("hnsw_config") is not None:
        target["hnsw_config"] = merge_diff(target.get("hnsw_config") or {}, diff["hnsw_config"])
    quantization = diff.get("quantization_config")
    if quantization == "Disabled":
        target.pop("quantization_config", None)
    elif quantization is not None:
        target["quantization_config"] = without_nulls(quantization)
    for key in ("on_disk", "memory"):
        if diff.get(key) is not None:
            target[key] = diff[key]


# ------------------------------------------------------------------- filtering

FILTER_KEYS = frozenset({"must", "should", "must_not", "min_should"})


def as_conditions(value) -> list:
    """Qdrant takes one condition or a list of them in must/should/must_not."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def filter_matches(flt: dict, point_id, payload) -> bool:
    if not all(condition_matches(c, point_id, payload) for c in as_conditions(flt.get("must"))):
        return False
    if any(condition_matches(c, point_id, payload) for c in as_conditions(flt.get("must_not"))):
        return False
    should = as_conditions(flt.get("should"))
    if should and not any(condition_matches(c, point_id, payload) for c in should):
        return False
    min_should = flt.get("min_should")
    if min_should:
        hits = sum(condition_matches(c, point_id, payload) for c in min_should["conditions"])
        if hits < min_should["min_count"]:
            return False
    return True


def condition_matches(condition: dict, point_id, payload) -> bool:
    """The common conditions; anything else is refused rather than guessed at."""
    payload = payload or {}
    if condition.keys() and condition.keys() <= FILTER_KEYS:
        return filter_matches(condition, point_id, payload)
    if "has_id" in condition:
        return point_id in {point_key(i) for i in condition["has_id"]}
    if "is_empty" in condition:
        return not payload_values(payload, condition["is_empty"]["key"])
    if "is_null" in condition:
        return None in payload_values(payload, condition["is_null"]["key"])
    if "key" in condition:
        values = [v for v in payload_values(payload, condition["key"]) if v is not None]
        if condition.get("match") is not None:
            return match_matches(condition["match"], values)
        if condition.get("range") is not None:
            return range_matches(condition["range"], values)
    raise not_emulated(f"the filter condition {json.dumps(condition)[:200]}")


def match_matches(match: dict, values: list) -> bool:
    if "value" in match:
        return any(openapi_check.json_equal(v, match["value"]) for v in values)
    if "any" in match:
        return any(openapi_check.json_equal(v, w) for v in values for w in match["any"])
    if "except" in match:
        return bool(values) and not any(openapi_check.json_equal(v, w)
                                        for v in values for w in match["except"])
    if "text" in match:
        return any(isinstance(v, str) and match["text"] in v for v in values)
    raise not_emulated(f"the match {json.dumps(match)[:200]}")


def range_matches(bounds: dict, values: list) -> bool:
    def inside(v) -> bool:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return False
        return all((bounds.get("gt") is None or v > bounds["gt"],
                    bounds.get("gte") is None or v >= bounds["gte"],
                    bounds.get("lt") is None or v < bounds["lt"],
                    bounds.get("lte") is None or v <= bounds["lte"]))
    return any(inside(v) for v in values)


# ----------------------------------------------------------------- the service

@dataclass
class Fault:
    """A failure to inject into the next `remaining` non-control requests."""

    mode: str  # "status", "hang" or "close"
    remaining: int
    code: int = 500
    seconds: float = 0.0
    message: str = "Service internal error: failure injected by the Qdrant stand-in"

    def describe(self) -> dict:
        return {"mode": self.mode, "remaining": self.remaining, "code": self.code,
                "seconds": self.seconds, "message": self.message}


@dataclass
class Call:
    """One request that passed the checks, handed to an operation."""

    params: dict  # typed path parameters
    query: dict  # typed query parameters
    body: object  # parsed JSON body
    started: float

    def wait(self, default: bool = False) -> bool:
        return self.query.get("wait", default)


class StandIn:
    """Qdrant's behaviour, independent of HTTP: handle() maps a request to a Reply."""

    def __init__(self, spec: openapi_check.Spec, version: str = DEFAULT_VERSION,
                 commit: str = DEFAULT_COMMIT, api_key: str | None = None,
                 read_only_api_key: str | None = None):
        self.spec = spec
        self.version = version
        self.commit = commit
        self.api_key = api_key
        self.read_only_api_key = read_only_api_key
        self.lock = threading.RLock()
        self.stopping = threading.Event()  # cuts injected hangs short on shutdown
        self.started_at = datetime.datetime.now(datetime.timezone.utc)
        self.instance_id = str(uuid.uuid4())
        self.peer_id = random.SystemRandom().randrange(10**15, 10**16)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.collections: dict = {}
            self.aliases: dict = {}  # alias -> collection name
            self.requests: collections.deque = collections.deque(maxlen=MAX_LOGGED_REQUESTS)
            self.violations: list = []
            self.faults: collections.deque = collections.deque()
            self.request_seq = 0

    # ------------------------------------------------------------ the pipeline

    def handle(self, method: str, path: str, query: str, headers: dict, body: bytes) -> Reply:
        started = time.monotonic()
        headers = {k.lower(): v for k, v in headers.items()}
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return self.control(method, path[len(CONTROL_PREFIX):], body)

        check = self.spec.check_request(method, path, query, headers, body)
        with self.lock:
            entry = self._log_request(method, path, query, headers, body, check)
            fault = self._take_fault()
            entry["fault"] = fault.mode if fault else None
        reply = self._respond(method, path, headers, check, fault, started)
        with self.lock:
            entry["status"] = None if reply.drop else reply.status
        return reply

    def _respond(self, method, path, headers, check, fault, started) -> Reply:
        # Injected faults stand for a broken server or network, so they come
        # before anything Qdrant itself would check.
        if fault is not None:
            if fault.mode == "close":
                return Reply(drop=True)
            if fault.mode == "status":
                return error_reply(fault.code, fault.message, elapsed(started))
            self.stopping.wait(fault.seconds)  # "hang", then answer as usual

        denied = self._authorize(method, path, check, headers)
        if denied is not None:
            return denied
        if check.violations:
            return reject(check.violations)

        operation = getattr(self, "op_" + (check.operation.operation_id or ""), None)
        if operation is None:
            return error_reply(501, not_emulated(f"{check.operation.operation_id}").message,
                               elapsed(started))
        call = Call(check.operation.path_params, check.query, check.body, started)
        try:
            with self.lock:
                return operation(call)
        except ApiError as error:
            return error_reply(error.status, error.message, elapsed(started))

    def _log_request(self, method, path, query, headers, body, check) -> dict:
        self.request_seq += 1
        where = f"{method} {path}" + (f"?{query}" if query else "")
        messages = [str(v) for v in check.violations]
        self.violations.extend(f"{where}: {m}" for m in messages)
        entry = {
            "seq": self.request_seq,
            "method": method,
            "path": path,
            "query": query,
            "query_params": parse_qs(query, keep_blank_values=True),
            "headers": {
                "api_key": "api-key" in headers,
                "authorization": "authorization" in headers,
                "content_type": headers.get("content-type"),
            },
            "body": check.body if check.body is not None else body_text(body),
            "operation_id": check.operation.operation_id if check.operation else None,
            "violations": messages,
            "fault": None,
            "status": None,
        }
        self.requests.append(entry)
        return entry

    def _take_fault(self) -> Fault | None:
        if not self.faults:
            return None
        fault = self.faults[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            self.faults.popleft()
        return fault

    def _authorize(self, method, path, check, headers) -> Reply | None:
        """Qdrant's API key middleware: 401 without a valid key, 403 for writes with a read-only one."""
        if self.api_key is None and self.read_only_api_key is None:
            return None
        if path in AUTH_EXEMPT_EXACT or path.startswith(AUTH_EXEMPT_PREFIX):
            return None
        key = headers.get("api-key")
        if key is None and headers.get("authorization", "").startswith("Bearer "):
            key = headers["authorization"][len("Bearer "):]
        if key is None:
            return text_reply(401, "Must provide an API key or an Authorization bearer token")
        operation_id = check.operation.operation_id if check.operation else None
        read_only = method == "GET" or (method == "POST" and operation_id in READ_ONLY_POST_OPERATIONS)
        can_write = same_key(key, self.api_key)
        can_read = same_key(key, self.read_only_api_key)
        if can_write or (read_only and can_read):
            return None
        if can_read:
            return text_reply(403, "Write access denied")
        return text_reply(401, "Invalid API key or JWT")

    # ------------------------------------------------------- control endpoints

    def control(self, method: str, route: str, body: bytes) -> Reply:
        parts = route.strip("/").split("/")
        try:
            data = openapi_check.parse_json(body) if body.strip() else {}
        except ValueError as error:
            return json_reply(400, {"error": f"invalid JSON: {error}"})
        with self.lock:
            if (method, parts) == ("GET", ["requests"]):
                return json_reply(200, list(self.requests))
            if (method, parts) == ("GET", ["violations"]):
                return json_reply(200, list(self.violations))
            if (method, parts) == ("POST", ["reset"]):
                self.reset()
                return json_reply(200, {"ok": True})
            if (method, parts) == ("POST", ["fault"]):
                return self._control_fault(data)
            if method == "POST" and len(parts) == 3 and parts[0] == "collections":
                return self._control_collection(parts[1], parts[2], data)
        return json_reply(404, {"error": f"no control endpoint {method} {CONTROL_PREFIX}{route}"})

    def _control_fault(self, data) -> Reply:
        try:
            fault = parse_fault(data)
        except ValueError as error:
            return json_reply(400, {"error": str(error)})
        self.faults.append(fault)
        return json_reply(200, {"ok": True, "pending": [f.describe() for f in self.faults]})

    def _control_collection(self, name: str, setting: str, data) -> Reply:
        try:
            collection = self.resolve(name)
        except ApiError as error:
            return json_reply(404, {"error": error.message})
        if not isinstance(data, dict):
            return json_reply(400, {"error": "expected a JSON object"})
        if setting == "status":
            if data.get("status") not in ("green", "yellow", "grey", "red"):
                return json_reply(400, {"error": "status must be green, yellow, grey or red"})
            collection.status = data["status"]
            error = data.get("optimizer_error")
            collection.optimizer_status = {"error": str(error)} if error else "ok"
            return json_reply(200, {"ok": True})
        if setting == "points_count":
            count, indexed = data.get("count"), data.get("indexed_vectors_count")
            if not is_count(count) or (indexed is not None and not is_count(indexed)):
                return json_reply(400, {"error": "count (and indexed_vectors_count) must be integers >= 0"})
            collection.count_offset = count - len(collection.points)
            collection.indexed_override = indexed
            return json_reply(200, {"ok": True})
        return json_reply(404, {"error": f"unknown collection setting {setting!r}"})

    # ---------------------------------------------------------------- helpers

    def resolve(self, name: str) -> Collection:
        """A collection by name or alias, as Qdrant's TableOfContent::get_collection."""
        real = self.aliases.get(name, name)
        if real not in self.collections:
            raise not_found(f"Collection `{name}` doesn't exist!")
        return self.collections[real]

    @staticmethod
    def update_result(collection: Collection, wait: bool) -> dict:
        return {"operation_id": collection.next_operation_id(),
                "status": "completed" if wait else "acknowledged"}

    # ------------------------------------------------------- service endpoints
    # Each op_<operationId> implements the spec operation of that id.

    def op_root(self, call: Call) -> Reply:
        return json_reply(200, {"title": "qdrant - vector search engine",
                                "version": self.version, "commit": self.commit})

    def op_healthz(self, call: Call) -> Reply:
        return text_reply(200, "healthz check passed")

    op_livez = op_healthz

    def op_readyz(self, call: Call) -> Reply:
        return text_reply(200, "all shards are ready")

    def op_telemetry(self, call: Call) -> Reply:
        return ok_reply({
            "id": self.instance_id,
            "app": {"name": "qdrant", "version": self.version,
                    "startup": self.started_at.isoformat().replace("+00:00", "Z")},
            "collections": {"number_of_collections": len(self.collections)},
        }, call.started)

    def op_get_collections(self, call: Call) -> Reply:
        names = sorted(self.collections)
        return ok_reply({"collections": [{"name": n} for n in names]}, call.started)

    def op_get_collection(self, call: Call) -> Reply:
        return ok_reply(self.resolve(call.params["collection_name"]).info(), call.started)

    def op_collection_exists(self, call: Call) -> Reply:
        try:
            self.resolve(call.params["collection_name"])
            exists = True
        except ApiError:
            exists = False
        return ok_reply({"exists": exists}, call.started)

    def op_create_collection(self, call: Call) -> Reply:
        name = call.params["collection_name"]
        problem = collection_name_problem(name)
        if problem:
            return error_reply(422, f"Validation error in path parameters: [name: {problem}]", 0.0)
        if name in self.collections:
            raise bad_input(f"Collection `{name}` already exists!")
        if name in self.aliases:
            raise bad_input(f"Can't create collection with name {name}. "
                            "Alias with the same name already exists")
        self.collections[name] = Collection(name, new_collection_config(call.body))
        return ok_reply(True, call.started)

    def op_update_collection(self, call: Call) -> Reply:
        collection = self.resolve(call.params["collection_name"])
        body = call.body
        config = copy.deepcopy(collection.config)  # all or nothing, like Qdrant's checks first
        merge_optimizers(config["optimizer_config"], body.get("optimizers_config") or {})
        merge_diff(config["params"], body.get("params"))
        merge_diff(config["hnsw_config"], body.get("hnsw_config"))
        self._update_vectors(collection, config, body.get("vectors") or {})
        self._update_sparse_vectors(config, body.get("sparse_vectors") or {})
        quantization = body.get("quantization_config")
        if quantization == "Disabled":
            config["quantization_config"] = None
        elif quantization is not None:
            config["quantization_config"] = without_nulls(quantization)
        merge_diff(config["strict_mode_config"], body.get("strict_mode_config"))
        if body.get("metadata") is not None:
            config["metadata"] = {**config.get("metadata", {}), **body["metadata"]}
        collection.config = config
        return ok_reply(True, call.started)

    @staticmethod
    def _update_vectors(collection: Collection, config: dict, diffs: dict) -> None:
        single = collection.has_single_vector()
        for name, diff in diffs.items():
            vectors = config["params"]["vectors"]
            if single and name == "":
                target = vectors
            elif not single and name in vectors:
                target = vectors[name]
            else:
                raise bad_input(f"Vector params for {name} are not specified in config")
            update_vector_params(target, diff or {})

    @staticmethod
    def _update_sparse_vectors(config: dict, diffs: dict) -> None:
        sparse = config["params"].get("sparse_vectors") or {}
        for name, diff in diffs.items():
            if name not in sparse:
                raise bad_input(f"Vector params for {name} are not specified in config")
            if diff.get("index") is not None:
                sparse[name]["index"] = merge_diff(sparse[name].get("index") or {}, diff["index"])
            if diff.get("modifier") is not None:
                sparse[name]["modifier"] = diff["modifier"]

    def op_delete_collection(self, call: Call) -> Reply:
        # Qdrant deletes by real name only and answers false for an unknown one.
        name = call.params["collection_name"]
        if self.collections.pop(name, None) is None:
            return ok_reply(False, call.started)
        self.aliases = {a: c for a, c in self.aliases.items() if c != name}
        return ok_reply(True, call.started)

    def op_update_aliases(self, call: Call) -> Reply:
        aliases = dict(self.aliases)  # applied together or not at all
        for action in call.body["actions"]:
            if "create_alias" in action:
                target = action["create_alias"]["collection_name"]
                alias = action["create_alias"]["alias_name"]
                if target not in self.collections:
                    raise not_found(f"Collection `{target}` doesn't exist!")
                if alias in self.collections:
                    raise bad_input(f"Collection `{alias}` already exists!")
                aliases[alias] = target
            elif "delete_alias" in action:
                aliases.pop(action["delete_alias"]["alias_name"], None)
            else:
                old = action["rename_alias"]["old_alias_name"]
                if old not in aliases:
                    raise not_found(f"Alias {old} does not exists!")
                aliases[action["rename_alias"]["new_alias_name"]] = aliases.pop(old)
        self.aliases = aliases
        return ok_reply(True, call.started)

    def _alias_list(self, collection_name: str | None = None) -> dict:
        pairs = sorted(self.aliases.items())
        return {"aliases": [{"alias_name": a, "collection_name": c} for a, c in pairs
                            if collection_name is None or c == collection_name]}

    def op_get_collections_aliases(self, call: Call) -> Reply:
        return ok_reply(self._alias_list(), call.started)

    def op_get_collection_aliases(self, call: Call) -> Reply:
        collection = self.resolve(call.params["collection_name"])
        return ok_reply(self._alias_list(collection.name), call.started)

    def op_create_field_index(self, call: Call) -> Reply:
        collection = self.resolve(call.params["collection_name"])
        field_name = call.body["field_name"]
        field_schema = call.body.get("field_schema")
        if field_schema is None:
            raise bad_input(f"Can't infer the type of payload field `{field_name}`: "
                            "specify field_schema")
        if isinstance(field_schema, str):
            index = {"data_type": field_schema}
        else:
            index = {"data_type": field_schema["type"], "params": without_nulls(field_schema)}
        collection.payload_schema[field_name] = index
        return ok_reply(self.update_result(collection, call.wait()), call.started)

    def op_delete_field_index(self, call: Call) -> Reply:
        collection = self.resolve(call.params["collection_name"])
        collection.payload_schema.pop(call.params["field_name"], None)
        return ok_reply(self.update_result(collection, call.wait()), call.started)

    def op_create_snapshot(self, call: Call) -> Reply:
        collection = self.resolve(call.params["collection_name"])
        description = self._new_snapshot(collection)
        collection.snapshots.append(description)
        if not call.wait(default=True):
            return accepted_reply(call.started)
        return ok_reply(description, call.started)

    def _new_snapshot(self, collection: Collection) -> dict:
        """A SnapshotDescription named as Qdrant names them.

        Qdrant's names have one-second resolution; the stand-in moves a
        clashing name to the next free second so every snapshot is listed.
        """
        taken = {s["name"] for s in collection.snapshots}
        moment = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)
        while True:
            name = f"{collection.name}-{self.peer_id}-{moment:%Y-%m-%d-%H-%M-%S}.snapshot"
            if name not in taken:
                break
            moment += datetime.timedelta(seconds=1)
        content = json_bytes({"config": collection.config,
                              "points": sorted(map(str, collection.points))})
        return {"name": name, "creation_time": moment.strftime("%Y-%m-%dT%H:%M:%S"),
                "size": len(content), "checksum": hashlib.sha256(content).hexdigest()}

    def op_list_snapshots(self, call: Call) -> Reply:
        collection = self.resolve(call.params["collection_name"])
        return ok_reply(copy.deepcopy(collection.snapshots), call.started)

    def op_delete_snapshot(self, call: Call) -> Reply:
        collection = self.resolve(call.params["collection_name"])
        name = call.params["snapshot_name"]
        kept = [s for s in collection.snapshots if s["name"] != name]
        if len(kept) == len(collection.snapshots):
            raise not_found(f"Snapshot {name} not found")
        collection.snapshots = kept
        if not call.wait(default=True):
            return accepted_reply(call.started)
        return ok_reply(True, call.started)

    def op_upsert_points(self, call: Call) -> Reply:
        collection = self.resolve(call.params["collection_name"])
        points = points_of(call.body)
        for _, vector, _ in points:
            check_vector(collection, vector)
        mode = call.body.get("update_mode") or "upsert"
        for point_id, _, payload in points:
            key = point_key(point_id)
            exists = key in collection.points
            if (mode == "insert_only" and exists) or (mode == "update_only" and not exists):
                continue
            collection.points[key] = copy.deepcopy(payload)
        return ok_reply(self.update_result(collection, call.wait()), call.started)

    def op_count_points(self, call: Call) -> Reply:
        collection = self.resolve(call.params["collection_name"])
        flt = call.body.get("filter")
        if flt is None:
            return ok_reply({"count": collection.points_count()}, call.started)
        # Points added through /__standin/.../points_count have no payload or
        # id, so only stored points take part in filtered counts.
        count = sum(1 for point_id, payload in collection.points.items()
                    if filter_matches(flt, point_id, payload))
        return ok_reply({"count": count}, call.started)


def reject(violations: list) -> Reply:
    """Refuse a request the way Qdrant refuses it.

    Routing problems get actix's bare 404.  Otherwise Qdrant stops at the
    first extractor that fails -- path, then body, then query -- with 400 for
    a parse (serde) error and 422 for a range (validator) error.
    """
    by_where = collections.defaultdict(list)
    for violation in violations:
        by_where[violation.where].append(violation)
    if by_where[openapi_check.WHERE_PATH] or by_where[openapi_check.WHERE_METHOD]:
        return Reply(404)
    if by_where[openapi_check.WHERE_HEADER]:
        return error_reply(400, "Content type error", 0.0)
    parts = ((openapi_check.WHERE_PATH_PARAM, "path parameters", "Deserialize error"),
             (openapi_check.WHERE_BODY, "JSON body", "Format error"),
             (openapi_check.WHERE_QUERY, "query parameters", "Deserialize error"))
    for where, part, parse_phrase in parts:
        found = by_where[where]
        if not found:
            continue
        parse_errors = [v for v in found if v.kind == openapi_check.FORMAT]
        if parse_errors:
            return error_reply(400, f"{parse_phrase} in {part}: {parse_errors[0]}", 0.0)
        listed = "; ".join(str(v) for v in found)
        return error_reply(422, f"Validation error in {part}: [{listed}]", 0.0)
    return error_reply(400, "; ".join(map(str, violations)), 0.0)


def collection_name_problem(name: str) -> str | None:
    """Qdrant's check of new collection names (validate_collection_name)."""
    for char in '<>:"/\\|?*\0\x1f':
        if char in name:
            return f'collection name cannot contain "{char}" char'
    if not 1 <= len(name) <= 255:
        return "collection name must be between 1 and 255 characters long"
    return None


def points_of(body: dict) -> list:
    """(id, vector, payload) triples from a PointsList or a PointsBatch."""
    if "points" in body:
        return [(p["id"], p.get("vector"), p.get("payload")) for p in body["points"]]
    batch = body["batch"]
    ids, vectors = batch["ids"], batch["vectors"]
    payloads = batch.get("payloads") or [None] * len(ids)
    if isinstance(vectors, dict):
        lengths = {name: len(column) for name, column in vectors.items()}
        per_point = [{name: column[i] for name, column in vectors.items()
                      if i < len(column)} for i in range(len(ids))]
    else:
        lengths = {"": len(vectors)}
        per_point = vectors
    for length in list(lengths.values()) + [len(payloads)]:
        if length != len(ids):
            raise bad_input(f"number of ids ({len(ids)}) and of vectors or payloads ({length}) differ")
    return list(zip(ids, per_point, payloads))


def check_vector(collection: Collection, vector) -> None:
    """Qdrant's checks of vector names and dimensions on upsert."""
    if isinstance(vector, list):
        named = {"": vector}
    elif isinstance(vector, dict) and not ({"text", "image", "object"} & vector.keys()):
        named = vector
    else:
        raise not_emulated("inference objects (documents, images) in vectors")
    dense = collection.dense_vectors()
    sparse = collection.params.get("sparse_vectors") or {}
    for name, value in named.items():
        if isinstance(value, dict) and "indices" in value:
            if name not in sparse:
                raise bad_input(f"Not existing vector name error: {name}")
            continue
        if not isinstance(value, list):
            raise not_emulated("inference objects (documents, images) in vectors")
        if name not in dense:
            raise bad_input(f"Not existing vector name error: {name}")
        size = dense[name]["size"]
        rows = value if value and isinstance(value[0], list) else [value]  # multivectors
        for row in rows:
            if len(row) != size:
                raise bad_input(f"Vector dimension error: expected dim: {size}, got {len(row)}")


def parse_fault(data) -> Fault:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    mode = data.get("mode")
    count = data.get("count", 1)
    if not is_count(count) or count < 1:
        raise ValueError("count must be an integer >= 1")
    if mode == "status":
        code = data.get("code")
        if not isinstance(code, int) or isinstance(code, bool) or not 100 <= code <= 599:
            raise ValueError("status faults need an integer code between 100 and 599")
        fault = Fault("status", count, code=code)
        if data.get("message") is not None:
            fault.message = str(data["message"])
        return fault
    if mode == "hang":
        seconds = data.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError("hang faults need seconds >= 0")
        return Fault("hang", count, seconds=float(seconds))
    if mode == "close":
        return Fault("close", count)
    raise ValueError('mode must be "status", "hang" or "close"')


def same_key(given: str, expected: str | None) -> bool:
    """Constant-time comparison, as Qdrant's ct_eq; bytes, so any characters work."""
    return expected is not None and hmac.compare_digest(given.encode(), expected.encode())


def is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def body_text(body: bytes):
    if not body:
        return None
    return body.decode("utf-8", errors="replace")


# ------------------------------------------------------------------------ HTTP

class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; all the logic is in StandIn.handle."""

    protocol_version = "HTTP/1.1"
    server_version = "qdrant-standin"
    sys_version = ""
    # Without TCP_NODELAY, replies wait ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        try:
            body = self._read_body()
        except ValueError as error:
            self.send_error(400, f"Bad request body: {error}")
            return
        target = urlsplit(self.path)
        try:
            reply = self.server.app.handle(self.command, target.path, target.query,
                                           dict(self.headers.items()), body)
        except Exception:  # a stand-in bug: answer, and show it, rather than hang up
            traceback.print_exc()
            reply = error_reply(500, "Service internal error: Qdrant stand-in bug "
                                     f"({sys.exc_info()[1]!r}); see its stderr", 0.0)
        if reply.drop:
            self._drop_connection()
        else:
            self._send(reply)

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        size = int(length)
        if size < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(size)

    def _read_chunked(self) -> bytes:
        data = bytearray()
        while True:
            size = int(self.rfile.readline(65537).split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline(65537).strip():  # trailer fields
                    pass
                return bytes(data)
            data += self.rfile.read(size)
            self.rfile.readline()  # the CRLF after each chunk

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _drop_connection(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:
            sys.stderr.write(f"qdrant-standin: {self.address_string()} {format % args}\n")


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True  # idle keep-alive connections must not block exit
    block_on_close = False

    def __init__(self, address, app: StandIn, verbose: bool = False):
        self.app = app
        self.verbose = verbose
        super().__init__(address, Handler)

    def handle_error(self, request, client_address) -> None:
        # A client hanging up mid-reply is normal in fault tests; say nothing.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def write_port_file(path: str, port: int) -> None:
    """Write the port so that readers never see a half-written file."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="ascii") as f:
        f.write(f"{port}\n")
    os.replace(temporary, path)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=6333, help="port; 0 picks a free one")
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--api-key", help="require this key (api-key header or Bearer token)")
    parser.add_argument("--read-only-api-key", help="also accept this key, for reads only")
    parser.add_argument("--version", default=DEFAULT_VERSION, help="version GET / reports")
    parser.add_argument("--commit", default=DEFAULT_COMMIT, help="commit GET / reports")
    parser.add_argument("--spec", default=DEFAULT_SPEC, help="Qdrant OpenAPI spec to check against")
    parser.add_argument("--strict-fields", action="store_true",
                        help="treat object keys the spec does not list as violations, "
                             "although Qdrant ignores most of them")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    spec = openapi_check.Spec.load(args.spec, strict_fields=args.strict_fields)
    app = StandIn(spec, args.version, args.commit, args.api_key, args.read_only_api_key)
    server = StandInServer((args.host, args.port), app, args.verbose)

    def stop(signum, frame):
        app.stopping.set()
        # shutdown() waits for serve_forever to return, so not from this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)
    print(f"qdrant stand-in {args.version} listening on {args.host}:{port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
        if args.port_file:
            try:
                os.remove(args.port_file)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
