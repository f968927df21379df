"""The report artifact without Node: the Actions results service (artifact v4) over ``requests``.

Upload: backend ids from the ACTIONS_RUNTIME_TOKEN JWT's ``scp`` claim, ``CreateArtifact``
(Twirp JSON) for a signed blob URL, the zip PUT there as an Azure block blob (one request, or
blocks and a block list when large), then ``FinalizeArtifact`` with its size and sha256.
Download (aggregate mode): ``ListArtifacts`` for the run, ``GetSignedArtifactURL`` per artifact,
GET, check the digest, unzip. The protocol follows actions/toolkit ``packages/artifact``
(``internal/upload``, ``internal/shared``); it is not available on GitHub Enterprise Server.

Secrets: the runtime token and the signed URLs' ``sig`` are masked (``::add-mask::``) under
Actions, and no error message carries a URL's query or a header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import requests

from .. import console
from ..errors import GocrossError, UsageError
from . import artifact_archive
from .commands import add_mask

SERVICE = "github.actions.results.api.v1.ArtifactService"
# The artifact version this client declares in CreateArtifact (the toolkit sent 4 until 6.2).
ARTIFACT_VERSION = 4
MIME_TYPE = "application/zip"
# Characters @actions/artifact refuses in an artifact name (NTFS limits), with how to say them.
INVALID_NAME_CHARACTERS = {
    '"': "double quote",
    ":": "colon",
    "<": "less than",
    ">": "greater than",
    "|": "vertical bar",
    "*": "asterisk",
    "?": "question mark",
    "\r": "carriage return",
    "\n": "line feed",
    "\\": "backslash",
    "/": "forward slash",
}
NAME_MAX = 200
# A name CreateArtifact refused as taken (a re-run, or two legs checking the same targets)
# is retried once with this suffix and the job's backend id; aggregate mode keeps the newest.
RERUN_SUFFIX = re.compile(r"\.rerun-[0-9a-f]{8}$")
AZURE_VERSION = "2023-11-03"
# Blobs up to this size go in one PUT; larger ones in blocks of this size (the toolkit's chunk).
BLOCK_BYTES = 8 * 1024 * 1024
DOWNLOAD_MAX_BYTES = 1024 * 1024 * 1024


class ArtifactError(GocrossError):
    """The artifact could not be uploaded or downloaded: one line, no URL query, no token."""


class ServiceUnavailable(ArtifactError):
    """No results service here: no runtime token or results URL, GitHub Enterprise Server, or
    the service does not know the endpoint."""


class TwirpError(ArtifactError):
    def __init__(self, method: str, status: int, code: str, msg: str) -> None:
        self.status = status
        self.code = code
        super().__init__(f"{method}: HTTP {status} {code}: {msg}".rstrip(": "))


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """5xx, 429 and connection failures are retried ``retries`` times with exponential backoff,
    waiting at most ``max_wait_s`` in all per request (a longer Retry-After gives up)."""

    retries: int = 3
    backoff_s: float = 2.0
    max_wait_s: float = 60.0
    timeout_s: float = 120.0


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True, kw_only=True)
class BackendIds:
    workflow_run: str
    workflow_job_run: str


@dataclass(frozen=True, kw_only=True)
class ArtifactRef:
    """An uploaded artifact: ``name`` is the one it got (see RERUN_SUFFIX)."""

    name: str
    artifact_id: int
    size: int
    digest: str


@dataclass(frozen=True, kw_only=True)
class RemoteArtifact:
    """One entry of ListArtifacts."""

    name: str
    artifact_id: int
    size: int
    workflow_run: str
    workflow_job_run: str
    digest: str | None = None


# --- names ---------------------------------------------------------------------------------


def validate_name(name: str) -> str:
    """``name`` if the results service will take it as an artifact name, else UsageError."""
    if not name or not name.strip():
        raise UsageError("the artifact name is empty")
    for char, said in INVALID_NAME_CHARACTERS.items():
        if char in name:
            raise UsageError(
                f"the artifact name {name!r} contains a {said} ({char!r}); artifact names cannot contain "
                + " ".join(repr(c) for c in INVALID_NAME_CHARACTERS)
            )
    if len(name) > NAME_MAX:
        raise UsageError(f"the artifact name is {len(name)} characters long, more than {NAME_MAX}")
    return name


_UNSAFE_PART = re.compile(r'[\s"\\:<>|*?/]+')


def _part(text: str) -> str:
    return _UNSAFE_PART.sub("_", text.strip()).strip("_")


def report_artifact_name(prefix: str, job: str, targets: Sequence[str]) -> str:
    """``<prefix>-<job>-<targets>``: distinct for matrix jobs that check different targets
    (``linux/arm/7`` becomes ``linux_arm_7``, several are joined with ``+`` in sorted order).
    A name that would pass NAME_MAX is cut and ends with a hash of the whole."""
    validate_name(prefix)
    parts = [prefix]
    if _part(job):
        parts.append(_part(job))
    joined = "+".join(sorted({_part(t) for t in targets if _part(t)}))
    if joined:
        parts.append(joined)
    name = "-".join(parts)
    if len(name) > NAME_MAX:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
        name = f"{name[: NAME_MAX - len(digest) - 1]}-{digest}"
    return validate_name(name)


def _rerun_name(name: str, ids: BackendIds) -> str:
    suffix = ".rerun-" + hashlib.sha256(ids.workflow_job_run.encode("utf-8")).hexdigest()[:8]
    return name[: NAME_MAX - len(suffix)] + suffix


def base_name(name: str) -> str:
    """The name before a RERUN_SUFFIX."""
    return RERUN_SUFFIX.sub("", name)


# --- the runtime token ---------------------------------------------------------------------


def backend_ids(token: str) -> BackendIds:
    """The ``Actions.Results:<run>:<job>`` scope of a runtime token (JWT payload, unverified)."""
    problem = "ACTIONS_RUNTIME_TOKEN is not a JWT with an Actions.Results scope"
    parts = token.split(".")
    if len(parts) != 3:
        raise ArtifactError(problem)
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise ArtifactError(problem) from None
    scopes = claims.get("scp") if isinstance(claims, dict) else None
    if not isinstance(scopes, str):
        raise ArtifactError(problem)
    for scope in scopes.split():
        fields = scope.split(":")
        if fields[0] != "Actions.Results":
            continue
        if len(fields) != 3 or not fields[1] or not fields[2]:
            raise ArtifactError(problem)
        return BackendIds(workflow_run=fields[1], workflow_job_run=fields[2])
    raise ArtifactError(problem)


def is_ghes(env: Mapping[str, str]) -> bool:
    """As the toolkit decides it: a server other than github.com, *.ghe.com or *.localhost
    (loopback addresses count as local too)."""
    server = env.get("GITHUB_SERVER_URL")
    if not server:
        return False
    host = (urlsplit(server).hostname or "").rstrip(".").lower()
    local = host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost")
    return not (host == "github.com" or host.endswith(".ghe.com") or local)


# --- secrets -------------------------------------------------------------------------------


def scrub(url: str) -> str:
    """``url`` without its query (where the signature lives), for messages."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def signature_values(url: str) -> list[str]:
    """The ``sig`` of a signed URL as written in it, decoded, and encoded: all must be masked."""
    values: list[str] = []
    for part in urlsplit(url).query.split("&"):
        if not part.startswith("sig="):
            continue
        raw = part[len("sig=") :]
        for form in (raw, unquote(raw), quote(unquote(raw), safe="")):
            if form and form not in values:
                values.append(form)
    return values


def _masker(env: Mapping[str, str]) -> Callable[[str], None]:
    """Under Actions, print ``::add-mask::`` for each secret once; elsewhere do nothing."""
    masked: set[str] = set()

    def mask(value: str) -> None:
        if env.get("GITHUB_ACTIONS") == "true" and value and value not in masked:
            masked.add(value)
            console.command(add_mask(value))

    return mask


# --- transport -----------------------------------------------------------------------------


@dataclass(kw_only=True)
class _Client:
    base: str
    token: str
    ids: BackendIds
    retry: RetryPolicy
    mask: Callable[[str], None]
    session: requests.Session
    owns_session: bool = False
    sleep: Callable[[float], None] = time.sleep

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.owns_session:
            self.session.close()

    def send(self, what: str, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request with retries; errors name ``what`` and never the URL's query."""
        waited = 0.0
        attempts = self.retry.retries + 1
        for attempt in range(attempts):
            response: requests.Response | None = None
            try:
                response = self.session.request(method, url, timeout=self.retry.timeout_s, **kwargs)
            except requests.RequestException as exc:
                failure = f"{what}: {type(exc).__name__} talking to {scrub(url)}"
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return response
                failure = f"{what}: HTTP {response.status_code} from {scrub(url)}"
            if attempt + 1 == attempts:
                break
            delay = self._delay(attempt, response)
            if delay is None or waited + delay > self.retry.max_wait_s:
                raise ArtifactError(f"{failure}; not retried: the server asks to wait too long")
            self.sleep(delay)
            waited += delay
        raise ArtifactError(f"{failure} (after {attempts} attempts)")

    def _delay(self, attempt: int, response: requests.Response | None) -> float | None:
        if response is not None and "retry-after" in response.headers:
            try:
                return max(0.0, float(response.headers["retry-after"]))
            except ValueError:
                return None
        return float(self.retry.backoff_s * (2**attempt))

    def twirp(self, method: str, body: Mapping[str, Any]) -> dict[str, Any]:
        url = f"{self.base}/twirp/{SERVICE}/{method}"
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        response = self.send(method, "POST", url, data=json.dumps(body), headers=headers)
        try:
            data = response.json()
        except ValueError:
            data = None
        if not 200 <= response.status_code < 300:
            code = str(data.get("code", "")) if isinstance(data, dict) else ""
            msg = str(data.get("msg", "")) if isinstance(data, dict) else ""
            raise TwirpError(method, response.status_code, code or "error", msg[:300])
        if not isinstance(data, dict):
            raise ArtifactError(f"{method}: the results service answered with something other than JSON")
        return data


def _field(data: Mapping[str, Any], name: str) -> Any:
    """A response field by its proto name or its JSON (camelCase) name."""
    if name in data:
        return data[name]
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)
    return data.get(camel)


def _client(env: Mapping[str, str], retry: RetryPolicy, session: requests.Session | None) -> _Client:
    token = env.get("ACTIONS_RUNTIME_TOKEN", "")
    results_url = env.get("ACTIONS_RESULTS_URL", "")
    if not token or not results_url:
        raise ServiceUnavailable(
            "ACTIONS_RUNTIME_TOKEN or ACTIONS_RESULTS_URL is not set (not a GitHub Actions job?)"
        )
    if is_ghes(env):
        raise ServiceUnavailable("artifacts v4 are not available on GitHub Enterprise Server")
    mask = _masker(env)
    mask(token)
    parts = urlsplit(results_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ArtifactError("ACTIONS_RESULTS_URL is not an http(s) URL")
    return _Client(
        base=f"{parts.scheme}://{parts.netloc}",
        token=token,
        ids=backend_ids(token),
        retry=retry,
        mask=mask,
        session=session or requests.Session(),
        owns_session=session is None,
    )


# --- upload --------------------------------------------------------------------------------


def upload_report(
    files: Sequence[Path],
    *,
    name: str,
    root: Path,
    env: Mapping[str, str],
    retry: RetryPolicy = DEFAULT_RETRY,
    block_bytes: int = BLOCK_BYTES,
    session: requests.Session | None = None,
) -> ArtifactRef | None:
    """Zip ``files`` (named relative to ``root``) and upload them as artifact ``name``.

    None when there is no results service here (outside Actions, GHES, or the service does not
    know CreateArtifact); ArtifactError when the upload fails. A name already taken in the run
    is retried once with a RERUN_SUFFIX: the returned ref carries the name used.
    """
    validate_name(name)
    try:
        client = _client(env, retry, session)
    except ServiceUnavailable:
        return None
    packed = artifact_archive.pack(files, root=root)
    with client, packed.file:
        try:
            used, signed_url = _create(client, name)
        except ServiceUnavailable:
            return None
        _put_blob(client, signed_url, packed.file, packed.size, block_bytes)
        reply = client.twirp(
            "FinalizeArtifact",
            {
                "workflow_run_backend_id": client.ids.workflow_run,
                "workflow_job_run_backend_id": client.ids.workflow_job_run,
                "name": used,
                "size": str(packed.size),
                "hash": packed.digest,
            },
        )
    if not _field(reply, "ok"):
        raise ArtifactError(f"FinalizeArtifact: the results service did not accept artifact {used!r}")
    try:
        artifact_id = int(_field(reply, "artifact_id"))
    except (TypeError, ValueError):
        raise ArtifactError("FinalizeArtifact: no artifact id in the answer") from None
    return ArtifactRef(name=used, artifact_id=artifact_id, size=packed.size, digest=packed.digest)


def _create(client: _Client, name: str) -> tuple[str, str]:
    """CreateArtifact under ``name`` (or its rerun name when taken): (name used, signed URL)."""
    for candidate in (name, _rerun_name(name, client.ids)):
        body = {
            "workflow_run_backend_id": client.ids.workflow_run,
            "workflow_job_run_backend_id": client.ids.workflow_job_run,
            "name": candidate,
            "version": ARTIFACT_VERSION,
            "mime_type": MIME_TYPE,
        }
        try:
            reply = client.twirp("CreateArtifact", body)
        except TwirpError as exc:
            if exc.status in (404, 501) or exc.code in ("unimplemented", "bad_route"):
                console.warn(f"the results service cannot store artifacts here ({exc}); report not uploaded")
                raise ServiceUnavailable(str(exc)) from None
            if (exc.status == 409 or exc.code == "already_exists") and candidate == name:
                continue
            raise
        url = _field(reply, "signed_upload_url")
        if not _field(reply, "ok") or not isinstance(url, str) or not url:
            raise ArtifactError(f"CreateArtifact: the results service did not accept artifact {candidate!r}")
        for secret in signature_values(url):
            client.mask(secret)
        return candidate, url
    raise AssertionError("unreachable")  # pragma: no cover


def _with_query(url: str, extra: str) -> str:
    return f"{url}&{extra}" if urlsplit(url).query else f"{url}?{extra}"


def _put_blob(client: _Client, url: str, data: IO[bytes], size: int, block_bytes: int) -> None:
    """The zip as an Azure block blob: one Put Blob, or Put Block per chunk and Put Block List."""
    common = {"x-ms-version": AZURE_VERSION}
    if size <= block_bytes:
        headers = {**common, "x-ms-blob-type": "BlockBlob", "x-ms-blob-content-type": MIME_TYPE}
        _expect(client.send("blob upload", "PUT", url, data=data.read(), headers=headers), url, "blob upload")
        return
    block_ids: list[str] = []
    index = 0
    while chunk := data.read(block_bytes):
        block_id = base64.b64encode(f"gocross-{index:06d}".encode("ascii")).decode("ascii")
        block_url = _with_query(url, f"comp=block&blockid={quote(block_id, safe='')}")
        _expect(client.send("blob block upload", "PUT", block_url, data=chunk, headers=common), url, "block")
        block_ids.append(block_id)
        index += 1
    listing = "".join(f"<Latest>{b}</Latest>" for b in block_ids)
    xml = f'<?xml version="1.0" encoding="utf-8"?><BlockList>{listing}</BlockList>'.encode()
    headers = {**common, "x-ms-blob-content-type": MIME_TYPE, "Content-Type": "application/xml"}
    list_url = _with_query(url, "comp=blocklist")
    _expect(client.send("blob block list", "PUT", list_url, data=xml, headers=headers), url, "block list")


def _expect(response: requests.Response, url: str, what: str) -> None:
    if response.status_code not in (200, 201):
        code = response.headers.get("x-ms-error-code", "")
        raise ArtifactError(
            f"{what}: HTTP {response.status_code} {code} from {scrub(url)}".replace("  ", " ")
        )


# --- download ------------------------------------------------------------------------------


def list_artifacts(
    env: Mapping[str, str], *, retry: RetryPolicy = DEFAULT_RETRY, session: requests.Session | None = None
) -> list[RemoteArtifact]:
    """The run's finalized artifacts (ServiceUnavailable when there is no results service)."""
    with _client(env, retry, session) as client:
        return _list(client)


def _list(client: _Client) -> list[RemoteArtifact]:
    reply = client.twirp(
        "ListArtifacts",
        {
            "workflow_run_backend_id": client.ids.workflow_run,
            "workflow_job_run_backend_id": client.ids.workflow_job_run,
        },
    )
    found: list[RemoteArtifact] = []
    for item in _field(reply, "artifacts") or []:
        digest = _field(item, "digest")
        if isinstance(digest, dict):  # a StringValue in its message form
            digest = digest.get("value")
        try:
            found.append(
                RemoteArtifact(
                    name=str(_field(item, "name")),
                    artifact_id=int(_field(item, "database_id")),
                    size=int(_field(item, "size") or 0),
                    workflow_run=str(_field(item, "workflow_run_backend_id")),
                    workflow_job_run=str(_field(item, "workflow_job_run_backend_id")),
                    digest=str(digest) if digest else None,
                )
            )
        except (TypeError, ValueError):
            raise ArtifactError(
                "ListArtifacts: an artifact entry lacks its name, id or backend ids"
            ) from None
    return found


def newest_per_name(artifacts: Sequence[RemoteArtifact], prefix: str) -> list[RemoteArtifact]:
    """The artifacts named ``prefix`` or ``prefix-…``, one per base name (the newest, by id),
    sorted by name."""
    chosen: dict[str, RemoteArtifact] = {}
    for artifact in artifacts:
        if artifact.name != prefix and not artifact.name.startswith(prefix + "-"):
            continue
        key = base_name(artifact.name)
        if key not in chosen or artifact.artifact_id > chosen[key].artifact_id:
            chosen[key] = artifact
    return [chosen[k] for k in sorted(chosen)]


def download_reports(
    prefix: str,
    *,
    dest: Path,
    env: Mapping[str, str],
    retry: RetryPolicy = DEFAULT_RETRY,
    session: requests.Session | None = None,
    skipped: list[str] | None = None,
) -> list[Path]:
    """Download and unzip the run's report artifacts named ``prefix`` or ``prefix-…`` into
    ``dest/<artifact name>/``; returns those directories, sorted by name. Of an artifact
    re-uploaded under a RERUN_SUFFIX only the newest is taken, into the directory named
    without the suffix.

    ServiceUnavailable when there is no results service here; ArtifactError when a download
    fails or does not match the digest the service recorded. With ``skipped``, an artifact that
    fails that way (another job's, maybe a hostile one) is left out and its error appended there,
    and the others are still downloaded.
    """
    validate_name(prefix)
    directories: list[Path] = []
    with _client(env, retry, session) as client:
        for artifact in newest_per_name(_list(client), prefix):
            directory: Path | None = None
            try:
                validate_name(artifact.name)
                directory = dest / base_name(artifact.name)
                _download(client, artifact, directory)
            except (ArtifactError, UsageError) as exc:
                if skipped is None:
                    raise
                if directory is not None:  # a valid name: a folder of its own under dest
                    shutil.rmtree(directory, ignore_errors=True)
                skipped.append(str(exc))
                continue
            directories.append(directory)
    return directories


def _download(client: _Client, artifact: RemoteArtifact, directory: Path) -> None:
    reply = client.twirp(
        "GetSignedArtifactURL",
        {
            "workflow_run_backend_id": artifact.workflow_run,
            "workflow_job_run_backend_id": artifact.workflow_job_run,
            "name": artifact.name,
        },
    )
    url = _field(reply, "signed_url")
    if not isinstance(url, str) or not url:
        raise ArtifactError(f"GetSignedArtifactURL: no URL for artifact {artifact.name!r}")
    for secret in signature_values(url):
        client.mask(secret)
    what = f"download of artifact {artifact.name!r}"
    with tempfile.SpooledTemporaryFile(max_size=artifact_archive.SPOOL_BYTES) as spool:
        response = client.send(what, "GET", url, stream=True)
        with response:
            if response.status_code != 200:
                raise ArtifactError(f"{what}: HTTP {response.status_code} from {scrub(url)}")
            digest = hashlib.sha256()
            total = 0
            for chunk in response.iter_content(1024 * 1024):
                total += len(chunk)
                if total > DOWNLOAD_MAX_BYTES:
                    raise ArtifactError(f"{what}: larger than {DOWNLOAD_MAX_BYTES} bytes")
                digest.update(chunk)
                spool.write(chunk)
        if artifact.digest and artifact.digest.lower() != f"sha256:{digest.hexdigest()}":
            raise ArtifactError(f"{what}: the content does not match the digest the service recorded")
        spool.seek(0)
        try:
            artifact_archive.unpack(spool, directory)
        except artifact_archive.ArchiveError as exc:
            raise ArtifactError(f"{what}: {exc}") from None
