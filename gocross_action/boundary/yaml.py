"""YAML from untrusted files, loaded with budgets: a bounded nesting depth, a bounded expansion
of aliases (a 500-byte "billion laughs" file is refused in milliseconds, before anything is
built), one document, and every value error (``!!float x``, ``!!bool maybe``, an integer of more
than 4,300 digits) as a ``YamlError`` carrying the line and column of the node.

The result keeps the composed node tree beside the data, so every problem found later (by a
schema, by a value check) can be placed at its ``line:column`` in the file (``Document.mark``).
Keys are taken as written (YAML 1.1 would read ``yes:`` as True); a key given twice is reported
with its path and both lines. Messages never quote the file's content beyond a key name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import Mark

# A config is a few levels deep; a hundred is far beyond any real file.
MAX_DEPTH = 100
# Nodes the document may stand for once every alias is expanded.
ALIAS_BUDGET = 100_000

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"

PathParts = tuple[str | int, ...]


class YamlError(Exception):
    """The text is not a YAML document gocross can use: one line, with its position if known."""

    def __init__(self, message: str, mark: Mark | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


@dataclass(frozen=True, kw_only=True)
class Duplicate:
    """A key given twice in one mapping."""

    path: PathParts
    mark: Mark
    first_line: int


@dataclass(frozen=True, kw_only=True)
class Document:
    data: Any
    root: yaml.Node | None
    duplicates: tuple[Duplicate, ...] = ()

    def mark(self, path: PathParts) -> Mark | None:
        """Where the value at ``path`` is written: a mapping entry's key, a list item, or the
        nearest enclosing node that exists (a missing key points at its mapping)."""
        node = self.root
        found = _mark(node) if node is not None else None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                entry = next(
                    (
                        (k, v)
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == str(part)
                    ),
                    None,
                )
                if entry is None:
                    return found
                found, node = _mark(entry[0]), entry[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                found = _mark(node)
            else:
                return found
        return found


def _mark(node: yaml.Node | yaml.Event | Any) -> Mark | None:
    start = getattr(node, "start_mark", None)
    if start is None:
        return None
    return Mark(line=start.line + 1, column=start.column + 1)


def _error_mark(exc: yaml.MarkedYAMLError) -> Mark | None:
    mark = exc.problem_mark or exc.context_mark
    return Mark(line=mark.line + 1, column=mark.column + 1) if mark is not None else None


def _check_budgets(text: str) -> None:
    """One pass over the parser's events: nesting depth, aliases to unfinished anchors and the
    size of the document with every alias expanded, refused before any node is built."""
    sizes: list[int] = []  # open collections: expanded size so far
    anchors_open: list[str | None] = []
    anchors: dict[str, int] = {}
    total = 0

    def add(size: int, event: Any) -> None:
        nonlocal total
        if sizes:
            sizes[-1] += size
        else:
            total += size
        if size > ALIAS_BUDGET or (sizes and sizes[-1] > ALIAS_BUDGET) or total > ALIAS_BUDGET:
            raise YamlError(
                f"aliases expand to more than {ALIAS_BUDGET:,} values (an alias bomb?)", _mark(event)
            )

    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(sizes) >= MAX_DEPTH:
                raise YamlError(f"nested more than {MAX_DEPTH} levels deep", _mark(event))
            sizes.append(1)
            anchors_open.append(event.anchor)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            size = sizes.pop()
            anchor = anchors_open.pop()
            if anchor is not None:
                anchors[anchor] = size
            add(size, event)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                anchors[event.anchor] = 1
            add(1, event)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                defined = event.anchor in anchors_open
                what = "refers to a node that contains it" if defined else "is not defined before its use"
                raise YamlError(f"alias *{event.anchor} {what}", _mark(event))
            add(anchors[event.anchor], event)


def _walk(node: yaml.Node, path: PathParts) -> Iterator[Duplicate]:
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE_TAG:
                line = key.start_mark.line + 1
                if key.value in first:
                    yield Duplicate(
                        path=(*path, key.value),
                        mark=Mark(line=line, column=key.start_mark.column + 1),
                        first_line=first[key.value],
                    )
                else:
                    first[key.value] = line
                yield from _walk(value, (*path, key.value))
            else:
                yield from _walk(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _walk(item, (*path, i))


class _Constructor(yaml.constructor.SafeConstructor):
    """Keys as written; a value that cannot be read is an error at its node."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError):
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise yaml.constructor.ConstructorError(
                None, None, f"this value cannot be read as {tag}", node.start_mark
            ) from None

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key: Any = key_node.value
            else:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        "found unhashable key",
                        key_node.start_mark,
                    ) from None
            mapping[key] = self.construct_object(value_node, deep=True)
        return mapping


def _mapping(loader: _Constructor, node: yaml.MappingNode) -> dict[Any, Any]:
    return loader.construct_mapping(node, deep=True)


_Constructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)  # type: ignore[type-var]


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def load(text: str) -> Document:
    """Parse one YAML document within the budgets; ``YamlError`` otherwise (the message names the
    problem, never the file's content)."""
    try:
        _check_budgets(text)
        root = _compose(text)
        data = _Constructor().construct_document(root) if root is not None else None
    except yaml.constructor.ConstructorError as exc:
        raise YamlError(exc.problem or "a value cannot be read", _error_mark(exc)) from None
    except yaml.MarkedYAMLError as exc:
        what = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise YamlError(f"YAML syntax error: {what}{context}", _error_mark(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML syntax error: {type(exc).__name__}") from None
    except RecursionError:
        raise YamlError(f"nested more than {MAX_DEPTH} levels deep") from None
    duplicates = tuple(_walk(root, ())) if root is not None else ()
    return Document(data=data, root=root, duplicates=duplicates)
