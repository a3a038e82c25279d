"""The one place YAML is read and written.

Records become plain mappings in field order (fields left at their default are
omitted), written in block style with a width that keeps diffs readable;
load(dump(x)) == x and dump(load(text)) == text for text this module wrote.
Mappings read back remember their line, so problems in hand-edited files can
be reported as path:line.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path

import yaml

from .problems import EditionError, Problem

WIDTH = 100


class LineDict(dict):
    """A mapping read from YAML, remembering the line it starts on and each key's line (1-based)."""

    line = 0
    key_lines: dict = {}


class LineList(list):
    """A sequence read from YAML, remembering the line it starts on (1-based)."""

    line = 0


# libyaml's parser and emitter when PyYAML has them (several times faster); same output either way.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader, node):
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {loader.construct_object(k): k.start_mark.line + 1 for k, _ in node.value}
    return mapping


def _construct_sequence(loader, node):
    seq = LineList(loader.construct_sequence(node, deep=True))
    seq.line = node.start_mark.line + 1
    return seq


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data):
        """Never an anchor and alias (&id001, *id001): a value met twice is written twice, as an editor would
        write it. to_data() makes every value afresh, so PyYAML's tracking of the values met found none, and
        cost a third of the time an edition takes to write (26 ms, 18 without)."""
        return True


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(LineDict, _Dumper.represent_dict)
_Dumper.add_representer(LineList, _Dumper.represent_list)


def dumps(data) -> str:
    """YAML text for plain data or records."""
    return yaml.dump(to_data(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=WIDTH, default_flow_style=False)


def loads(text: str, path: str):
    """Plain data (LineDict / LineList / scalars) from YAML text; syntax errors become Problems."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        column = f" at column {mark.column + 1}" if mark else ""
        raise EditionError([Problem(path, line, f"YAML syntax error{column}: {what}", "",
                                    "fix the YAML syntax there")]) from None


def read(path: Path, label: str | None = None):
    """Load a YAML file; label is how the path is shown in messages."""
    label = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        data = path.read_bytes()
        raise EditionError([Problem(label, data.count(b"\n", 0, exc.start) + 1, "the file is not UTF-8", "",
                                    "save it as UTF-8")]) from None
    except OSError as exc:
        raise EditionError([Problem(label, 0, "cannot read the file", exc.strerror or str(exc),
                                    "check the path and its permissions")]) from None
    return loads(text, label)


def to_data(obj):
    """Records to plain mappings/lists in field order, omitting fields at their default."""
    if dataclasses.is_dataclass(obj):
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if _is_default(f, value):
                continue
            out[f.name] = to_data(value)
        return out
    if isinstance(obj, dict):
        return {k: to_data(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    return obj


def _is_default(f: dataclasses.Field, value) -> bool:
    if f.default is not dataclasses.MISSING:
        return value == f.default
    if f.default_factory is not dataclasses.MISSING:
        return value == f.default_factory()
    return False


_KINDS = {int: "a whole number", str: "text", bool: "true or false"}


def from_data(cls, data, path: str, problems: list[Problem], line: int = 0):
    """Build a record of type cls from plain data, adding a Problem for each mismatch."""
    hints = typing.get_type_hints(cls)
    line = getattr(data, "line", line)
    if not isinstance(data, dict):
        problems.append(Problem(path, line, f"expected a mapping for {cls.__name__}",
                                repr(data)[:60], "compare with the schema in README.md"))
        return None
    names = {f.name for f in dataclasses.fields(cls)}
    key_lines = getattr(data, "key_lines", {})
    for unknown in sorted(set(data) - names):
        problems.append(Problem(path, key_lines.get(unknown, line), f"unknown field in {cls.__name__}",
                                str(unknown), "remove it or correct its spelling"))
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                problems.append(Problem(path, line, f"missing field '{f.name}' in {cls.__name__}",
                                        "", "add it"))
            continue
        kwargs[f.name] = _convert(hints[f.name], data[f.name], path, problems, key_lines.get(f.name, line), f.name)
    try:
        return cls(**kwargs)
    except TypeError:
        return None
    except ValueError as exc:
        problems.append(Problem(path, line, str(exc), repr(data)[:60], "give every level, or remove the record"))
        return None


def _convert(hint, value, path, problems, line, name):
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        hint = next(a for a in args if a is not type(None))
        return _convert(hint, value, path, problems, line, name)
    if dataclasses.is_dataclass(hint):
        return from_data(hint, value, path, problems, line)
    if origin is list:
        if not isinstance(value, list):
            problems.append(Problem(path, getattr(value, "line", line), f"'{name}' must be a list",
                                    repr(value)[:60], "write it as a YAML list"))
            return []
        sub_line = getattr(value, "line", line)
        return [_convert(args[0], v, path, problems, sub_line, name) for v in value]
    if origin is dict:
        if not isinstance(value, dict):
            problems.append(Problem(path, line, f"'{name}' must be a mapping", repr(value)[:60],
                                    "write it as a YAML mapping"))
            return {}
        return {k: _convert(args[1], v, path, problems, line, name) for k, v in value.items()}
    if hint is int and isinstance(value, bool) or not isinstance(value, hint):
        kind = _KINDS.get(hint, hint.__name__)
        problems.append(Problem(path, line, f"'{name}' must be {kind}", repr(value)[:60], f"write {kind} there"))
        return value
    return value
