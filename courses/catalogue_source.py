"""Reading and validating the catalogue source files (content/).

Everything is read and checked before anything is written: a problem is
reported with file, line and reason, and `CatalogueError` carries them all.
The format is described in docs/catalogue-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.utils.translation import gettext as _

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "content"
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
GLOSSARY_LINK = re.compile(r"\]\(begrepp:([^)\s]*)\)")
ANY_LINK = re.compile(r"\]\(([^)]*)\)")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class CatalogueError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# --- schemas -----------------------------------------------------------------

_TEXT = {"type": "string", "minLength": 1}
_IMAGE_REF = {
    "type": "object",
    "additionalProperties": False,
    "required": ["file", "alt"],
    "properties": {"file": _TEXT, "alt": _TEXT},
}
_CHOICE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text", "correct", "feedback"],
    "properties": {"text": _TEXT, "correct": {"type": "boolean"}, "feedback": _TEXT},
}
_QUESTION = {
    "type": "object",
    "required": ["id", "type", "text", "explanation"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z0-9-]+$"},
        "type": {"enum": ["single", "multiple", "truefalse"]},
        "text": _TEXT,
        "explanation": _TEXT,
    },
    "if": {"properties": {"type": {"const": "truefalse"}}},
    "then": {
        "additionalProperties": False,
        "required": ["answer", "feedback_true", "feedback_false"],
        "properties": {
            "id": True,
            "type": True,
            "text": True,
            "explanation": True,
            "answer": {"type": "boolean"},
            "feedback_true": _TEXT,
            "feedback_false": _TEXT,
        },
    },
    "else": {
        "additionalProperties": False,
        "required": ["choices"],
        "properties": {
            "id": True,
            "type": True,
            "text": True,
            "explanation": True,
            "choices": {"type": "array", "minItems": 2, "maxItems": 8, "items": _CHOICE},
        },
    },
}


def _block(kind: str, required: list[str], **properties: Any) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["type", *required],
        "properties": {"type": {"const": kind}, **properties},
    }


_BODY_BLOCK = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {
            "enum": ["text", "fact", "image", "reflection", "checklist", "comparison", "quiz"]
        }
    },
    "allOf": [
        {"if": {"properties": {"type": {"const": kind}}}, "then": schema}
        for kind, schema in {
            "text": _block("text", ["text"], text=_TEXT),
            "fact": _block("fact", ["title", "text"], title=_TEXT, text=_TEXT),
            "image": _block(
                "image",
                ["file"],
                file=_TEXT,
                alt=_TEXT,
                caption=_TEXT,
                decorative={"type": "boolean"},
            ),
            "reflection": _block(
                "reflection",
                ["prompt"],
                prompt=_TEXT,
                scenario=_TEXT,
                hints={"type": "array", "items": _TEXT},
            ),
            "checklist": _block(
                "checklist",
                ["title", "items"],
                title=_TEXT,
                intro=_TEXT,
                items={
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["label"],
                        "properties": {"label": _TEXT, "help": _TEXT},
                    },
                },
            ),
            "comparison": _block(
                "comparison",
                ["question", "image_a", "image_b", "synthetic", "explanation"],
                question=_TEXT,
                image_a=_IMAGE_REF,
                image_b=_IMAGE_REF,
                synthetic={"enum": ["a", "b"]},
                explanation=_TEXT,
            ),
            "quiz": _block(
                "quiz",
                ["questions"],
                title=_TEXT,
                intro=_TEXT,
                questions={"type": "array", "minItems": 1, "maxItems": 12, "items": _QUESTION},
            ),
        }.items()
    ],
}

LESSON_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "title", "minutes", "intro", "body", "sources"],
    "properties": {
        "slug": {"type": "string", "pattern": SLUG},
        "title": _TEXT,
        "minutes": {"type": "integer", "minimum": 1, "maximum": 120},
        "intro": _TEXT,
        "body": {"type": "array", "minItems": 1, "items": _BODY_BLOCK},
        "sources": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["organisation", "title"],
                "properties": {"organisation": _TEXT, "title": _TEXT},
            },
        },
    },
}

COURSE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "slug",
        "title",
        "theme",
        "intro",
        "audience",
        "level",
        "minutes",
        "goals",
        "summary",
        "checklist",
        "lessons",
    ],
    "properties": {
        "slug": {"type": "string", "pattern": SLUG},
        "title": _TEXT,
        "theme": {"type": "string", "pattern": SLUG},
        "intro": _TEXT,
        "audience": _TEXT,
        "level": {"enum": ["introduktion", "fordjupning"]},
        "minutes": {"type": "integer", "minimum": 1, "maximum": 1000},
        "goals": {"type": "array", "minItems": 1, "items": _TEXT},
        "summary": _TEXT,
        "checklist": {"type": "array", "minItems": 1, "items": _TEXT},
        "cover": _IMAGE_REF,
        "lessons": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "pattern": SLUG},
        },
    },
}

THEMES_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["slug", "name"],
        "properties": {
            "slug": {"type": "string", "pattern": SLUG},
            "name": _TEXT,
            "description": _TEXT,
        },
    },
}
GLOSSARY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["slug", "term", "definition"],
        "properties": {
            "slug": {"type": "string", "pattern": SLUG},
            "term": _TEXT,
            "definition": _TEXT,
        },
    },
}
IMAGES_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["file", "title", "author", "licence"],
        "properties": {
            "file": _TEXT,
            "title": _TEXT,
            "author": _TEXT,
            "licence": _TEXT,
            "source": _TEXT,
        },
    },
}
SITE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["home", "courses", "glossary"],
    "properties": {
        key: {
            "type": "object",
            "additionalProperties": False,
            "required": ["title", "slug"],
            "properties": {
                "title": _TEXT,
                "slug": {"type": "string", "pattern": SLUG},
                "intro": _TEXT,
            },
        }
        for key in ("home", "courses", "glossary")
    },
}


# --- reading -----------------------------------------------------------------


@dataclass
class SourceFile:
    """A parsed YAML file and the line of every value in it."""

    path: Path
    name: str
    data: Any
    lines: dict[tuple, tuple[int, bool]] = field(default_factory=dict)

    def line(self, *path: Any) -> int | None:
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]][0]
        return None

    def text_line(self, path: tuple, offset_in_text: int, text: str) -> int | None:
        """The line of a character inside a (possibly block-style) string value."""
        line, block = self.lines.get(path, (self.line(*path), False))
        if line is None:
            return None
        return line + (1 if block else 0) + text[:offset_in_text].count("\n")

    def problem(self, message: str, *path: Any) -> Problem:
        return Problem(self.name, self.line(*path), message)


def _index_lines(node: yaml.Node, path: tuple, lines: dict) -> None:
    block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
    lines[path] = (node.start_mark.line + 1, block)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _index_lines(value, (*path, key.value), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), lines)


def read_source(path: Path, root: Path) -> SourceFile:
    name = str(path.relative_to(root.parent.parent)) if root in path.parents else str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        node = yaml.compose(text)
    except UnicodeDecodeError:
        raise CatalogueError([Problem(name, None, _("The file is not UTF-8 text."))]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        raise CatalogueError(
            [
                Problem(
                    name,
                    mark.line + 1 if mark else None,
                    _("Invalid YAML: %(reason)s") % {"reason": reason},
                )
            ]
        ) from None
    source = SourceFile(path, name, data)
    if node is not None:
        _index_lines(node, (), source.lines)
    return source


def _schema_message(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or _("the file")
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return _("%(where)s: the field “%(field)s” is missing.") % {
            "where": where,
            "field": missing[0] if missing else error.message,
        }
    if error.validator == "additionalProperties":
        return _("%(where)s: unknown field (%(detail)s).") % {
            "where": where,
            "detail": error.message,
        }
    if error.validator == "minLength":
        return _("%(where)s: must not be empty.") % {"where": where}
    if error.validator in ("enum", "const"):
        return _("%(where)s: %(value)r is not an allowed value.") % {
            "where": where,
            "value": error.instance,
        }
    if error.validator == "type":
        return _("%(where)s: has the wrong type (expected %(type)s).") % {
            "where": where,
            "type": error.validator_value,
        }
    return f"{where}: {error.message}"


def validate_schema(source: SourceFile, schema: dict) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in validator.iter_errors(source.data):
        # Report the most specific error of an if/then group.
        while error.context:
            error = min(error.context, key=lambda e: -len(e.absolute_path))
        problems.append(source.problem(_schema_message(error), *error.absolute_path))
    return problems


# --- the catalogue -----------------------------------------------------------


@dataclass
class Catalogue:
    root: Path
    site: SourceFile
    themes: SourceFile
    glossary: dict[str, dict] = field(default_factory=dict)
    images: dict[str, dict] = field(default_factory=dict)
    courses: list[tuple[SourceFile, list[SourceFile]]] = field(default_factory=list)

    def iter_lessons(self) -> Iterator[tuple[SourceFile, SourceFile]]:
        for course, lessons in self.courses:
            for lesson in lessons:
                yield course, lesson


def load_catalogue(root: Path = CATALOGUE_DIR) -> Catalogue:
    """Read and validate the whole catalogue, or raise CatalogueError listing every problem."""
    problems: list[Problem] = []

    def read(path: Path, schema: dict) -> SourceFile | None:
        try:
            source = read_source(path, root)
        except CatalogueError as error:
            problems.extend(error.problems)
            return None
        found = validate_schema(source, schema)
        problems.extend(found)
        return None if found else source

    site = read(root / "site.yaml", SITE_SCHEMA)
    themes = read(root / "themes.yaml", THEMES_SCHEMA)
    glossary = _read_keyed(
        sorted((root / "glossary").glob("*.yaml")), "slug", GLOSSARY_SCHEMA, read, problems
    )
    images = _read_keyed(
        sorted((root / "images").glob("*.yaml")), "file", IMAGES_SCHEMA, read, problems
    )
    catalogue = Catalogue(root, site, themes, glossary, images)
    theme_slugs = {t["slug"] for t in themes.data} if themes else set()

    for course_file in sorted(root.glob("*/course.yaml")):
        course = read(course_file, COURSE_SCHEMA)
        if course is None:
            continue
        problems.extend(_check_course(course, theme_slugs, catalogue))
        lessons = []
        for slug in course.data["lessons"]:
            lesson_path = course_file.parent / f"{slug}.yaml"
            if not lesson_path.exists():
                problems.append(
                    course.problem(
                        _("The lesson “%(slug)s” has no file %(file)s.")
                        % {"slug": slug, "file": lesson_path.name},
                        "lessons",
                        course.data["lessons"].index(slug),
                    )
                )
                continue
            lesson = read(lesson_path, LESSON_SCHEMA)
            if lesson is not None:
                problems.extend(_check_lesson(lesson, catalogue))
                lessons.append(lesson)
        listed = {f"{slug}.yaml" for slug in course.data["lessons"]} | {"course.yaml"}
        for stray in sorted(course_file.parent.glob("*.yaml")):
            if stray.name not in listed:
                problems.append(
                    course.problem(
                        _("%(file)s is not listed under “lessons”.") % {"file": stray.name},
                        "lessons",
                    )
                )
        catalogue.courses.append((course, lessons))

    if problems:
        raise CatalogueError(problems)
    return catalogue


def _read_keyed(paths, key, schema, read, problems) -> dict[str, dict]:
    """Merge list files (glossary, images) into one dict, refusing duplicate keys."""
    merged: dict[str, dict] = {}
    for path in paths:
        source = read(path, schema)
        if source is None:
            continue
        for index, item in enumerate(source.data or []):
            if item[key] in merged:
                problems.append(
                    source.problem(
                        _("“%(key)s” is already defined in %(file)s.")
                        % {"key": item[key], "file": merged[item[key]]["_file"]},
                        index,
                        key,
                    )
                )
            merged[item[key]] = {**item, "_file": source.name}
    return merged


def _check_image(
    source: SourceFile, catalogue: Catalogue, filename: str, *path: Any
) -> list[Problem]:
    image_path = catalogue.root / "images" / filename
    if "/" in filename or not image_path.is_file():
        return [
            source.problem(
                _("The image %(file)s does not exist in images/.") % {"file": filename}, *path
            )
        ]
    if filename not in catalogue.images:
        return [
            source.problem(
                _("The image %(file)s has no licence entry in images/*.yaml.")
                % {"file": filename},
                *path,
            )
        ]
    if image_path.suffix.lower() == ".svg":
        svg = image_path.read_text(encoding="utf-8", errors="replace").lower()
        if any(bad in svg for bad in ("<script", "foreignobject", 'href="http', "onload=")):
            return [
                source.problem(
                    _("The image %(file)s contains scripts or external links.")
                    % {"file": filename},
                    *path,
                )
            ]
    return []


def _check_course(
    course: SourceFile, theme_slugs: set[str], catalogue: Catalogue
) -> list[Problem]:
    data, problems = course.data, []
    if data["slug"] != course.path.parent.name:
        problems.append(
            course.problem(
                _("The slug must match the folder name “%(folder)s”.")
                % {"folder": course.path.parent.name},
                "slug",
            )
        )
    if data["theme"] not in theme_slugs:
        problems.append(
            course.problem(_("Unknown theme “%(theme)s”.") % {"theme": data["theme"]}, "theme")
        )
    if "cover" in data:
        problems += _check_image(course, catalogue, data["cover"]["file"], "cover", "file")
    problems += _check_markdown(course, catalogue, ("intro",), ("summary",))
    return problems


def _check_lesson(lesson: SourceFile, catalogue: Catalogue) -> list[Problem]:
    data, problems = lesson.data, []
    if data["slug"] != lesson.path.stem:
        problems.append(
            lesson.problem(
                _("The slug must match the file name “%(name)s”.") % {"name": lesson.path.stem},
                "slug",
            )
        )
    text_paths: list[tuple] = [("intro",)]
    question_ids: set[str] = set()
    for index, block in enumerate(data["body"]):
        kind = block["type"]
        if kind in ("text", "fact"):
            text_paths.append(("body", index, "text"))
        elif kind == "reflection" and "scenario" in block:
            text_paths.append(("body", index, "scenario"))
        elif kind == "comparison":
            text_paths.append(("body", index, "explanation"))
            for side in ("image_a", "image_b"):
                problems += _check_image(
                    lesson, catalogue, block[side]["file"], "body", index, side, "file"
                )
        elif kind == "image":
            problems += _check_image(lesson, catalogue, block["file"], "body", index, "file")
            if not block.get("decorative") and not block.get("alt"):
                problems.append(
                    lesson.problem(
                        _("The image needs alt text, or “decorative: true”."), "body", index
                    )
                )
        elif kind == "quiz":
            problems += _check_quiz(lesson, index, block, question_ids)
    problems += _check_markdown(lesson, catalogue, *text_paths)
    return problems


def _check_quiz(lesson: SourceFile, index: int, quiz: dict, seen_ids: set[str]) -> list[Problem]:
    problems = []
    for number, question in enumerate(quiz["questions"]):
        where = ("body", index, "questions", number)
        if question["id"] in seen_ids:
            problems.append(
                lesson.problem(
                    _("The question id “%(id)s” is used twice.") % {"id": question["id"]},
                    *where,
                    "id",
                )
            )
        seen_ids.add(question["id"])
        if question["type"] == "truefalse":
            continue
        correct = sum(1 for choice in question["choices"] if choice["correct"])
        if question["type"] == "single" and correct != 1:
            problems.append(
                lesson.problem(
                    _("A single-choice question needs exactly one correct choice (has %(n)d).")
                    % {"n": correct},
                    *where,
                    "choices",
                )
            )
        elif question["type"] == "multiple" and correct < 1:
            problems.append(
                lesson.problem(
                    _("A multiple-choice question needs at least one correct choice."),
                    *where,
                    "choices",
                )
            )
    return problems


def _check_markdown(source: SourceFile, catalogue: Catalogue, *paths: tuple) -> list[Problem]:
    problems = []
    for path in paths:
        text = _get(source.data, path)
        if not isinstance(text, str):
            continue
        for match in ANY_LINK.finditer(text):
            target = match.group(1)
            line = source.text_line(path, match.start(), text)
            if not target.startswith("begrepp:"):
                problems.append(
                    Problem(
                        source.name,
                        line,
                        _("Only glossary links (begrepp:slug) are allowed, not “%(target)s”.")
                        % {"target": target},
                    )
                )
            elif target.removeprefix("begrepp:") not in catalogue.glossary:
                problems.append(
                    Problem(
                        source.name,
                        line,
                        _("Unknown glossary term “%(slug)s”.") % {"slug": target[8:]},
                    )
                )
        for match in re.finditer(r"^#(?!#)", text, re.MULTILINE):
            problems.append(
                Problem(
                    source.name,
                    source.text_line(path, match.start(), text),
                    _("Use ## or ### for headings; the title is the only h1."),
                )
            )
    return problems


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data
