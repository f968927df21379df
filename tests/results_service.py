"""A stand-in for the Actions results service (artifact v4) and its Azure blob store, on a
loopback port: the Twirp JSON endpoints CreateArtifact, FinalizeArtifact, ListArtifacts and
GetSignedArtifactURL, and blob PUT (Put Blob, Put Block, Put Block List) and GET at signed URLs.

It checks what the real service and Azure check, so a client that passes here speaks the
protocol: the bearer token is one it issued and its ``Actions.Results`` scope names the backend
ids in the body; names are valid and unique per run; signed URLs carry a valid ``sig`` and the
right permission; FinalizeArtifact's size and ``sha256:`` hash match the committed blob.
Both the Python client and ``@actions/artifact`` (tests/node) run against it.

Faults: ``fail(route, status, times, headers)`` answers the next ``times`` requests to a route
(``CreateArtifact``..., ``blob-put``, ``blob-get``) with ``status``. Responses use the proto
field names, or the JSON (camelCase) names with ``camel=True``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import secrets
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

SERVICE_PREFIX = "/twirp/github.actions.results.api.v1.ArtifactService/"
INVALID_NAME = re.compile(r'["\\:<>|*?\r\n/]')
ACCOUNT = "devstoreaccount1"
CONTAINER = "actions-results"


def make_jwt(claims: Mapping[str, Any]) -> str:
    """An unsigned-looking JWT (clients decode, never verify, the runtime token)."""

    def part(data: Mapping[str, Any]) -> str:
        raw = json.dumps(dict(data), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signature = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return f"{part({'typ': 'JWT', 'alg': 'RS256'})}.{part(claims)}.{signature}"


@dataclass
class Artifact:
    artifact_id: int
    name: str
    run: str
    job: str
    version: int
    mime_type: str | None
    blob: str
    created_at: str
    finalized: bool = False
    size: int = 0
    digest: str | None = None


@dataclass
class Blob:
    data: bytes = b""
    committed: bool = False
    content_type: str | None = None
    blocks: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    method: str
    route: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ResultsService:
    """Start with ``with ResultsService() as service:``; ``service.env(job=...)`` gives a job's
    ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL."""

    def __init__(self, *, run: str = "11111111-2222-3333-4444-555555555555", camel: bool = False) -> None:
        self.run = run
        self.camel = camel
        self.artifacts: list[Artifact] = []
        self.blobs: dict[str, Blob] = {}
        self.requests: list[Request] = []
        self._tokens: dict[str, tuple[str, str]] = {}
        self._sigs: dict[str, tuple[str, str]] = {}  # sig -> (blob key, permissions)
        self._faults: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # --- life cycle and set-up ---

    def __enter__(self) -> ResultsService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def token(self, job: str) -> str:
        """A runtime token for job ``job`` of this run (the backend id is derived from it)."""
        token = make_jwt(
            {
                "scp": " ".join(
                    (
                        f"Actions.GenericRead:{self.run}",
                        f"Actions.Results:{self.run}:{job}",
                        "Actions.UploadArtifacts",
                    )
                ),
                "exp": 4102444800,
            }
        )
        self._tokens[token] = (self.run, job)
        return token

    def env(self, job: str = "aaaaaaaa-0000-0000-0000-000000000001") -> dict[str, str]:
        return {
            "ACTIONS_RUNTIME_TOKEN": self.token(job),
            "ACTIONS_RESULTS_URL": self.origin + "/",
            "GITHUB_SERVER_URL": "https://github.com",
        }

    def fail(self, route: str, status: int, times: int = 1, headers: Mapping[str, str] | None = None) -> None:
        self._faults.setdefault(route, []).extend([(status, dict(headers or {}))] * times)

    def finalized(self) -> list[Artifact]:
        return [a for a in self.artifacts if a.finalized]

    def content(self, name: str) -> bytes:
        artifact = next(a for a in self.finalized() if a.name == name)
        return self.blobs[artifact.blob].data

    def put_artifact(self, name: str, data: bytes, *, job: str = "elsewhere") -> Artifact:
        """An artifact as if another job had uploaded and finalized it (for crafted content)."""
        with self._lock:
            status, reply = self._create(
                {
                    "workflow_run_backend_id": self.run,
                    "workflow_job_run_backend_id": job,
                    "name": name,
                    "version": 4,
                }
            )
            assert status == 200, reply
            artifact = self.artifacts[-1]
            blob = self.blobs[artifact.blob]
            blob.data, blob.committed, blob.content_type = data, True, "application/zip"
            artifact.finalized, artifact.size = True, len(data)
            artifact.digest = "sha256:" + hashlib.sha256(data).hexdigest()
            return artifact

    def routes(self) -> list[str]:
        return [r.route for r in self.requests]

    # --- Twirp ---

    def _twirp(self, method: str, auth: str, body: Any) -> tuple[int, dict[str, Any]]:
        ids = self._tokens.get(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None
        if ids is None:
            return 401, {"code": "unauthenticated", "msg": "invalid or missing runtime token"}
        if not isinstance(body, dict):
            return 400, {"code": "malformed", "msg": "the body is not a JSON object"}
        handler = {
            "CreateArtifact": self._create,
            "FinalizeArtifact": self._finalize,
            "ListArtifacts": self._list,
            "GetSignedArtifactURL": self._signed_url,
        }.get(method)
        if handler is None:
            return 404, {"code": "bad_route", "msg": f"no handler for path {SERVICE_PREFIX}{method}"}
        run, job = ids
        if body.get("workflow_run_backend_id") != run or (
            method != "GetSignedArtifactURL" and body.get("workflow_job_run_backend_id") != job
        ):
            return 403, {"code": "permission_denied", "msg": "backend ids do not match the token"}
        with self._lock:
            return handler(body)

    def _create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        name = body.get("name")
        version = body.get("version")
        if not isinstance(name, str) or not name or INVALID_NAME.search(name):
            return 400, {"code": "invalid_argument", "msg": f"invalid artifact name {name!r}"}
        if version not in (4, 7):
            return 400, {"code": "invalid_argument", "msg": f"unsupported artifact version {version!r}"}
        if any(a.name == name and a.run == body["workflow_run_backend_id"] for a in self.artifacts):
            return 409, {
                "code": "already_exists",
                "msg": "an artifact with this name already exists on the workflow run",
            }
        run = body["workflow_run_backend_id"]
        blob = f"{ACCOUNT}/{CONTAINER}/{run}/{secrets.token_hex(8)}/{quote(name)}.zip"
        artifact = Artifact(
            artifact_id=next(self._ids),
            name=name,
            run=body["workflow_run_backend_id"],
            job=body["workflow_job_run_backend_id"],
            version=version,
            mime_type=body.get("mime_type"),
            blob=blob,
            created_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        )
        self.artifacts.append(artifact)
        self.blobs[blob] = Blob()
        return 200, self._reply({"ok": True, "signed_upload_url": self._sign(blob, "cw")})

    def _finalize(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        artifact = self._find(
            body["workflow_run_backend_id"], body.get("name"), body["workflow_job_run_backend_id"]
        )
        if artifact is None:
            return 404, {"code": "not_found", "msg": "artifact not found"}
        blob = self.blobs[artifact.blob]
        if not blob.committed:
            return 400, {"code": "failed_precondition", "msg": "no blob was uploaded for this artifact"}
        size = body.get("size")
        if not isinstance(size, str) or size != str(len(blob.data)):
            return 400, {
                "code": "invalid_argument",
                "msg": f"size {size!r} does not match the blob ({len(blob.data)})",
            }
        digest = "sha256:" + hashlib.sha256(blob.data).hexdigest()
        if "hash" in body and body["hash"] != digest:
            return 400, {"code": "invalid_argument", "msg": "hash does not match the blob"}
        if artifact.finalized and artifact.digest != digest:
            return 409, {"code": "failed_precondition", "msg": "artifact already finalized"}
        artifact.finalized, artifact.size, artifact.digest = True, len(blob.data), digest
        return 200, self._reply({"ok": True, "artifact_id": str(artifact.artifact_id)})

    def _list(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        name_filter = body.get("name_filter")
        id_filter = body.get("id_filter")
        listed = []
        for a in self.artifacts:
            if not a.finalized or a.run != body["workflow_run_backend_id"]:
                continue
            if name_filter is not None and a.name != name_filter:
                continue
            if id_filter is not None and str(a.artifact_id) != str(id_filter):
                continue
            listed.append(
                {
                    "workflow_run_backend_id": a.run,
                    "workflow_job_run_backend_id": a.job,
                    "database_id": str(a.artifact_id),
                    "name": a.name,
                    "size": str(a.size),
                    "created_at": a.created_at,
                    "digest": a.digest,
                }
            )
        return 200, self._reply({"artifacts": listed})

    def _signed_url(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        artifact = self._find(
            body["workflow_run_backend_id"], body.get("name"), body.get("workflow_job_run_backend_id")
        )
        if artifact is None or not artifact.finalized:
            return 404, {"code": "not_found", "msg": "artifact not found"}
        return 200, self._reply({"signed_url": self._sign(artifact.blob, "r")})

    def _find(self, run: str, name: Any, job: Any) -> Artifact | None:
        return next((a for a in self.artifacts if a.run == run and a.name == name and a.job == job), None)

    def _sign(self, blob: str, permissions: str) -> str:
        sig = base64.b64encode(secrets.token_bytes(24)).decode()  # has + / =, as Azure's do
        self._sigs[sig] = (blob, permissions)
        query = f"sv=2023-11-03&sr=b&sp={permissions}&se=2099-01-01T00%3A00%3A00Z&sig={quote(sig, safe='')}"
        return f"{self.origin}/{blob}?{query}"

    def _reply(self, data: dict[str, Any]) -> dict[str, Any]:
        if not self.camel:
            return data
        camel: dict[str, Any] = _camel(data)
        return camel

    # --- blobs ---

    def _blob(
        self, method: str, path: str, query: dict[str, list[str]], headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        sig = (query.get("sig") or [""])[0]
        key, permissions = self._sigs.get(sig, ("", ""))
        if key != path.lstrip("/") or key not in self.blobs:
            return _azure_error(403, "AuthenticationFailed")
        blob = self.blobs[key]
        if method == "GET":
            if "r" not in permissions:
                return _azure_error(403, "AuthorizationPermissionMismatch")
            if not blob.committed:
                return _azure_error(404, "BlobNotFound")
            return 200, {"Content-Type": blob.content_type or "application/octet-stream"}, blob.data
        if "w" not in permissions:
            return _azure_error(403, "AuthorizationPermissionMismatch")
        comp = (query.get("comp") or [""])[0]
        if comp == "block":
            block_id = (query.get("blockid") or [""])[0]
            if not block_id:
                return _azure_error(400, "InvalidQueryParameterValue")
            blob.blocks[block_id] = body
            return 201, {}, b""
        if comp == "blocklist":
            try:
                ids = [node.text or "" for node in ET.fromstring(body)]
            except ET.ParseError:
                return _azure_error(400, "InvalidXmlDocument")
            if any(i not in blob.blocks for i in ids):
                return _azure_error(400, "InvalidBlockList")
            blob.data = b"".join(blob.blocks[i] for i in ids)
            blob.blocks.clear()
        elif comp == "":
            if headers.get("x-ms-blob-type") != "BlockBlob":
                return _azure_error(400, "MissingRequiredHeader")
            blob.data = body
        else:
            return _azure_error(400, "UnsupportedQueryParameter")
        blob.committed = True
        blob.content_type = (
            headers.get("x-ms-blob-content-type") or headers.get("content-type") or blob.content_type
        )
        return 201, {"ETag": f'"0x{secrets.token_hex(8).upper()}"'}, b""

    # --- HTTP ---

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _handle(self) -> None:
                body = self._body()
                parts = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if parts.path.startswith(SERVICE_PREFIX):
                    route = parts.path[len(SERVICE_PREFIX) :]
                else:
                    route = f"blob-{self.command.lower()}"
                query = parse_qs(parts.query, keep_blank_values=True)
                service.requests.append(Request(self.command, route, parts.path, query, headers, body))
                faults = service._faults.get(route)
                if faults:
                    status, extra = faults.pop(0)
                    code = {404: "bad_route", 429: "resource_exhausted"}.get(status, "internal")
                    reply = json.dumps({"code": code, "msg": "injected fault"}).encode()
                    self._send(status, {"Content-Type": "application/json", **extra}, reply)
                    return
                if parts.path.startswith(SERVICE_PREFIX):
                    if self.command != "POST":
                        self._send(405, {}, b"")
                        return
                    try:
                        payload = json.loads(body)
                    except ValueError:
                        payload = None
                    status, answer = service._twirp(route, headers.get("authorization", ""), payload)
                    self._send(status, {"Content-Type": "application/json"}, json.dumps(answer).encode())
                    return
                status, extra, data = service._blob(self.command, parts.path, query, headers, body)
                self._send(status, extra, data)

            def _send(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("x-ms-request-id", secrets.token_hex(8))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_HEAD = _handle

        return Handler


def _azure_error(status: int, code: str) -> tuple[int, dict[str, str], bytes]:
    xml = f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{code}</Message></Error>'
    return status, {"x-ms-error-code": code, "Content-Type": "application/xml"}, xml.encode()


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


@contextmanager
def running(**kwargs: Any) -> Iterator[ResultsService]:
    with ResultsService(**kwargs) as service:
        yield service
