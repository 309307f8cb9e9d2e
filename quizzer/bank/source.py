"""Reading one YAML file of the bank safely, keeping line numbers.

Question files are authored by people and may come from anywhere, so reading them is bounded:
a size cap before anything is parsed, strict UTF-8, no tabs in indentation, duplicate keys
refused, only the plain YAML scalar types, a nesting limit, and a budget on how many nodes alias
expansion may produce (a "billion laughs" document is refused in milliseconds). Parsing uses
libyaml's composer (C) and converts the node tree here, which is both faster than PyYAML's
pure-Python loader and keeps every node's line, so errors can point at the exact line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quizzer.bank.issues import BankIssue

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is present wherever wheels are
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 250_000
MAX_DEPTH = 48

_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)
_STR = "tag:yaml.org,2002:str"
_SCALARS = {
    "tag:yaml.org,2002:int": SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
}
_AS_TEXT = {"tag:yaml.org,2002:timestamp"}  # a date-like value is kept as the text written


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed YAML file: plain Python data plus the node tree for locating errors."""

    name: str
    data: dict[str, Any]
    node: MappingNode

    def issue(
        self,
        loc: Sequence[str | int],
        question: str | None,
        message: str,
        *,
        within: Sequence[str | int] = (),
    ) -> BankIssue:
        """A problem with the value at ``loc``, located on its line.

        ``loc`` is a path of keys and indexes, relative to ``within`` (the question's own path
        in the document), so the field reads as the author wrote it: ``choices[2].text``.
        """
        line = line_of(self.node, (*within, *loc))
        return BankIssue(self.name, line, question, field_name(loc), message)


def field_name(loc: Sequence[str | int]) -> str:
    """``("choices", 2, "text")`` -> ``"choices[2].text"``; ``"-"`` for the document itself."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "-"


class _Budget:
    __slots__ = ("left",)

    def __init__(self, nodes: int) -> None:
        self.left = nodes


class _TooBig(Exception):
    def __init__(self, node: Node, why: str) -> None:
        super().__init__(why)
        self.node = node
        self.why = why


_ctor = SafeConstructor()


Problem = tuple[Node, str, str]  # (where, field, message)


def _convert(node: Node, depth: int, budget: _Budget, issues: list[Problem]) -> Any:
    budget.left -= 1
    if budget.left < 0:
        raise _TooBig(node, "document expands to too many nodes (alias bomb?)")
    if depth > MAX_DEPTH:
        raise _TooBig(node, f"nesting deeper than {MAX_DEPTH} levels")
    if isinstance(node, ScalarNode):
        tag = node.tag
        if tag == _STR or tag in _AS_TEXT:
            return node.value
        fn = _SCALARS.get(tag)
        if fn is None:
            issues.append((node, "(yaml)", f"unsupported YAML tag {tag!r}"))
            return None
        try:
            return fn(_ctor, node)
        except (ValueError, ConstructorError):
            issues.append(
                (node, "(yaml)", f"cannot read {node.value!r} as {tag.rsplit(':', 1)[-1]}")
            )
            return None
    if isinstance(node, SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            issues.append((node, "(yaml)", f"unsupported YAML tag {node.tag!r}"))
        return [_convert(item, depth + 1, budget, issues) for item in node.value]
    if isinstance(node, MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            issues.append((node, "(yaml)", f"unsupported YAML tag {node.tag!r}"))
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                issues.append(
                    (key_node, "(yaml)", "merge keys (<<) are not supported; write the fields out")
                )
                continue
            if not isinstance(key_node, ScalarNode):
                issues.append((key_node, "(yaml)", "mapping keys must be plain scalars"))
                continue
            key = _convert(key_node, depth + 1, budget, issues)
            if key in out:
                first = next(k for k, _ in node.value if k.value == key_node.value)
                issues.append(
                    (
                        key_node,
                        str(key),
                        f"duplicate key (first at line {first.start_mark.line + 1}); "
                        "YAML would silently keep only the last value",
                    )
                )
                continue
            if depth == 0:
                try:
                    out[key] = _convert(value_node, depth + 1, budget, issues)
                except _TooBig as e:  # report the top-level key, not a node reached by an alias
                    raise _TooBig(key_node, e.why) from None
            else:
                out[key] = _convert(value_node, depth + 1, budget, issues)
        return out
    raise AssertionError(f"unknown node type {type(node).__name__}")  # pragma: no cover


def read_yaml(
    path: Path, name: str, *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[YamlDocument | None, list[BankIssue]]:
    """Parse one file into a mapping, returning it with any problems found on the way.

    The document is None when the file cannot be parsed at all; when it is returned with
    issues (duplicate keys, unsupported tags) the caller must still treat the file as invalid.
    ``name`` is how the file is shown in messages (usually relative to the bank directory).
    """

    def issue(line: int, field: str, message: str) -> list[BankIssue]:
        return [BankIssue(name, line, None, field, message)]

    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as e:
        return None, issue(0, "(file)", f"cannot read: {e.strerror or e}")
    if len(raw) > max_bytes:
        return None, issue(0, "(size)", f"file is larger than the {max_bytes // 1024} KiB limit")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return None, issue(line, "(encoding)", f"not valid UTF-8 (byte 0x{raw[e.start]:02x})")
    tab = _TAB_INDENT.search(text)
    if tab is not None:
        line = text.count("\n", 0, tab.start()) + 1
        return None, issue(line, "(indentation)", "tab character in indentation; use spaces")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, issue(line, "(encoding)", "NUL byte in a text file")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        context = e.context
        if context and e.context_mark is not None and e.context_mark.line + 1 != line:
            context += f" (from line {e.context_mark.line + 1})"
        what = " ".join(filter(None, [context, e.problem])) or "syntax error"
        return None, issue(line, "(yaml)", f"YAML syntax error: {what}")
    except yaml.YAMLError as e:
        return None, issue(0, "(yaml)", f"YAML error: {e}")
    if node is None:
        return None, issue(1, "(document)", "file is empty; expected a mapping")
    if not isinstance(node, MappingNode):
        kind = "a list" if isinstance(node, SequenceNode) else "a single value"
        return None, issue(
            node.start_mark.line + 1, "(document)", f"expected a mapping at the top, found {kind}"
        )
    problems: list[Problem] = []
    try:
        data = _convert(node, 0, _Budget(MAX_NODES), problems)
    except _TooBig as e:
        return None, issue(e.node.start_mark.line + 1, "(yaml)", e.why)
    doc = YamlDocument(name, data, node)
    return doc, [
        BankIssue(name, n.start_mark.line + 1, question_at(node, n.start_mark.line), field, msg)
        for n, field, msg in problems
    ]


def question_at(root: MappingNode, line0: int) -> str | None:
    """The id of the question whose YAML spans 0-based ``line0``, if there is one."""
    for k, v in root.value:
        if isinstance(k, ScalarNode) and k.value == "questions" and isinstance(v, SequenceNode):
            for item in v.value:
                if item.start_mark.line <= line0 <= item.end_mark.line and isinstance(
                    item, MappingNode
                ):
                    for ik, iv in item.value:
                        if isinstance(ik, ScalarNode) and ik.value == "id":
                            return iv.value if isinstance(iv, ScalarNode) else None
    return None


def line_of(node: Node, loc: Sequence[str | int]) -> int:
    """The 1-based line of the value at ``loc`` inside ``node`` (or of its nearest parent).

    For a mapping key the line of the key is used, which is where an author looks.
    """
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == str(part):
                    line = k.start_mark.line + 1
                    node = v
                    break
            else:
                return line
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
