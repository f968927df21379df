"""A loopback stand-in for api.github.com (port 0), for tests that run the real action.

What it does:
- serves the REST routes the action uses (check runs, issue comments) from in-memory state;
- validates every REST request body against GitHub's official OpenAPI description
  (``@octokit/openapi``'s ``generated/api.github.com.deref.json``, fetched by
  ``.ci/setup.d/40-octokit-openapi.sh``): a body that does not validate is answered 422, like
  GitHub, and recorded in ``server.problems``;
- injects faults (``Fault``): a status with headers for the next N matching requests, either
  before the request is carried out or after (``applied=True``: the write happened, the client
  saw an error);
- records every request (``server.requests``), for assertions.

The hook for other stand-ins (e.g. the Actions results service and blob storage, which are not
in the OpenAPI description): ``server.add_route(method, path_regex, handler)``, where ``handler``
takes a ``Request`` and returns a ``Response``. Extra routes are tried first and not validated.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
OPENAPI_VERSION = "23.0.2"
OPENAPI = ROOT / ".cache" / "octokit-openapi" / OPENAPI_VERSION / "api.github.com.deref.json"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass(frozen=True)
class Response:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        return cls(status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})})


@dataclass
class Fault:
    """Answer the next ``times`` requests matching ``method`` and ``path`` (a regex) with
    ``status``; with ``applied`` the request is carried out first (the client cannot tell)."""

    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    applied: bool = False
    message: str = "Server Error"


@cache
def _openapi() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def openapi_available() -> bool:
    return OPENAPI.is_file()


def _nullable(schema: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's type list, recursively."""
    if isinstance(schema, list):
        return [_nullable(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _nullable(v) for k, v in schema.items() if k not in ("nullable", "example", "examples")}
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
    return out


@cache
def _operation(method: str, template: str) -> tuple[re.Pattern[str], Any] | None:
    ops = _openapi()["paths"].get(template)
    op = (ops or {}).get(method.lower())
    if op is None:
        return None
    schema = (((op.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get(
        "schema"
    )
    pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
    return pattern, _nullable(schema) if schema is not None else None


def validate_body(method: str, template: str, body: Any) -> list[str]:
    """Problems of a request body against the OpenAPI operation ``method template``."""
    operation = _operation(method, template)
    if operation is None:
        return [f"{method} {template} is not in GitHub's OpenAPI description"]
    _, schema = operation
    if schema is None:
        return [] if body is None else [f"{method} {template} takes no body"]
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{method} {template}: {'/'.join(str(p) for p in e.absolute_path) or '(body)'}: {e.message[:300]}"
        for e in validator.iter_errors(body)
    ]


class GithubServer:
    """``with GithubServer(token=...) as server:`` -> ``server.url`` is GITHUB_API_URL."""

    def __init__(self, *, token: str, repository: str = "octo/hello", validate: bool = True) -> None:
        self.token = token
        self.repository = repository
        self.validate = validate
        self.requests: list[Request] = []
        self.problems: list[str] = []
        self.faults: list[Fault] = []
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.per_page_max = 100
        self._routes: list[tuple[str, re.Pattern[str], Callable[[Request], Response]]] = []
        self._next_id = 1000
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> GithubServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=split.path,
                    query=parse_qs(split.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                response = server.handle(request)
                self.send_response(response.status)
                headers = {"Content-Length": str(len(response.body)), **response.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # -- hooks -------------------------------------------------------------------------------
    def add_route(self, method: str, path: str, handler: Callable[[Request], Response]) -> None:
        """Serve ``method`` requests whose path matches the regex ``path`` with ``handler``."""
        self._routes.append((method.upper(), re.compile(path), handler))

    def inject(self, fault: Fault) -> None:
        self.faults.append(fault)

    def rest_requests(self, method: str | None = None, path: str | None = None) -> list[Request]:
        """Recorded requests to the REST API, filtered by method and a path regex."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or re.search(path, r.path))
        ]

    # -- dispatch ------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            for method, pattern, handler in self._routes:
                if request.method == method and pattern.search(request.path):
                    return handler(request)
            auth = request.headers.get("authorization", "")
            if auth not in (f"token {self.token}", f"Bearer {self.token}"):
                return Response.json({"message": "Bad credentials"}, 401)
            fault = self._fault(request)
            if fault is not None and not fault.applied:
                return self._fault_response(fault)
            response = self._rest(request)
            if fault is not None and response.status < 300:
                return self._fault_response(fault)
            return response

    def _fault(self, request: Request) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and re.search(fault.path, request.path):
                fault.times -= 1
                return fault
        return None

    @staticmethod
    def _fault_response(fault: Fault) -> Response:
        return Response.json({"message": fault.message}, fault.status, fault.headers)

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _rest(self, request: Request) -> Response:
        base = f"/repos/{self.repository}"
        routes: list[tuple[str, str, str, Callable[[Request, list[str]], Response]]] = [
            ("POST", "/repos/{owner}/{repo}/check-runs", rf"^{base}/check-runs$", self._create_check_run),
            (
                "PATCH",
                "/repos/{owner}/{repo}/check-runs/{check_run_id}",
                rf"^{base}/check-runs/(\d+)$",
                self._update_check_run,
            ),
            (
                "GET",
                "/repos/{owner}/{repo}/check-runs/{check_run_id}",
                rf"^{base}/check-runs/(\d+)$",
                self._get_check_run,
            ),
            (
                "GET",
                "/repos/{owner}/{repo}/commits/{ref}/check-runs",
                rf"^{base}/commits/([^/]+)/check-runs$",
                self._list_check_runs,
            ),
            (
                "GET",
                "/repos/{owner}/{repo}/issues/{issue_number}/comments",
                rf"^{base}/issues/(\d+)/comments$",
                self._list_comments,
            ),
            (
                "POST",
                "/repos/{owner}/{repo}/issues/{issue_number}/comments",
                rf"^{base}/issues/(\d+)/comments$",
                self._create_comment,
            ),
            (
                "PATCH",
                "/repos/{owner}/{repo}/issues/comments/{comment_id}",
                rf"^{base}/issues/comments/(\d+)$",
                self._update_comment,
            ),
        ]
        for method, template, pattern, handler in routes:
            match = re.match(pattern, request.path)
            if request.method != method or match is None:
                continue
            body = request.json() if request.body else None
            if self.validate:
                problems = validate_body(method, template, body)
                if problems:
                    self.problems.extend(problems)
                    return Response.json({"message": "Invalid request.", "errors": problems}, 422)
            return handler(request, list(match.groups()))
        problem = f"unexpected request {request.method} {request.path}"
        self.problems.append(problem)
        return Response.json({"message": "Not Found"}, 404)

    # -- check runs ------------------------------------------------------------------------------
    def _check_run_json(self, run: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.url}/repos/{self.repository}/check-runs/{run['id']}"
        output = run["output"]
        return {
            "id": run["id"],
            "name": run["name"],
            "head_sha": run["head_sha"],
            "external_id": run.get("external_id"),
            "status": run.get("status", "queued"),
            "conclusion": run.get("conclusion"),
            "url": url,
            "html_url": f"https://github.example/{self.repository}/runs/{run['id']}",
            "details_url": run.get("details_url"),
            "output": {
                "title": output.get("title"),
                "summary": output.get("summary"),
                "text": output.get("text"),
                "annotations_count": len(run["annotations"]),
                "annotations_url": url + "/annotations",
            },
        }

    def _apply_check_run(self, run: dict[str, Any], body: Mapping[str, Any]) -> None:
        for key in ("name", "status", "conclusion", "external_id", "details_url"):
            if key in body:
                run[key] = body[key]
        if "conclusion" in body:
            run["status"] = "completed"
        output = body.get("output")
        if output:
            run["output"] = {k: output.get(k) for k in ("title", "summary", "text")}
            run["annotations"].extend(output.get("annotations") or [])
            run["requests"].append(len(output.get("annotations") or []))

    def _create_check_run(self, request: Request, groups: list[str]) -> Response:
        body = request.json()
        run: dict[str, Any] = {
            "id": self._id(),
            "name": body["name"],
            "head_sha": body["head_sha"],
            "annotations": [],
            "requests": [],
            "output": {},
        }
        self._apply_check_run(run, body)
        self.check_runs[run["id"]] = run
        return Response.json(self._check_run_json(run), 201)

    def _update_check_run(self, request: Request, groups: list[str]) -> Response:
        run = self.check_runs.get(int(groups[0]))
        if run is None:
            return Response.json({"message": "Not Found"}, 404)
        self._apply_check_run(run, request.json())
        return Response.json(self._check_run_json(run))

    def _get_check_run(self, request: Request, groups: list[str]) -> Response:
        run = self.check_runs.get(int(groups[0]))
        if run is None:
            return Response.json({"message": "Not Found"}, 404)
        return Response.json(self._check_run_json(run))

    def _list_check_runs(self, request: Request, groups: list[str]) -> Response:
        name = (request.query.get("check_name") or [None])[0]
        runs = [
            self._check_run_json(r)
            for r in self.check_runs.values()
            if r["head_sha"] == groups[0] and (name is None or r["name"] == name)
        ]
        return Response.json({"total_count": len(runs), "check_runs": runs})

    # -- comments ----------------------------------------------------------------------------------
    def _comment_json(self, comment: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.url}/repos/{self.repository}/issues/comments/{comment['id']}"
        return {
            "id": comment["id"],
            "body": comment["body"],
            "user": comment["user"],
            "url": url,
            "html_url": f"https://github.example/{self.repository}/pull/{comment['issue']}#issuecomment-{comment['id']}",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
        }

    def add_comment(self, number: int, body: str, *, login: str = "someone", type_: str = "User") -> int:
        """A comment already on the pull request (e.g. a person's)."""
        comment = {
            "id": self._id(),
            "issue": number,
            "body": body,
            "user": {"login": login, "type": type_, "id": 1},
        }
        self.comments.setdefault(number, []).append(comment)
        return int(comment["id"])

    def _list_comments(self, request: Request, groups: list[str]) -> Response:
        number = int(groups[0])
        per_page = min(int((request.query.get("per_page") or ["30"])[0]), self.per_page_max)
        page = int((request.query.get("page") or ["1"])[0])
        all_comments = self.comments.get(number, [])
        chunk = all_comments[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(all_comments):
            next_url = f"{self.url}{request.path}?per_page={per_page}&page={page + 1}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        return Response.json([self._comment_json(c) for c in chunk], headers=headers)

    def _create_comment(self, request: Request, groups: list[str]) -> Response:
        number = int(groups[0])
        body = request.json()["body"]
        if len(body) > 65536:
            return Response.json({"message": "Body is too long (maximum is 65536 characters)"}, 422)
        comment_id = self.add_comment(number, body, login="github-actions[bot]", type_="Bot")
        return Response.json(self._comment_json(self.comments[number][-1] | {"id": comment_id}), 201)

    def _update_comment(self, request: Request, groups: list[str]) -> Response:
        comment_id = int(groups[0])
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == comment_id:
                    body = request.json()["body"]
                    if len(body) > 65536:
                        return Response.json({"message": "Body is too long"}, 422)
                    comment["body"] = body
                    return Response.json(self._comment_json(comment))
        return Response.json({"message": "Not Found"}, 404)
