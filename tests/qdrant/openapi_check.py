"""Check HTTP requests and responses against an OpenAPI 3.0 document.

Written for the Qdrant stand-in (qdrant_standin.py), standard library only:
PyPI is out of reach, so there is no jsonschema package here.

    spec = Spec.load("openapi.json")
    check = spec.check_request("PUT", "/collections/docs", "timeout=5",
                               {"Content-Type": "application/json"}, b'{"vectors": ...}')
    for violation in check.violations:
        print(violation)      # e.g. "body.vectors.size: expected integer, got string \"384\""

Schema keywords understood: $ref (any JSON pointer into the document, followed
recursively), type, nullable, enum, required, properties, additionalProperties
(true, false or a schema), items, anyOf, oneOf, allOf, format (uint, uint8,
uint16, uint32, uint64, int, int32, int64, float, double, uuid), minimum,
maximum, exclusiveMinimum/exclusiveMaximum (3.0 booleans), minLength,
maxLength, pattern, minItems, maxItems, uniqueItems.

Deliberate readings of the spec, each because of how Qdrant generates it
(schemars from Rust types) and how its server (actix + serde) behaves:

* `{"nullable": true}` with nothing else means "null only".  Strict OpenAPI
  3.0 would read it as "anything", but schemars writes `Option<T>` as
  `anyOf: [T, {"nullable": true}]`, and reading the second branch as
  "anything" would switch validation off for every optional field.
* oneOf is checked like anyOf (at least one branch must match).  Qdrant's
  oneOf branches overlap (an integer is also a number), and serde's untagged
  enums take the first branch that fits, so "exactly one" would reject
  requests Qdrant accepts.
* Unknown object keys are violations only where the schema says
  `additionalProperties: false`.  schemars emits that exactly for structs with
  `#[serde(deny_unknown_fields)]` (e.g. Filter); everywhere else serde
  silently ignores unknown keys, so Qdrant accepts them.  `strict_fields=True`
  flags unknown keys wherever an object lists its properties: use it to catch
  misspelt fields that Qdrant would silently drop (and for checking responses).
* A requestBody is required whenever the operation has one: Qdrant's handlers
  take `Json<T>`, which fails on an empty body, although the spec never marks
  a requestBody `required`.
* Formats date-time, partial-date-time, uri and binary are not checked.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

# Where a problem was found.  The stand-in uses it to pick the answer Qdrant
# would have given (404 for routing, 400/422 with a phrase naming the part).
WHERE_PATH = "path"              # no path template matches
WHERE_METHOD = "method"          # a template matches, the method is not defined
WHERE_PATH_PARAM = "path-param"  # a templated segment has the wrong type
WHERE_QUERY = "query"
WHERE_HEADER = "header"          # Content-Type of a request body
WHERE_BODY = "body"
WHERE_RESPONSE = "response"

# What kind of problem.  serde rejects FORMAT problems (wrong type, missing or
# unknown field, value outside the enum or the integer type) while parsing,
# which Qdrant answers with 400; the validator crate rejects VALIDATION
# problems (out of range, too short) afterwards, which Qdrant answers with 422.
FORMAT = "format"
VALIDATION = "validation"

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# Keywords that describe a schema without constraining values.
_ANNOTATIONS = frozenset({
    "description", "default", "example", "examples", "deprecated", "title",
    "readOnly", "writeOnly", "externalDocs", "xml",
})

# Integer formats as Rust types: serde refuses values outside the type.
_INT_RANGES = {
    "uint": (0, 2**64 - 1),
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
    "int": (-(2**63), 2**63 - 1),
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}

# The forms Rust's uuid crate parses: hyphenated, simple, braced and urn.
_UUID = re.compile(
    r"(?i)(urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?"
)
_QUERY_INT = re.compile(r"[+-]?[0-9]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Violation:
    """One way a request (or response) departs from the spec."""

    where: str
    kind: str
    message: str  # starts with the location, e.g. "query.wait: expected boolean ..."
    location: tuple = ()  # the location as parts, e.g. ("body", "vectors", "size")

    def __str__(self) -> str:
        return self.message


@dataclass
class Operation:
    """A spec operation matched to a concrete request."""

    method: str  # upper case
    template: str  # e.g. "/collections/{collection_name}"
    operation_id: str | None
    spec: dict
    path_params: dict = field(default_factory=dict)


@dataclass
class RequestCheck:
    """The outcome of Spec.check_request."""

    operation: Operation | None
    violations: list
    query: dict = field(default_factory=dict)  # declared parameters, typed
    body: Any = None  # the parsed JSON body, if there was one and it parsed

    @property
    def ok(self) -> bool:
        return not self.violations


def render_location(location) -> str:
    """("body", "actions", 0, "create_alias") -> "body.actions[0].create_alias"."""
    if not location:
        return "(root)"
    text = str(location[0])
    for part in location[1:]:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            text += f".{part}"
        else:  # keys such as "" (the unnamed vector) or "meta.tenant"
            text += f"[{json.dumps(part)}]"
    return text


def json_type(value) -> str:
    """The JSON type name of a decoded value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _describe(value) -> str:
    """A short description of a value for messages: its type, and scalars' text."""
    kind = json_type(value)
    if kind in ("array", "object", "null"):
        return kind
    text = json.dumps(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{kind} {text}"


def json_equal(a, b) -> bool:
    """Equality as JSON means it: True is not 1, 1 is 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _is_json_mime(mime: str) -> bool:
    """actix accepts any media type whose subtype is json or ends in +json."""
    subtype = mime.partition("/")[2]
    return subtype == "json" or subtype.endswith("+json")


class _Route:
    """One path template of the spec, ready to be matched against paths."""

    def __init__(self, template: str, item: dict):
        self.template = template
        self.item = item
        self.segments = template.split("/")[1:]
        # Literal segments beat templated ones, earliest segment first, as
        # OpenAPI asks: "/collections/aliases" is not "/collections/{name}".
        self.specificity = tuple(1 if self._is_param(s) else 0 for s in self.segments)

    @staticmethod
    def _is_param(segment: str) -> bool:
        return segment.startswith("{") and segment.endswith("}")

    def bind(self, parts: list) -> dict | None:
        """Path parameters if the decoded path segments fit this template."""
        if len(parts) != len(self.segments):
            return None
        params = {}
        for segment, part in zip(self.segments, parts):
            if self._is_param(segment):
                if part == "":  # actix's {name} needs at least one character
                    return None
                params[segment[1:-1]] = part
            elif segment != part:
                return None
        return params

    def operation(self, method: str) -> dict | None:
        return self.item.get(method.lower())

    def methods(self) -> list:
        return [m.upper() for m in HTTP_METHODS if m in self.item]


class Spec:
    """An OpenAPI 3.0 document that can check requests and responses."""

    def __init__(self, document: dict, strict_fields: bool = False):
        self.document = document
        self.strict_fields = strict_fields
        self._routes = [_Route(t, item) for t, item in document.get("paths", {}).items()]
        self._declared_cache: dict = {}

    @classmethod
    def load(cls, path: str, strict_fields: bool = False) -> "Spec":
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f), strict_fields=strict_fields)

    # ----------------------------------------------------------------- routing

    def match_path(self, path: str):
        """(route, raw path parameters) for the most specific template, or None."""
        parts = [urllib.parse.unquote(p) for p in path.split("/")[1:]]
        best = None
        for route in self._routes:
            params = route.bind(parts)
            if params is not None and (best is None or route.specificity < best[0].specificity):
                best = (route, params)
        return best

    def match(self, method: str, path: str) -> Operation | None:
        """The spec operation for a concrete method and path, or None.

        Path parameters are returned as the strings found in the path; use
        check_request to have them typed and validated.
        """
        found = self.match_path(path)
        if found is None:
            return None
        route, params = found
        op = route.operation(method)
        if op is None:
            return None
        return Operation(method.upper(), route.template, op.get("operationId"), op, params)

    # ---------------------------------------------------------------- requests

    def check_request(self, method: str, path: str, query: str = "",
                      headers: dict | None = None, body: bytes | str = b"") -> RequestCheck:
        """Check one request; `path` may carry the query string after "?"."""
        if "?" in path and not query:
            path, _, query = path.partition("?")
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {k.lower(): v for k, v in (headers or {}).items()}

        found = self.match_path(path)
        if found is None:
            return RequestCheck(None, [Violation(
                WHERE_PATH, FORMAT, f"path {path}: not in the spec", ("path",))])
        route, raw_params = found
        op_spec = route.operation(method)
        if op_spec is None:
            allowed = ", ".join(route.methods())
            return RequestCheck(None, [Violation(
                WHERE_METHOD, FORMAT,
                f"method {method.upper()} {route.template}: not in the spec (allowed: {allowed})",
                ("method",))])

        declared = self._parameters(route, op_spec)
        violations: list = []
        path_params = self._check_path_params(declared, raw_params, violations)
        query_values = self._check_query(declared, query, violations)
        parsed_body = self._check_body(op_spec, headers, body, violations)
        operation = Operation(method.upper(), route.template, op_spec.get("operationId"),
                              op_spec, path_params)
        return RequestCheck(operation, violations, query_values, parsed_body)

    @staticmethod
    def _parameters(route: _Route, op_spec: dict) -> dict:
        """Declared parameters keyed by (in, name); the operation's win."""
        merged = {}
        for param in route.item.get("parameters", []) + op_spec.get("parameters", []):
            merged[(param["in"], param["name"])] = param
        return merged

    def _check_path_params(self, declared: dict, raw: dict, violations: list) -> dict:
        typed = {}
        for name, text in raw.items():
            param = declared.get(("path", name))
            schema = param.get("schema", {}) if param else {}
            value = self._coerce_text(text, schema)
            typed[name] = value
            violations += self.validate(value, schema, ("path", name), WHERE_PATH_PARAM)
        return typed

    def _check_query(self, declared: dict, query: str, violations: list) -> dict:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        seen: dict = {}
        for name, text in pairs:
            location = ("query", name)
            param = declared.get(("query", name))
            if param is None:
                known = sorted(n for (where, n) in declared if where == "query")
                violations.append(self._violation(
                    WHERE_QUERY, FORMAT, location,
                    f"unknown query parameter (declared: {', '.join(known) or 'none'})"))
                continue
            if name in seen:  # serde_urlencoded refuses a repeated field
                violations.append(self._violation(WHERE_QUERY, FORMAT, location, "given more than once"))
                continue
            schema = param.get("schema", {})
            seen[name] = self._coerce_text(text, schema)
            violations += self.validate(seen[name], schema, location, WHERE_QUERY)
        for (where, name), param in declared.items():
            if where == "query" and param.get("required") and name not in seen:
                violations.append(self._violation(WHERE_QUERY, FORMAT, ("query", name),
                                                  "required parameter missing"))
        return seen

    def _coerce_text(self, text: str, schema: dict):
        """Type a path or query string the way serde would read it for `schema`.

        Returns the string unchanged when no declared type accepts it, so that
        validation then reports "expected integer, got string ...".
        """
        types = self._declared_types(schema)
        if "boolean" in types and text in ("true", "false"):
            return text == "true"
        if "integer" in types and _QUERY_INT.fullmatch(text):
            return int(text)
        if "number" in types:
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is not None and number == number and abs(number) != float("inf"):
                return number
        return text

    def _check_body(self, op_spec: dict, headers: dict, body: bytes, violations: list):
        request_body = op_spec.get("requestBody")
        if request_body is None:
            if body.strip():
                violations.append(self._violation(WHERE_BODY, FORMAT, ("body",),
                                                  "this operation takes no request body"))
            return None
        content = request_body.get("content", {})
        content_type = headers.get("content-type", "")
        mime = content_type.split(";")[0].strip().lower()
        if "application/json" not in content:
            # e.g. snapshot uploads (multipart/form-data): check the media type only.
            if mime not in content:
                violations.append(self._violation(
                    WHERE_HEADER, FORMAT, ("header", "content-type"),
                    f"expected one of {sorted(content)}, got {content_type or 'none'!r}"))
            return None
        if not _is_json_mime(mime):
            # actix refuses to parse a JSON body without a JSON content type.
            violations.append(self._violation(
                WHERE_HEADER, FORMAT, ("header", "content-type"),
                f"expected application/json, got {content_type or 'none'!r}"))
            return None
        if not body.strip():
            violations.append(self._violation(WHERE_BODY, FORMAT, ("body",),
                                              "missing request body (expected JSON)"))
            return None
        try:
            value = parse_json(body)
        except ValueError as error:
            violations.append(self._violation(WHERE_BODY, FORMAT, ("body",), f"invalid JSON: {error}"))
            return None
        violations += self.validate(value, content["application/json"].get("schema", {}),
                                    ("body",), WHERE_BODY)
        return value

    # --------------------------------------------------------------- responses

    def check_response(self, method: str, path: str, status: int, body: bytes | str,
                       content_type: str = "application/json", strict_fields: bool = True) -> list:
        """Violations of the response schema the spec declares for this status.

        Unknown keys are flagged by default (strict_fields=True): a response
        the stand-in makes up should use only field names Qdrant documents.
        """
        if "?" in path:
            path = path.partition("?")[0]
        op = self.match(method, path)
        if op is None:
            return [self._violation(WHERE_RESPONSE, FORMAT, ("response",),
                                    f"{method} {path} is not an operation of the spec")]
        responses = op.spec.get("responses", {})
        entry = (responses.get(str(status)) or responses.get(f"{status // 100}XX")
                 or responses.get("default"))
        if entry is None:
            return [self._violation(WHERE_RESPONSE, FORMAT, ("response",),
                                    f"status {status} is not declared for {op.operation_id}")]
        content = entry.get("content") or {}
        mime = content_type.split(";")[0].strip().lower()
        if not content:
            return []
        if mime not in content:
            return [self._violation(WHERE_RESPONSE, FORMAT, ("response",),
                                    f"content type {mime!r} not declared (declared: {sorted(content)})")]
        schema = content[mime].get("schema", {})
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        if _is_json_mime(mime):
            try:
                value = parse_json(body)
            except ValueError as error:
                return [self._violation(WHERE_RESPONSE, FORMAT, ("response",), f"invalid JSON: {error}")]
        else:
            value = body
        return self.validate(value, schema, ("response",), WHERE_RESPONSE, strict_fields)

    # ----------------------------------------------------------------- schemas

    def resolve(self, schema: dict) -> dict:
        """Follow $ref (and chains of them) to the schema they point at."""
        hops = 0
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local $ref is supported, got {ref!r}")
            target = self.document
            for token in ref[2:].split("/"):
                token = token.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or token not in target:
                    raise KeyError(f"$ref {ref!r} does not resolve")
                target = target[token]
            schema = target
            hops += 1
            if hops > 64:
                raise ValueError(f"$ref loop at {ref!r}")
        return schema

    def validate(self, value, schema: dict, location=("body",), where: str = WHERE_BODY,
                 strict_fields: bool | None = None) -> list:
        """Violations of `schema` by the decoded JSON `value` (empty when valid)."""
        strict = self.strict_fields if strict_fields is None else strict_fields
        return self._validate(value, schema, tuple(location), where, strict)

    def _validate(self, value, schema, location, where, strict) -> list:
        schema = self.resolve(schema)
        if value is None:
            if self._accepts_null(schema):
                return []
            return [self._violation(where, FORMAT, location,
                                    f"expected {self._type_phrase(schema)}, got null")]
        if self._is_null_only(schema):
            return [self._violation(where, FORMAT, location, f"expected null, got {_describe(value)}")]

        problems = []
        for sub in schema.get("allOf", []):
            problems += self._validate(value, sub, location, where, strict)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                problems += self._validate_any(value, schema[key], location, where, strict)
        if problems:
            return problems

        declared = schema.get("type")
        if declared is not None and not self._has_type(value, declared):
            return [self._violation(where, FORMAT, location,
                                    f"expected {declared}, got {_describe(value)}")]
        if "enum" in schema and not any(json_equal(value, e) for e in schema["enum"]):
            choices = ", ".join(json.dumps(e) for e in schema["enum"])
            return [self._violation(where, FORMAT, location,
                                    f"expected one of {choices}, got {_describe(value)}")]

        if isinstance(value, bool):
            return []
        if isinstance(value, (int, float)):
            return self._check_number(value, schema, location, where)
        if isinstance(value, str):
            return self._check_string(value, schema, location, where)
        if isinstance(value, list):
            return self._check_array(value, schema, location, where, strict)
        if isinstance(value, dict):
            return self._check_object(value, schema, location, where, strict)
        return []

    def _validate_any(self, value, branches, location, where, strict) -> list:
        """anyOf (and oneOf, see the module notes): one matching branch is enough.

        When none matches, report the branch that came closest: one whose type
        fits the value, then one that names most of the object's keys, then
        the one whose problems lie deepest (it got furthest), then the
        earliest.  That turns "no variant matched" into
        "body.vectors.size: expected integer, got string".
        """
        best = None
        for index, branch in enumerate(branches):
            problems = self._validate(value, branch, location, where, strict)
            if not problems:
                return []
            depth = max(len(p.location) for p in problems)
            known = self._known_keys(value, branch)
            score = (self._type_fit(value, branch), known, depth, -index)
            if best is None or score > best[0]:
                best = (score, problems)
        return best[1] if best else []

    def _check_number(self, value, schema, location, where) -> list:
        fmt = schema.get("format")
        if isinstance(value, int) and fmt in _INT_RANGES:
            low, high = _INT_RANGES[fmt]
            if not low <= value <= high:
                wanted = (f"a non-negative integer ({fmt})" if low == 0 and value < 0
                          else f"{fmt} ({low}..{high})")
                return [self._violation(where, FORMAT, location, f"expected {wanted}, got {value}")]
        problems = []
        if "minimum" in schema:
            low = schema["minimum"]
            if value < low or (schema.get("exclusiveMinimum") is True and value == low):
                relation = "greater than" if schema.get("exclusiveMinimum") is True else "at least"
                problems.append(self._violation(where, VALIDATION, location,
                                                f"must be {relation} {low}, got {value}"))
        if "maximum" in schema:
            high = schema["maximum"]
            if value > high or (schema.get("exclusiveMaximum") is True and value == high):
                relation = "less than" if schema.get("exclusiveMaximum") is True else "at most"
                problems.append(self._violation(where, VALIDATION, location,
                                                f"must be {relation} {high}, got {value}"))
        return problems

    def _check_string(self, value, schema, location, where) -> list:
        if schema.get("format") == "uuid" and not _UUID.fullmatch(value):
            return [self._violation(where, FORMAT, location, f"expected a UUID, got {_describe(value)}")]
        problems = []
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append(self._violation(where, VALIDATION, location,
                                            f"must be at least {schema['minLength']} characters long"))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(self._violation(where, VALIDATION, location,
                                            f"must be at most {schema['maxLength']} characters long"))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(self._violation(where, VALIDATION, location,
                                            f"must match {schema['pattern']!r}"))
        return problems

    def _check_array(self, value, schema, location, where, strict) -> list:
        problems = []
        if "minItems" in schema and len(value) < schema["minItems"]:
            problems.append(self._violation(where, VALIDATION, location,
                                            f"must have at least {schema['minItems']} items, got {len(value)}"))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(self._violation(where, VALIDATION, location,
                                            f"must have at most {schema['maxItems']} items, got {len(value)}"))
        if schema.get("uniqueItems") and len({_canonical(v) for v in value}) != len(value):
            problems.append(self._violation(where, VALIDATION, location, "items must be unique"))
        if "items" in schema:
            for index, item in enumerate(value):
                problems += self._validate(item, schema["items"], location + (index,), where, strict)
        return problems

    def _check_object(self, value, schema, location, where, strict) -> list:
        problems = []
        for name in schema.get("required", []):
            if name not in value:
                problems.append(self._violation(where, FORMAT, location, f"missing field `{name}`"))
        properties = schema.get("properties", {})
        extra_schema = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                problems += self._validate(item, properties[name], location + (name,), where, strict)
            elif extra_schema is False:
                problems.append(self._violation(where, FORMAT, location + (name,), "unknown field"))
            elif isinstance(extra_schema, dict):
                problems += self._validate(item, extra_schema, location + (name,), where, strict)
            elif extra_schema is None and strict and properties:
                problems.append(self._violation(
                    where, FORMAT, location + (name,),
                    "unknown field (not in the spec; Qdrant would silently ignore it)"))
        return problems

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _has_type(value, declared: str) -> bool:
        kind = json_type(value)
        if declared == "number":
            return kind in ("integer", "number")
        return kind == declared

    @staticmethod
    def _is_null_only(schema: dict) -> bool:
        return schema.get("nullable") is True and not (set(schema) - _ANNOTATIONS - {"nullable"})

    def _accepts_null(self, schema: dict) -> bool:
        if schema.get("nullable") is True:
            return True
        if "enum" in schema:
            return None in schema["enum"]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return any(self._accepts_null(self.resolve(b)) for b in schema[key])
        if "allOf" in schema:
            return all(self._accepts_null(self.resolve(b)) for b in schema["allOf"])
        # A schema with no type says nothing about values, so null is fine.
        return "type" not in schema and not (set(schema) & {"properties", "items", "required"})

    def _declared_types(self, schema: dict) -> frozenset:
        """JSON types a schema can accept, looking through $ref and combinators."""
        schema = self.resolve(schema)
        key = id(schema)
        if key in self._declared_cache:
            return self._declared_cache[key]
        self._declared_cache[key] = frozenset()  # breaks cycles through anyOf
        types = set()
        if self._is_null_only(schema):
            types.add("null")
        if "type" in schema:
            types.add(schema["type"])
        if schema.get("nullable") is True:
            types.add("null")
        for combinator in ("anyOf", "oneOf", "allOf"):
            for branch in schema.get(combinator, []):
                types |= self._declared_types(branch)
        if not types and "properties" in schema:
            types.add("object")
        if not types and "enum" in schema:
            types |= {json_type(e) for e in schema["enum"]}
        result = frozenset(types)
        self._declared_cache[key] = result
        return result

    def _type_fit(self, value, branch: dict) -> int:
        """2 if the branch's declared types take the value's type, 0 if not, 1 if unknown."""
        types = self._declared_types(branch)
        if not types:
            return 1
        kind = json_type(value)
        if kind in types or (kind == "integer" and "number" in types):
            return 2
        return 0

    def _known_keys(self, value, branch: dict) -> int:
        """How many of an object's keys the branch lists as properties."""
        if not isinstance(value, dict):
            return 0
        return len(value.keys() & self.resolve(branch).get("properties", {}).keys())

    def _type_phrase(self, schema: dict) -> str:
        types = sorted(self._declared_types(schema) - {"null"})
        return " or ".join(types) if types else "a value"

    @staticmethod
    def _violation(where, kind, location, text) -> Violation:
        return Violation(where, kind, f"{render_location(location)}: {text}", tuple(location))


def parse_json(data: bytes | str):
    """Decode JSON the way serde_json does: no NaN/Infinity, no duplicate keys."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"not UTF-8 ({error.reason})") from None

    def no_constants(name):
        raise ValueError(f"{name} is not valid JSON")

    def no_duplicates(pairs):
        result = {}
        for key, item in pairs:
            if key in result:
                raise ValueError(f"duplicate field `{key}`")
            result[key] = item
        return result

    try:
        return json.loads(data, parse_constant=no_constants, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as error:
        raise ValueError(f"{error.msg} at line {error.lineno} column {error.colno}") from None
