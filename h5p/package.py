"""Strict reader for H5P packages (``.h5p`` zip files).

The package is read from the zip central directory, validated the way H5P
core validates uploads (``H5PValidator::isValidPackage`` in h5p-php-library),
and only then extracted. Every problem is collected and raised together as a
single :class:`PackageError`, whose :class:`Problem` items carry a Swedish
message for the editor and a stable English ``code`` for the program.

Public API: :func:`open_package`, :func:`extract`, :class:`Package`
(with :meth:`Package.extract_to`), :class:`Limits`, :class:`LibraryRef`,
:class:`Library`, :class:`Problem`, :class:`PackageError`.

This module must not import Django.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, NamedTuple, TypeAlias

__all__ = [
    "CONTENT_EXTENSIONS",
    "DEFAULT_LIMITS",
    "LIBRARY_EXTENSIONS",
    "SUPPORTED_CORE_API",
    "Installed",
    "Library",
    "LibraryRef",
    "Limits",
    "Package",
    "PackageError",
    "Problem",
    "extract",
    "open_package",
]

_MB = 1024 * 1024
_CHUNK = 64 * 1024

#: Newest H5P core API a package may require (``coreApi`` in library.json/h5p.json).
SUPPORTED_CORE_API: tuple[int, int] = (1, 24)

#: H5P core's default content whitelist (``H5PCore::$defaultContentWhitelist``)
#: without ``swf``, which we never accept.
CONTENT_EXTENSIONS: frozenset[str] = frozenset(
    "json png jpg jpeg gif bmp tif tiff eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav "
    "txt pdf rtf doc docx xls xlsx ppt pptx odt ods odp csv diff patch md textile vtt "
    "webvtt gltf glb".split()
)
#: Library folders may additionally hold ``H5PCore::$defaultLibraryWhitelistExtras``.
LIBRARY_EXTENSIONS: frozenset[str] = CONTENT_EXTENSIONS | {"js", "css", "svg", "xml"}

_H5P_JSON = "h5p.json"
_CONTENT_DIR = "content"
_CONTENT_JSON = "content/content.json"
_ALLOWED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_ENCRYPTED_FLAG = 0x1
_MAX_COMPONENT_BYTES = 255
_MAX_NAME_CHARS = 1024

# Patterns from H5PValidator ($h5pRequired / $libraryRequired); \w is ASCII as in PHP.
_MACHINE_NAME = re.compile(r"[\w.\-]{1,255}", re.ASCII)
_MAIN_LIBRARY = re.compile(r"[$a-z_][0-9a-z_.$]{1,254}", re.ASCII | re.IGNORECASE)
_LANGUAGE_CODE = re.compile(r"[-a-zA-Z]{1,10}")
_VERSION_TEXT = re.compile(r"[0-9]{1,5}")
_LIBRARY_FOLDER = re.compile(
    r"(?P<name>[\w.\-]+)-(?P<major>[0-9]{1,5})\.(?P<minor>[0-9]{1,5})", re.ASCII
)
_LANGUAGE_FILE = re.compile(r"(-?[a-z]+){1,7}\.json", re.IGNORECASE)
_ASSET_PATH = {
    "preloadedJs": re.compile(r"((\\|/)?[a-z_\-\s0-9.]+)+\.js", re.IGNORECASE),
    "preloadedCss": re.compile(r"((\\|/)?[a-z_\-\s0-9.]+)+\.css", re.IGNORECASE),
}
_EXTERNAL_URL = re.compile(r"https?://", re.IGNORECASE)
_DRIVE_LETTER = re.compile(r"[A-Za-z]:")


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth noting about) a package.

    ``code`` is stable English snake_case for programs; ``message`` is Swedish
    for the editor; ``path`` is the entry inside the package, when there is one.
    """

    code: str
    message: str
    path: str | None = None


class PackageError(Exception):
    """The package was refused; ``errors`` lists every reason found."""

    def __init__(self, errors: list[Problem]) -> None:
        self.errors: list[Problem] = list(errors)
        super().__init__("\n".join(problem.message for problem in self.errors))

    @property
    def codes(self) -> list[str]:
        """The machine-readable codes of all errors, in order."""
        return [problem.code for problem in self.errors]


@dataclass(frozen=True)
class Limits:
    """Resource limits, checked in the central directory and again while streaming."""

    max_total_size: int = 200 * _MB
    """Sum of uncompressed sizes of all entries."""
    max_file_size: int = 100 * _MB
    """Uncompressed size of any single entry."""
    max_entries: int = 5_000
    """Number of entries in the central directory (files and directories)."""
    max_ratio: float = 100.0
    """Largest allowed uncompressed:compressed ratio per entry ..."""
    ratio_min_size: int = 1 * _MB
    """... for entries larger than this (small files may compress very well)."""
    max_json_size: int = 16 * _MB
    """Largest JSON file (h5p.json, content.json, library.json, ...) that is parsed."""

    def __post_init__(self) -> None:
        for name in ("max_total_size", "max_file_size", "max_entries", "max_json_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be positive")
        if self.max_ratio <= 0 or self.ratio_min_size < 0:
            raise ValueError("Limits.max_ratio must be positive, ratio_min_size non-negative")


DEFAULT_LIMITS = Limits()


class LibraryRef(NamedTuple):
    """A library as H5P names dependencies: machine name plus major.minor version.

    It is a tuple, so ``("H5P.TrueFalse", 1, 8) == LibraryRef("H5P.TrueFalse", 1, 8)``.
    """

    machine_name: str
    major: int
    minor: int

    @property
    def folder_name(self) -> str:
        """Folder the library lives in inside a package, e.g. ``H5P.TrueFalse-1.8``."""
        return f"{self.machine_name}-{self.major}.{self.minor}"

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}"


#: Libraries already installed on the platform: a collection of
#: ``(machineName, major, minor)`` tuples or a predicate taking a :class:`LibraryRef`.
Installed: TypeAlias = Collection[tuple[str, int, int]] | Callable[[LibraryRef], bool]


@dataclass(frozen=True)
class Library:
    """A library shipped inside the package."""

    ref: LibraryRef
    metadata: Mapping[str, Any]
    """The parsed ``library.json``."""
    files: tuple[str, ...]
    """Paths of its files inside the package (and below the extraction folder)."""

    @property
    def title(self) -> str:
        return str(self.metadata["title"])

    @property
    def patch_version(self) -> int:
        return _version_number(self.metadata["patchVersion"]) or 0

    @property
    def runnable(self) -> bool:
        return _version_number(self.metadata["runnable"]) == 1

    @property
    def preloaded_dependencies(self) -> tuple[LibraryRef, ...]:
        deps, _ = _dependencies(self.metadata, "preloadedDependencies", "")
        return tuple(deps)


@dataclass(frozen=True)
class Package:
    """A validated H5P package; :meth:`extract_to` unpacks it."""

    title: str
    language: str
    main_library: LibraryRef
    preloaded_dependencies: tuple[LibraryRef, ...]
    libraries: Mapping[LibraryRef, Library]
    content_files: tuple[str, ...]
    """Paths of the files under ``content/`` (including ``content/content.json``)."""
    external_media: tuple[str, ...]
    """http(s) URLs found in ``path`` fields of content.json (media on other hosts)."""
    warnings: tuple[Problem, ...]
    metadata: Mapping[str, Any] = field(repr=False)
    """The parsed ``h5p.json``."""
    content: Mapping[str, Any] = field(repr=False)
    """The parsed ``content/content.json``."""
    skipped: tuple[str, ...] = ()
    """Entries H5P ignores (``__MACOSX/``, ``.DS_Store``, top-level files ...): not extracted."""
    entry_count: int = 0
    uncompressed_size: int = 0
    limits: Limits = field(default=DEFAULT_LIMITS, repr=False)
    _source: str | os.PathLike[str] | IO[bytes] | None = field(
        default=None, repr=False, compare=False
    )
    _fingerprint: tuple[tuple[Any, ...], ...] = field(default=(), repr=False, compare=False)
    _to_extract: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def extract_to(self, dest: str | os.PathLike[str]) -> Path:
        """Extract into ``dest`` (must not exist, or be an empty directory).

        The package file is re-opened and must be unchanged since validation.
        Returns the destination path. Raises :class:`PackageError`.
        """
        if self._source is None:
            raise PackageError([_problem("package_changed")])
        with _open_zip(self._source) as (zf, _size):
            if _fingerprint(zf.infolist()) != self._fingerprint:
                raise PackageError([_problem("package_changed")])
            return _extract(zf, self, Path(dest))


# ------------------------------------------------------------------------ messages

_MESSAGES: dict[str, str] = {
    "empty_file": "Filen är tom (0 byte). Ladda upp H5P-filen igen.",
    "not_a_zip": (
        "Filen är inte ett H5P-paket. Ett H5P-paket är en zip-fil som slutar på .h5p; "
        "ladda ner eller exportera innehållet som H5P igen och ladda upp den filen."
    ),
    "corrupt_zip": (
        "Filen är skadad eller ofullständig och kan inte öppnas som H5P-paket. "
        "Den kanske inte laddades ner eller upp helt – försök igen."
    ),
    "empty_archive": "Paketet är tomt: det innehåller inga filer.",
    "too_many_entries": (
        "Paketet innehåller {count} filer och mappar, men högst {max} är tillåtna."
    ),
    "total_too_large": "Paketet blir {size} uppackat, men högst {max} är tillåtet.",
    "file_too_large": "Filen {path} är {size} uppackad, men högst {max} per fil är tillåtet.",
    "compression_ratio_too_high": (
        "Filen {path} är misstänkt hårt packad (mer än {max}:1). Paketet kan vara en "
        "så kallad zip-bomb och tas inte emot."
    ),
    "corrupt_entry": (
        "Filen {path} i paketet är skadad och kan inte packas upp. Exportera paketet igen."
    ),
    "size_mismatch": (
        "Filen {path} har inte den storlek som paketets innehållsförteckning anger. "
        "Paketet är skadat eller manipulerat."
    ),
    "absolute_path": (
        "Sökvägen {path} är absolut (börjar med / eller en enhetsbokstav). Alla filer "
        "måste ligga inuti paketet."
    ),
    "path_traversal": (
        "Sökvägen {path} innehåller '..' och pekar ut ur paketet. Sådana paket tas inte emot."
    ),
    "backslash_in_name": (
        "Sökvägen {path} innehåller ett omvänt snedstreck (\\). Paketet har packats med ett "
        "verktyg som inte följer zip-formatet; exportera det från H5P igen."
    ),
    "control_character_in_name": (
        "Ett filnamn i paketet innehåller osynliga styrtecken ({path}). Byt namn på filen."
    ),
    "invalid_name": "Sökvägen {path} är ogiltig (tomt namn, tom mapp eller '.').",
    "name_too_long": "Sökvägen {path} är för lång.",
    "symlink": "{path} är en symbolisk länk. Länkar är inte tillåtna i H5P-paket.",
    "special_file": "{path} är varken en vanlig fil eller en mapp och tas inte emot.",
    "encrypted_entry": (
        "Filen {path} är krypterad (lösenordsskyddad). H5P-paket får inte vara krypterade."
    ),
    "unsupported_compression": (
        "Filen {path} är packad med en metod som inte stöds (metod {method}). Bara "
        "okomprimerat och deflate är tillåtet; exportera paketet från H5P igen."
    ),
    "duplicate_name": "Filen {path} finns mer än en gång i paketet.",
    "case_duplicate_name": (
        "Filerna {path} och {other} har samma namn om man bortser från stora och små "
        "bokstäver. Byt namn på den ena."
    ),
    "path_conflict": "{path} förekommer i paketet både som fil och som mapp.",
    "file_type_not_allowed": (
        "Filen {path} har en filtyp som inte är tillåten i {where} ({extension})."
    ),
    "missing_h5p_json": (
        "Paketet saknar filen h5p.json överst i zip-filen. Det är inte ett H5P-paket, "
        "eller så har det packats om med en extra mapp runt filerna."
    ),
    "missing_content_json": (
        "Paketet saknar content/content.json, filen som innehåller själva innehållet."
    ),
    "invalid_json": "Filen {path} är inte giltig JSON{detail}.",
    "json_not_object": "Filen {path} ska innehålla ett JSON-objekt ({{ ... }}).",
    "json_too_large": "Filen {path} är {size}, men JSON-filer får vara högst {max}.",
    "missing_field": 'Filen {path} saknar det obligatoriska fältet "{field}".',
    "invalid_field": 'Fältet "{field}" i {path} har ett ogiltigt värde: {value}.',
    "main_library_not_listed": (
        'Huvudbiblioteket "{name}" i h5p.json finns inte med bland preloadedDependencies.'
    ),
    "core_api_unsupported": (
        "{what} kräver H5P-kärnan {required}, men plattformen stöder högst {supported}. "
        "Exportera innehållet från en äldre H5P-installation eller be en administratör "
        "uppdatera H5P."
    ),
    "invalid_library_folder": (
        "Mappen {path} är varken content eller en biblioteksmapp (biblioteksmappar heter "
        "till exempel H5P.TrueFalse-1.8)."
    ),
    "missing_library_json": "Biblioteksmappen {path} saknar library.json.",
    "library_folder_mismatch": (
        "Mappen {path} innehåller biblioteket {found}; mappen måste heta {expected}."
    ),
    "library_file_missing": (
        'Biblioteket {library} hänvisar till filen "{file}", som saknas i paketet.'
    ),
    "invalid_language_file": "Språkfilen {path} har ett ogiltigt namn.",
    "missing_main_library": (
        "Huvudbiblioteket {library} saknas: det finns varken i paketet eller på plattformen."
    ),
    "missing_dependency": (
        "Biblioteket {library}, som behövs av {needed_by}, finns varken i paketet eller på "
        "plattformen."
    ),
    "external_media": (
        "Innehållet hämtar media från en annan webbplats ({url}). Det fungerar bara så "
        "länge den webbplatsen finns kvar och är nåbar för deltagarna."
    ),
    # The destination is a server path: keep it in Problem.path, not in the message.
    "destination_not_empty": "Målmappen för paketet finns redan och är inte tom.",
    "destination_invalid": (
        "Målmappen för paketet kan inte användas (mappen den ska ligga i saknas, eller "
        "sökvägen är inte en vanlig mapp)."
    ),
    "package_changed": "Paketfilen har ändrats sedan den kontrollerades. Ladda upp den igen.",
}


def _problem(code: str, path: str | None = None, **details: Any) -> Problem:
    """Build a Problem with the Swedish message for ``code``."""
    message = _MESSAGES[code].format(path=_shown_path(path), **details)
    return Problem(code=code, message=message, path=path)


def _shown_path(path: str | None) -> str:
    """Path as shown to editors: invisible characters made visible."""
    if path is None:
        return ""
    return "".join(
        ch if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"} else f"\\u{ord(ch):04x}"
        for ch in path
    )


def _size(num_bytes: float) -> str:
    """Human size in Swedish style, e.g. ``12,5 MB``."""
    if num_bytes < 1024:
        return f"{int(num_bytes)} byte"
    value, unit = (num_bytes / 1024, "kB") if num_bytes < _MB else (num_bytes / _MB, "MB")
    text = f"{value:.1f}".removesuffix(".0").replace(".", ",")
    return f"{text} {unit}"


def _shown_value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


# -------------------------------------------------------------------- opening zips

_ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    IndexError,
    KeyError,
)


@contextmanager
def _open_zip(
    source: str | os.PathLike[str] | IO[bytes],
) -> Iterator[tuple[zipfile.ZipFile, int]]:
    """Open ``source`` (a path or a seekable binary file) as a zip; yield it and its size."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            with _open_zip_file(handle) as opened:
                yield opened
    else:
        with _open_zip_file(source) as opened:
            yield opened


@contextmanager
def _open_zip_file(handle: IO[bytes]) -> Iterator[tuple[zipfile.ZipFile, int]]:
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    if size == 0:
        raise PackageError([_problem("empty_file")])
    magic = handle.read(4)
    handle.seek(0)
    if magic not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise PackageError([_problem("not_a_zip")])
    try:
        zf = zipfile.ZipFile(handle)
    except _ZIP_ERRORS as exc:
        raise PackageError([_problem("corrupt_zip")]) from exc
    with zf:
        yield zf, size


def _fingerprint(infos: list[zipfile.ZipInfo]) -> tuple[tuple[Any, ...], ...]:
    """What must stay identical between validation and extraction."""
    return tuple(
        (
            info.orig_filename,
            info.CRC,
            info.file_size,
            info.compress_size,
            info.header_offset,
            info.compress_type,
            info.flag_bits,
            info.external_attr,
        )
        for info in infos
    )


# ------------------------------------------------------------- per-entry checking


def _name_problems(info: zipfile.ZipInfo) -> list[Problem]:
    """Unsafe or invalid entry names."""
    raw = info.orig_filename
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in raw):
        return [_problem("control_character_in_name", raw)]
    if "\\" in raw:
        return [_problem("backslash_in_name", raw)]
    if raw.startswith("/") or _DRIVE_LETTER.match(raw):
        return [_problem("absolute_path", raw)]
    parts = (raw[:-1] if raw.endswith("/") else raw).split("/")
    if ".." in parts:
        return [_problem("path_traversal", raw)]
    if not raw or any(part in ("", ".") for part in parts):
        return [_problem("invalid_name", raw)]
    too_long = any(len(part.encode("utf-8")) > _MAX_COMPONENT_BYTES for part in parts)
    if too_long or len(raw) > _MAX_NAME_CHARS:
        return [_problem("name_too_long", raw)]
    return []


def _kind_problems(info: zipfile.ZipInfo) -> list[Problem]:
    """Symlinks, special files, encryption and compression methods."""
    problems = []
    file_type = stat.S_IFMT(info.external_attr >> 16)
    if file_type == stat.S_IFLNK:
        problems.append(_problem("symlink", info.filename))
    elif file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        problems.append(_problem("special_file", info.filename))
    if info.flag_bits & _ENCRYPTED_FLAG:
        problems.append(_problem("encrypted_entry", info.filename))
    if info.compress_type not in _ALLOWED_METHODS:
        problems.append(
            _problem("unsupported_compression", info.filename, method=info.compress_type)
        )
    return problems


def _declared_size_problems(
    info: zipfile.ZipInfo, archive_size: int, limits: Limits
) -> list[Problem]:
    """Sizes from the central directory: per-file limit, ratio, bounds."""
    problems = []
    if info.file_size > limits.max_file_size:
        problems.append(
            _problem(
                "file_too_large",
                info.filename,
                size=_size(info.file_size),
                max=_size(limits.max_file_size),
            )
        )
    if _ratio_exceeded(info.file_size, info.compress_size, limits):
        problems.append(_problem("compression_ratio_too_high", info.filename, max=_ratio(limits)))
    end = info.header_offset + info.compress_size
    if info.header_offset < 0 or end > archive_size:
        problems.append(_problem("corrupt_entry", info.filename))
    return problems


def _ratio_exceeded(uncompressed: int, compressed: int, limits: Limits) -> bool:
    if uncompressed <= limits.ratio_min_size:
        return False
    return uncompressed > limits.max_ratio * max(compressed, 1)


def _ratio(limits: Limits) -> str:
    return f"{limits.max_ratio:g}"


def _entry_problems(info: zipfile.ZipInfo, archive_size: int, limits: Limits) -> list[Problem]:
    """Everything that can be said about one entry on its own."""
    name_problems = _name_problems(info)
    if name_problems:
        return name_problems
    return _kind_problems(info) + _declared_size_problems(info, archive_size, limits)


def _name_key(name: str) -> str:
    """Key under which two names collide on case-insensitive/normalising file systems."""
    return unicodedata.normalize("NFC", name).casefold()


def _clash_problems(infos: list[zipfile.ZipInfo]) -> list[Problem]:
    """Duplicate names, names differing only in case, and file/folder conflicts."""
    problems: list[Problem] = []
    seen_exact: set[str] = set()
    seen_folded: dict[str, str] = {}
    folders: set[str] = set()
    files: dict[str, str] = {}
    for info in infos:
        name = info.filename.rstrip("/")
        if name in seen_exact:
            problems.append(_problem("duplicate_name", info.filename))
            continue
        seen_exact.add(name)
        key = _name_key(name)
        if key in seen_folded:
            problems.append(_problem("case_duplicate_name", info.filename, other=seen_folded[key]))
            continue
        seen_folded[key] = info.filename
        parts = key.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        if info.filename.endswith("/"):  # ZipInfo.is_dir() fails on an empty name
            folders.add(key)
        else:
            files[key] = info.filename
    problems.extend(
        _problem("path_conflict", files[key]) for key in sorted(files.keys() & folders)
    )
    return problems


def _total_size_problems(infos: list[zipfile.ZipInfo], limits: Limits) -> list[Problem]:
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_size:
        return [_problem("total_too_large", size=_size(total), max=_size(limits.max_total_size))]
    return []


# ----------------------------------------------------------------- layout of a zip


def _is_ignored(name: str) -> bool:
    """H5P core skips every path with a component starting with '.' or '_'."""
    return any(part.startswith((".", "_")) for part in name.split("/") if part)


def _extension(name: str) -> str:
    """The last extension, lower-cased, without the dot ('' if none)."""
    base = name.rsplit("/", 1)[-1]
    if "." not in base.lstrip("."):
        return ""
    return base.rsplit(".", 1)[-1].lower()


@dataclass
class _Layout:
    """Sound entries sorted into the parts of an H5P package."""

    h5p_json: zipfile.ZipInfo | None = None
    content: list[zipfile.ZipInfo] = field(default_factory=list)
    libraries: dict[str, list[zipfile.ZipInfo]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    extract: list[int] = field(default_factory=list)
    by_name: dict[str, zipfile.ZipInfo] = field(default_factory=dict)

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """A content or library entry by its exact name."""
        return self.by_name.get(name)


def _classify(sound: list[tuple[int, zipfile.ZipInfo]]) -> _Layout:
    """Sort entries into h5p.json, content/, library folders and skipped ones."""
    layout = _Layout()
    for index, info in sound:
        name = info.filename
        if name == _H5P_JSON:
            layout.h5p_json = info
        elif _is_ignored(name) or "/" not in name:
            # H5P core neither checks nor unpacks these (e.g. H5P_CONTENT_HERE.txt).
            layout.skipped.append(name)
            continue
        elif name.split("/", 1)[0] == _CONTENT_DIR:
            layout.content.append(info)
        else:
            layout.libraries.setdefault(name.split("/", 1)[0], []).append(info)
        layout.by_name[name] = info
        layout.extract.append(index)
    return layout


def _file_type_problems(layout: _Layout) -> list[Problem]:
    """Whitelist check: content files vs. library files (last extension counts)."""
    problems = []
    groups: list[tuple[list[zipfile.ZipInfo], frozenset[str], str]] = [
        (layout.content, CONTENT_EXTENSIONS, "innehåll")
    ]
    groups += [
        (entries, LIBRARY_EXTENSIONS, "ett bibliotek") for entries in layout.libraries.values()
    ]
    for entries, allowed, where in groups:
        for info in entries:
            ext = _extension(info.filename)
            if not info.is_dir() and ext not in allowed:
                shown = f".{ext}" if ext else "ingen filändelse"
                problems.append(
                    _problem("file_type_not_allowed", info.filename, where=where, extension=shown)
                )
    return problems


# ---------------------------------------------------------------------- streaming


@dataclass
class _Budget:
    """Bytes actually decompressed so far in one pass over the archive."""

    used: int = 0


@contextmanager
def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[IO[bytes]]:
    """Open one member; zip-level failures become ``corrupt_entry``."""
    try:
        stream = zf.open(info)
    except _ZIP_ERRORS as exc:
        raise PackageError([_problem("corrupt_entry", info.filename)]) from exc
    with stream:
        yield stream


def _copy_limited(
    src: IO[bytes],
    write: Callable[[bytes], object],
    info: zipfile.ZipInfo,
    limits: Limits,
    budget: _Budget,
    max_size: int | None = None,
    too_large_code: str = "file_too_large",
) -> int:
    """Copy ``src`` to ``write`` in chunks, counting bytes actually decompressed.

    Stops with :class:`PackageError` as soon as the entry grows past its declared
    size, the per-file (or ``max_size``) limit, the total budget or the ratio limit.
    """
    cap = limits.max_file_size if max_size is None else max_size
    produced = 0
    while chunk := _read_chunk(src, info):
        produced += len(chunk)
        problem = _stream_problem(info, produced, cap, too_large_code, limits, budget)
        if problem is not None:
            raise PackageError([problem])
        write(chunk)
    if produced != info.file_size:
        raise PackageError([_problem("size_mismatch", info.filename)])
    budget.used += produced
    return produced


def _read_chunk(src: IO[bytes], info: zipfile.ZipInfo) -> bytes:
    try:
        return src.read(_CHUNK)
    except _ZIP_ERRORS as exc:
        raise PackageError([_problem("corrupt_entry", info.filename)]) from exc


def _stream_problem(
    info: zipfile.ZipInfo,
    produced: int,
    cap: int,
    too_large_code: str,
    limits: Limits,
    budget: _Budget,
) -> Problem | None:
    if produced > cap:
        return _problem(too_large_code, info.filename, size=f"mer än {_size(cap)}", max=_size(cap))
    if budget.used + produced > limits.max_total_size:
        return _problem(
            "total_too_large",
            size=f"mer än {_size(limits.max_total_size)}",
            max=_size(limits.max_total_size),
        )
    if _ratio_exceeded(produced, info.compress_size, limits):
        return _problem("compression_ratio_too_high", info.filename, max=_ratio(limits))
    if produced > info.file_size:
        return _problem("size_mismatch", info.filename)
    return None


# --------------------------------------------------------------------------- JSON


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _read_json(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: _Budget
) -> tuple[Any, list[Problem]]:
    """Stream a small JSON member (size-capped) and parse it; return (value, problems)."""
    if info.file_size > limits.max_json_size:
        return None, [_json_too_large(info, limits)]
    buffer = io.BytesIO()
    try:
        with _member(zf, info) as src:
            _copy_limited(
                src, buffer.write, info, limits, budget, limits.max_json_size, "json_too_large"
            )
    except PackageError as exc:
        return None, exc.errors
    return _parse_json(buffer.getvalue(), info.filename)


def _json_too_large(info: zipfile.ZipInfo, limits: Limits) -> Problem:
    return _problem(
        "json_too_large",
        info.filename,
        size=_size(info.file_size),
        max=_size(limits.max_json_size),
    )


def _parse_json(raw: bytes, path: str) -> tuple[Any, list[Problem]]:
    try:
        return json.loads(raw, parse_constant=_reject_constant), []
    except json.JSONDecodeError as exc:
        detail = f" (fel på rad {exc.lineno}, kolumn {exc.colno})"
        return None, [_problem("invalid_json", path, detail=detail)]
    except (ValueError, RecursionError):
        return None, [_problem("invalid_json", path, detail="")]


def _read_json_object(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: _Budget
) -> tuple[dict[str, Any] | None, list[Problem]]:
    value, problems = _read_json(zf, info, limits, budget)
    if problems:
        return None, problems
    if not isinstance(value, dict):
        return None, [_problem("json_not_object", info.filename)]
    return value, []


# -------------------------------------------------------------- field validation


def _version_number(value: Any) -> int | None:
    """H5P versions: an int or a digit string of at most 5 digits (not a bool)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value <= 99_999:
        return value
    if isinstance(value, str) and _VERSION_TEXT.fullmatch(value):
        return int(value)
    return None


def _field_problem(data: Mapping[str, Any], key: str, path: str) -> Problem:
    if key not in data or data[key] is None:
        return _problem("missing_field", path, field=key)
    return _problem("invalid_field", path, field=key, value=_shown_value(data[key]))


def _text(
    data: Mapping[str, Any], key: str, path: str, pattern: re.Pattern[str] | None = None
) -> tuple[str | None, list[Problem]]:
    """A required single-line string of 1-255 characters (optionally matching ``pattern``)."""
    value = data.get(key)
    valid = isinstance(value, str) and 0 < len(value) <= 255 and "\n" not in value
    if valid and pattern is not None:
        valid = bool(pattern.fullmatch(value))
    if not valid:
        return None, [_field_problem(data, key, path)]
    return value, []


def _library_ref(item: Any, path: str, key: str) -> tuple[LibraryRef | None, list[Problem]]:
    """One ``{machineName, majorVersion, minorVersion}`` dependency entry."""
    if not isinstance(item, dict):
        return None, [_problem("invalid_field", path, field=key, value=_shown_value(item))]
    name, problems = _text(item, "machineName", path, _MACHINE_NAME)
    major = _version_number(item.get("majorVersion"))
    minor = _version_number(item.get("minorVersion"))
    for sub, number in (("majorVersion", major), ("minorVersion", minor)):
        if number is None:
            problems.append(_field_problem(item, sub, path))
    if problems or name is None or major is None or minor is None:
        return None, problems
    return LibraryRef(name, major, minor), []


def _dependencies(
    data: Mapping[str, Any], key: str, path: str, required: bool = False
) -> tuple[list[LibraryRef], list[Problem]]:
    """A list of dependency entries; missing is fine unless ``required``."""
    value = data.get(key)
    if value is None and not required:
        return [], []
    if not isinstance(value, list) or (required and not value):
        return [], [_field_problem(data, key, path)]
    refs: list[LibraryRef] = []
    problems: list[Problem] = []
    for item in value:
        ref, item_problems = _library_ref(item, path, key)
        problems += item_problems
        if ref is not None:
            refs.append(ref)
    return refs, problems


def _core_api_problems(data: Mapping[str, Any], path: str, what: str) -> list[Problem]:
    """``coreApi`` newer than :data:`SUPPORTED_CORE_API` is refused."""
    core_api = data.get("coreApi")
    if core_api is None or core_api == {} or core_api == []:
        return []
    if not isinstance(core_api, dict):
        return [_field_problem(data, "coreApi", path)]
    major = _version_number(core_api.get("majorVersion"))
    minor = _version_number(core_api.get("minorVersion"))
    if major is None or minor is None:
        return [_field_problem(data, "coreApi", path)]
    if (major, minor) > SUPPORTED_CORE_API:
        supported = "{}.{}".format(*SUPPORTED_CORE_API)
        return [
            _problem(
                "core_api_unsupported",
                path,
                what=what,
                required=f"{major}.{minor}",
                supported=supported,
            )
        ]
    return []


# ----------------------------------------------------------------------- h5p.json


@dataclass(frozen=True)
class _MainInfo:
    title: str
    language: str
    main_library: LibraryRef
    preloaded: tuple[LibraryRef, ...]


def _validate_h5p_json(data: dict[str, Any]) -> tuple[_MainInfo | None, list[Problem]]:
    """Required fields of h5p.json (H5PValidator::$h5pRequired) and coreApi."""
    path = _H5P_JSON
    title, problems = _text(data, "title", path)
    language, language_problems = _text(data, "language", path, _LANGUAGE_CODE)
    main_name, main_problems = _text(data, "mainLibrary", path, _MAIN_LIBRARY)
    preloaded, dep_problems = _dependencies(data, "preloadedDependencies", path, required=True)
    problems += language_problems + main_problems + dep_problems + _embed_type_problems(data)
    problems += _core_api_problems(data, path, "Paketet")
    main = next((ref for ref in preloaded if ref.machine_name == main_name), None)
    if main_name is not None and not dep_problems and main is None:
        problems.append(_problem("main_library_not_listed", path, name=main_name))
    if problems or title is None or language is None or main is None:
        return None, problems
    return _MainInfo(title, language, main, tuple(preloaded)), []


def _embed_type_problems(data: Mapping[str, Any]) -> list[Problem]:
    value = data.get("embedTypes")
    if (
        not isinstance(value, list)
        or not value
        or not all(item in ("div", "iframe") for item in value)
    ):
        return [_field_problem(data, "embedTypes", _H5P_JSON)]
    return []


# ---------------------------------------------------------------------- libraries


_LIBRARY_REQUIRED_VERSIONS = ("majorVersion", "minorVersion", "patchVersion")


def _library_json_problems(data: dict[str, Any], path: str) -> list[Problem]:
    """Required fields of library.json (H5PValidator::$libraryRequired) and deps."""
    _, problems = _text(data, "title", path)
    problems += _text(data, "machineName", path, _MACHINE_NAME)[1]
    for key in _LIBRARY_REQUIRED_VERSIONS:
        if _version_number(data.get(key)) is None:
            problems.append(_field_problem(data, key, path))
    if _version_number(data.get("runnable")) not in (0, 1):
        problems.append(_field_problem(data, "runnable", path))
    for key in ("preloadedDependencies", "dynamicDependencies", "editorDependencies"):
        problems += _dependencies(data, key, path)[1]
    title = data.get("title") if isinstance(data.get("title"), str) else path
    problems += _core_api_problems(data, path, f'Biblioteket "{title}"')
    return problems


def _asset_problems(data: Mapping[str, Any], folder: str, layout: _Layout) -> list[Problem]:
    """preloadedJs/preloadedCss must be valid paths to files inside the library."""
    problems: list[Problem] = []
    path = f"{folder}/library.json"
    for key, pattern in _ASSET_PATH.items():
        items = data.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(_field_problem(data, key, path))
            continue
        for item in items:
            file = item.get("path") if isinstance(item, dict) else None
            if not isinstance(file, str) or not pattern.fullmatch(file):
                problems.append(
                    _problem("invalid_field", path, field=key, value=_shown_value(item))
                )
            elif layout.find(f"{folder}/{file.replace(chr(92), '/').lstrip('/')}") is None:
                problems.append(_problem("library_file_missing", path, library=folder, file=file))
    return problems


def _library_extra_json_problems(
    zf: zipfile.ZipFile,
    folder: str,
    entries: list[zipfile.ZipInfo],
    limits: Limits,
    budget: _Budget,
) -> list[Problem]:
    """semantics.json and language/*.json must be valid JSON (as in H5P core)."""
    problems: list[Problem] = []
    for info in entries:
        if info.is_dir():
            continue
        relative = info.filename[len(folder) + 1 :]
        if relative.startswith("language/") and relative.count("/") == 1:
            if not _LANGUAGE_FILE.fullmatch(relative.split("/", 1)[1]):
                problems.append(_problem("invalid_language_file", info.filename))
                continue
        elif relative != "semantics.json":
            continue
        problems += _read_json(zf, info, limits, budget)[1]
    return problems


def _read_library(
    zf: zipfile.ZipFile, folder: str, layout: _Layout, limits: Limits, budget: _Budget
) -> tuple[Library | None, list[Problem]]:
    """Validate one library folder and its library.json."""
    match = _LIBRARY_FOLDER.fullmatch(folder)
    if match is None:
        return None, [_problem("invalid_library_folder", folder)]
    info = layout.find(f"{folder}/library.json")
    if info is None:
        return None, [_problem("missing_library_json", folder)]
    data, problems = _read_json_object(zf, info, limits, budget)
    if data is None:
        return None, problems
    problems = _library_json_problems(data, info.filename)
    if problems:
        return None, problems
    ref = LibraryRef(
        data["machineName"],
        _version_number(data["majorVersion"]),
        _version_number(data["minorVersion"]),
    )
    if ref.folder_name != folder:
        return None, [
            _problem("library_folder_mismatch", folder, found=str(ref), expected=ref.folder_name)
        ]
    entries = layout.libraries[folder]
    problems = _asset_problems(data, folder, layout)
    problems += _library_extra_json_problems(zf, folder, entries, limits, budget)
    files = tuple(entry.filename for entry in entries if not entry.is_dir())
    return Library(ref=ref, metadata=data, files=files), problems


def _installed_predicate(installed: Installed) -> Callable[[LibraryRef], bool]:
    if callable(installed):
        return lambda ref: bool(installed(ref))
    known = frozenset((str(name), int(major), int(minor)) for name, major, minor in installed)
    return lambda ref: ref in known


def _dependency_problems(
    main: _MainInfo,
    libraries: Mapping[LibraryRef, Library],
    folders: Collection[str],
    installed: Installed,
) -> list[Problem]:
    """Main library and every preloaded dependency (of h5p.json and of shipped libraries).

    A library whose folder is in the package counts as present even if it was
    invalid: its own problems are reported separately.
    """
    is_installed = _installed_predicate(installed)

    def available(ref: LibraryRef) -> bool:
        return ref in libraries or ref.folder_name in folders or is_installed(ref)

    if not available(main.main_library):
        return [_problem("missing_main_library", _H5P_JSON, library=str(main.main_library))]
    problems: list[Problem] = []
    reported: set[LibraryRef] = set()
    needs = [(ref, "innehållet", _H5P_JSON) for ref in main.preloaded]
    for library in libraries.values():
        path = f"{library.ref.folder_name}/library.json"
        needs += [(ref, str(library.ref), path) for ref in library.preloaded_dependencies]
    for ref, needed_by, path in needs:
        if not available(ref) and ref not in reported:
            reported.add(ref)
            problems.append(
                _problem("missing_dependency", path, library=str(ref), needed_by=needed_by)
            )
    return problems


# ------------------------------------------------------------------------ content


def _external_media(content: Any) -> tuple[str, ...]:
    """http(s) URLs in ``path`` fields, in document order, without duplicates."""
    found: dict[str, None] = {}
    stack: list[Any] = [content]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            path = node.get("path")
            if isinstance(path, str) and _EXTERNAL_URL.match(path.strip()):
                found.setdefault(path.strip())
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return tuple(found)


# ------------------------------------------------------------------------- inspect


def _entry_pass(
    infos: list[zipfile.ZipInfo], archive_size: int, limits: Limits
) -> tuple[list[tuple[int, zipfile.ZipInfo]], list[Problem]]:
    """Central-directory checks; returns the sound entries and all problems."""
    if not infos:
        raise PackageError([_problem("empty_archive")])
    if len(infos) > limits.max_entries:
        raise PackageError(
            [_problem("too_many_entries", count=len(infos), max=limits.max_entries)]
        )
    problems: list[Problem] = []
    sound = []
    for index, info in enumerate(infos):
        entry_problems = _entry_problems(info, archive_size, limits)
        problems += entry_problems
        if not entry_problems:
            sound.append((index, info))
    problems += _clash_problems(infos)
    problems += _total_size_problems(infos, limits)
    return sound, problems


def _inspect(
    zf: zipfile.ZipFile,
    archive_size: int,
    source: str | os.PathLike[str] | IO[bytes],
    limits: Limits,
    installed: Installed,
) -> Package:
    """Validate everything that can be validated without extracting."""
    infos = zf.infolist()
    sound, errors = _entry_pass(infos, archive_size, limits)
    layout = _classify(sound)
    errors += _file_type_problems(layout)
    budget = _Budget()

    main: _MainInfo | None = None
    metadata: dict[str, Any] | None = None
    if layout.h5p_json is None:
        errors.append(_problem("missing_h5p_json"))
    else:
        metadata, problems = _read_json_object(zf, layout.h5p_json, limits, budget)
        if metadata is not None:
            main, problems = _validate_h5p_json(metadata)
        errors += problems

    content_info = layout.find(_CONTENT_JSON)
    content: dict[str, Any] | None = None
    if content_info is None:
        errors.append(_problem("missing_content_json"))
    else:
        content, problems = _read_json_object(zf, content_info, limits, budget)
        errors += problems

    libraries: dict[LibraryRef, Library] = {}
    for folder in layout.libraries:
        library, problems = _read_library(zf, folder, layout, limits, budget)
        errors += problems
        if library is not None:
            libraries[library.ref] = library

    if main is not None:
        errors += _dependency_problems(main, libraries, layout.libraries.keys(), installed)
    if errors or main is None or metadata is None or content is None:
        raise PackageError(errors)

    external = _external_media(content)
    return Package(
        title=main.title,
        language=main.language,
        main_library=main.main_library,
        preloaded_dependencies=main.preloaded,
        libraries=libraries,
        content_files=tuple(info.filename for info in layout.content if not info.is_dir()),
        external_media=external,
        warnings=tuple(_problem("external_media", _CONTENT_JSON, url=url) for url in external),
        metadata=metadata,
        content=content,
        skipped=tuple(layout.skipped),
        entry_count=len(infos),
        uncompressed_size=sum(info.file_size for info in infos),
        limits=limits,
        _source=source,
        _fingerprint=_fingerprint(infos),
        _to_extract=tuple(layout.extract),
    )


# ---------------------------------------------------------------------- extraction


def _check_destination(dest: Path) -> None:
    """``dest`` must not exist, or be an empty real directory; its parent must exist."""
    if not dest.parent.is_dir() or dest.name in ("", ".", ".."):
        raise PackageError([_problem("destination_invalid", str(dest))])
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise PackageError([_problem("destination_invalid", str(dest))])
    if dest.is_dir() and any(dest.iterdir()):
        raise PackageError([_problem("destination_not_empty", str(dest))])


def _inside(root: Path, target: Path) -> Path:
    """Resolve ``target`` and make sure it stays within ``root``."""
    resolved = target.resolve()
    if resolved != root and root not in resolved.parents:
        raise PackageError([_problem("path_traversal", str(target.relative_to(root)))])
    return resolved


_WRITE_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _write_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path, limits: Limits, budget: _Budget
) -> None:
    """Stream one member to its place below ``root`` (never overwriting anything)."""
    target = root.joinpath(*PurePosixPath(info.filename).parts)
    if info.is_dir():
        target.mkdir(mode=0o755, parents=True, exist_ok=True)
        _inside(root, target)
        return
    target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    target = _inside(root, target.parent) / target.name
    fd = os.open(target, _WRITE_FLAGS, 0o644)
    with os.fdopen(fd, "wb") as out, _member(zf, info) as src:
        _copy_limited(src, out.write, info, limits, budget)


def _extract(zf: zipfile.ZipFile, package: Package, dest: Path) -> Path:
    """Extract into a temporary sibling of ``dest``; rename into place when all went well."""
    dest = Path(os.path.abspath(dest))
    _check_destination(dest)
    temp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent))
    try:
        root = temp.resolve()
        budget = _Budget()
        infos = zf.infolist()
        for index in package._to_extract:
            _write_member(zf, infos[index], root, package.limits, budget)
        # mkdtemp makes it 0o700; the web server must be able to read the files.
        os.chmod(temp, 0o755)  # noqa: S103
        _move_into_place(temp, dest)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return dest


def _move_into_place(temp: Path, dest: Path) -> None:
    """Atomic rename; on POSIX this also replaces an empty directory at ``dest``."""
    try:
        os.rename(temp, dest)
    except OSError as exc:
        raise PackageError([_problem("destination_not_empty", str(dest))]) from exc


# ----------------------------------------------------------------------- public API


def open_package(
    source: str | os.PathLike[str] | IO[bytes],
    limits: Limits = DEFAULT_LIMITS,
    installed: Installed = frozenset(),
) -> Package:
    """Open and validate an ``.h5p`` file (a path or a seekable binary file object).

    Checks the central directory (names, kinds, sizes, ratios, file types) and
    parses h5p.json, content/content.json and every library's library.json
    (plus semantics.json and language files). ``installed`` names libraries the
    platform already has. Nothing is extracted. Raises :class:`PackageError`
    listing every problem found.
    """
    with _open_zip(source) as (zf, size):
        return _inspect(zf, size, source, limits, installed)


def extract(
    source: str | os.PathLike[str] | IO[bytes],
    dest: str | os.PathLike[str],
    limits: Limits = DEFAULT_LIMITS,
    installed: Installed = frozenset(),
) -> Package:
    """Validate ``source`` and extract it into ``dest`` in one go.

    ``dest`` must not exist (or be an empty directory); its parent must exist.
    On any failure nothing is left behind. Raises :class:`PackageError`.
    """
    with _open_zip(source) as (zf, size):
        package = _inspect(zf, size, source, limits, installed)
        _extract(zf, package, Path(dest))
    return package
