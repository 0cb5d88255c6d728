"""Tests for h5p.package: a strict reader for .h5p zips (no Django needed)."""

from __future__ import annotations

import io
import json
import re
import stat
import tempfile
import time
import tracemalloc
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from h5p.package import (
    DEFAULT_LIMITS,
    SUPPORTED_CORE_API,
    LibraryRef,
    Limits,
    PackageError,
    _Budget,
    _copy_limited,
    extract,
    open_package,
)

from .builders import (
    DIRECTORY,
    REGULAR,
    STORED,
    SYMLINK,
    Member,
    deflated_zeros,
    dumps,
    h5p_json,
    library_files,
    library_json,
    package_bytes,
    raw_zip,
    valid_files,
    valid_package,
    zero_bomb,
)

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "h5p"
MB = 1024 * 1024
TEST = LibraryRef("H5P.Test", 1, 2)
HELPER = LibraryRef("H5P.Helper", 2, 0)


# ------------------------------------------------------------------- helpers


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "paket.h5p"
    path.write_bytes(data)
    return path


def rejected(
    tmp_path: Path,
    data: bytes,
    code: str,
    limits: Limits = DEFAULT_LIMITS,
    installed: frozenset[tuple[str, int, int]] = frozenset(),
) -> PackageError:
    """Extraction must fail with ``code`` and leave neither destination nor temp dir."""
    source = write(tmp_path, data)
    parent = tmp_path / "sites"
    parent.mkdir()
    dest = parent / "innehall-1"
    with pytest.raises(PackageError) as caught:
        extract(source, dest, limits, installed)
    error = caught.value
    assert code in error.codes, error.codes
    assert not dest.exists()
    assert list(parent.iterdir()) == [], "temporary directory left behind"
    for problem in error.errors:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", problem.code)
        assert problem.message and problem.message in str(error)
    return error


def files_below(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# ------------------------------------------------------------- valid packages


def test_open_valid_package_reads_metadata(tmp_path: Path) -> None:
    package = open_package(write(tmp_path, valid_package()))

    assert package.title == "Hej världen"
    assert package.language == "und"
    assert package.main_library == TEST
    assert package.main_library == ("H5P.Test", 1, 2)
    assert package.preloaded_dependencies == (TEST, HELPER)
    assert set(package.libraries) == {TEST, HELPER}
    library = package.libraries[TEST]
    assert library.metadata["machineName"] == "H5P.Test"
    assert library.title == "H5P.Test title"
    assert library.patch_version == 3
    assert library.runnable
    assert not package.libraries[HELPER].runnable
    assert library.preloaded_dependencies == (HELPER,)
    assert set(library.files) == {
        "H5P.Test-1.2/library.json",
        "H5P.Test-1.2/scripts/main.js",
        "H5P.Test-1.2/styles/main.css",
    }
    assert package.content_files == ("content/content.json", "content/images/bar.png")
    assert package.content["image"] == {"path": "images/bar.png"}
    assert package.metadata["license"] == "U"
    assert package.external_media == ()
    assert package.warnings == ()
    assert package.skipped == ()
    assert package.entry_count == len(valid_files())


def test_library_ref() -> None:
    ref = LibraryRef("H5P.TrueFalse", 1, 8)
    assert ref.folder_name == "H5P.TrueFalse-1.8"
    assert str(ref) == "H5P.TrueFalse 1.8"
    assert ref in {("H5P.TrueFalse", 1, 8)}


def test_extract_writes_exactly_the_package(tmp_path: Path) -> None:
    dest = tmp_path / "ut"
    package = extract(write(tmp_path, valid_package()), dest)

    assert files_below(dest) == set(valid_files())
    for name, data in valid_files().items():
        assert (dest / name).read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paket.h5p", "ut"]
    assert stat.S_IMODE(dest.stat().st_mode) == 0o755
    assert package.main_library == TEST


def test_extract_into_existing_empty_directory(tmp_path: Path) -> None:
    dest = tmp_path / "ut"
    dest.mkdir()
    open_package(write(tmp_path, valid_package())).extract_to(dest)
    assert (dest / "content" / "content.json").is_file()


def test_file_object_source(tmp_path: Path) -> None:
    source = io.BytesIO(valid_package())
    package = open_package(source)
    package.extract_to(tmp_path / "ut")
    assert files_below(tmp_path / "ut") == set(valid_files())


def test_quirks_of_real_packages_are_accepted(tmp_path: Path) -> None:
    files = valid_files()
    files["h5p.json"] = dumps(h5p_json(coreApi={"majorVersion": 1, "minorVersion": 24}))
    files.update(library_files("H5PEditor.Test", 1, 0, runnable=0))
    editor_meta = library_json(
        "H5PEditor.Test", 1, 0, runnable=0, coreApi={"majorVersion": "1", "minorVersion": "24"}
    )
    files["H5PEditor.Test-1.0/library.json"] = dumps(editor_meta)
    files["H5PEditor.Test-1.0/icon.svg"] = b"<svg/>"
    files["H5PEditor.Test-1.0/semantics.json"] = dumps([{"name": "x", "type": "text"}])
    files["H5PEditor.Test-1.0/language/sv.json"] = dumps({"semantics": []})
    files["H5PEditor.Test-1.0/language/zh-hans.json"] = dumps({"semantics": []})
    files["H5P.Test-1.2/ckeditor.diff"] = b"--- a\n+++ b\n"
    files["H5P.Test-1.2/fix.patch"] = b"--- a\n+++ b\n"
    files["H5P.Test-1.2/README.md"] = b"# Test\n"
    files["H5P_CONTENT_HERE.txt"] = b"stray file from an editor export"
    files["__MACOSX/content/._bar.png"] = b"\0\5\26\7"
    files[".DS_Store"] = b"\0\0\0\1Bud1"
    files["content/.DS_Store"] = b"\0\0\0\1Bud1"
    dirs = ["content/", "content/images/", "H5P.Test-1.2/", "H5P.Test-1.2/scripts/"]
    extra = [Member(name, method=STORED, external_attr=DIRECTORY) for name in dirs]
    dest = tmp_path / "ut"

    package = extract(write(tmp_path, package_bytes(files, extra)), dest)

    assert LibraryRef("H5PEditor.Test", 1, 0) in package.libraries
    assert set(package.skipped) == {
        "H5P_CONTENT_HERE.txt",
        "__MACOSX/content/._bar.png",
        ".DS_Store",
        "content/.DS_Store",
    }
    extracted = files_below(dest)
    assert extracted.isdisjoint(package.skipped)
    assert "H5PEditor.Test-1.0/icon.svg" in extracted
    assert "H5P.Test-1.2/ckeditor.diff" in extracted
    assert (dest / "H5P.Test-1.2" / "scripts").is_dir()


def test_version_numbers_may_be_integers_or_strings(tmp_path: Path) -> None:
    deps = [
        {"machineName": "H5P.Test", "majorVersion": 1, "minorVersion": "2"},
        {"machineName": "H5P.Helper", "majorVersion": "2", "minorVersion": 0},
    ]
    data = valid_package({"h5p.json": dumps(h5p_json(preloadedDependencies=deps))})
    assert open_package(write(tmp_path, data)).preloaded_dependencies == (TEST, HELPER)


def test_fifteen_hundred_entries_and_ten_megabytes(tmp_path: Path) -> None:
    files = valid_files()
    blob = zlib.compress(b"x")  # varied bytes, stored: cheap to build, ~10 MB unpacked
    for i in range(1_500 - len(files)):
        files[f"content/images/bild-{i}.png"] = blob * 800
    members = [Member(name, data, method=STORED) for name, data in files.items()]
    data = raw_zip(members)

    started = time.monotonic()
    package = extract(write(tmp_path, data), tmp_path / "ut")

    assert package.entry_count == 1_500
    assert package.uncompressed_size > 9 * MB
    assert len(files_below(tmp_path / "ut")) == 1_500
    assert time.monotonic() - started < 5


def test_installed_libraries_satisfy_dependencies(tmp_path: Path) -> None:
    replace = {name: None for name in valid_files() if name.startswith("H5P.Helper-2.0/")}
    data = valid_package(replace)

    source = write(tmp_path, data)

    package = open_package(source, installed={("H5P.Helper", 2, 0)})
    assert set(package.libraries) == {TEST}
    assert open_package(source, installed=lambda ref: ref == HELPER).main_library == TEST
    with pytest.raises(PackageError) as caught:
        open_package(source, installed={("H5P.Helper", 2, 1)})
    assert caught.value.codes == ["missing_dependency"]
    assert caught.value.errors[0].message == (
        "Biblioteket H5P.Helper 2.0, som behövs av innehållet, finns varken i paketet "
        "eller på plattformen."
    )


def test_external_media_is_reported_as_warning(tmp_path: Path) -> None:
    content = {
        "interactiveVideo": {
            "video": {
                "files": [
                    {
                        "path": "https://h5p.org/sites/default/files/h5p/iv.webm",
                        "mime": "video/webm",
                    },
                    {"path": "http://example.org/iv.mp4", "mime": "video/mp4"},
                    {"path": "https://h5p.org/sites/default/files/h5p/iv.webm"},
                ]
            },
            "poster": {"path": "images/bar.png"},
        }
    }
    data = valid_package({"content/content.json": dumps(content)})

    package = open_package(write(tmp_path, data))

    assert package.external_media == (
        "https://h5p.org/sites/default/files/h5p/iv.webm",
        "http://example.org/iv.mp4",
    )
    assert [w.code for w in package.warnings] == ["external_media", "external_media"]
    assert package.warnings[0].path == "content/content.json"
    assert "https://h5p.org/sites/default/files/h5p/iv.webm" in package.warnings[0].message


# ---------------------------------------------------------------- bad archives


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        ("Hej, det här är ingen zip-fil.".encode(), "not_a_zip"),
        (b"%PDF-1.7\n" + b"\0" * 100, "not_a_zip"),
        (valid_package()[:30], "corrupt_zip"),
        (valid_package()[: len(valid_package()) // 2], "corrupt_zip"),
        (valid_package()[:-1], "corrupt_zip"),
        (raw_zip([]), "empty_archive"),
    ],
    ids=["empty", "text", "pdf", "header-only", "half", "last-byte-missing", "empty-zip"],
)
def test_unreadable_files(tmp_path: Path, data: bytes, code: str) -> None:
    error = rejected(tmp_path, data, code)
    assert len(error.errors) == 1


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("../evil.js", "path_traversal"),
        ("content/../../evil.png", "path_traversal"),
        ("content/a/../b.png", "path_traversal"),
        ("H5P.Test-1.2/..", "path_traversal"),
        ("/etc/evil.json", "absolute_path"),
        ("C:/Windows/evil.png", "absolute_path"),
        ("content\\..\\evil.png", "backslash_in_name"),
        ("content\\bild.png", "backslash_in_name"),
        ("content/./bild.png", "invalid_name"),
        ("content//bild.png", "invalid_name"),
        ("content/bild\x01.png", "control_character_in_name"),
        (b"content/evil.php\x00.png", "control_character_in_name"),
        ("content/bild\u202egnp.exe", "control_character_in_name"),
        ("content/" + "a" * 300 + ".png", "name_too_long"),
    ],
)
def test_unsafe_names(tmp_path: Path, name: str | bytes, code: str) -> None:
    data = valid_package(extra=[Member(name, b"x")])
    rejected(tmp_path, data, code)


@pytest.mark.parametrize(
    ("member", "code"),
    [
        (Member("content/link.png", b"/etc/passwd", external_attr=SYMLINK), "symlink"),
        (Member("H5P.Test-1.2/link", b"../../..", external_attr=SYMLINK), "symlink"),
        (Member("content/fifo.png", external_attr=(stat.S_IFIFO | 0o644) << 16), "special_file"),
        (Member("content/secret.png", b"x", flags=0x1), "encrypted_entry"),
        (Member("content/bzip.png", b"x", method=12), "unsupported_compression"),
        (Member("content/lzma.png", b"x", method=14), "unsupported_compression"),
        (Member("content/odd.png", b"x", method=99), "unsupported_compression"),
        (Member("content/images/bar.png", b"again"), "duplicate_name"),
        (Member("content/images/BAR.png", b"x"), "case_duplicate_name"),
        (Member("content/images/bar.png/x.png", b"x"), "path_conflict"),
    ],
)
def test_forbidden_entries(tmp_path: Path, member: Member, code: str) -> None:
    rejected(tmp_path, valid_package(extra=[member]), code)


def test_names_equal_after_unicode_normalisation_are_case_duplicates(tmp_path: Path) -> None:
    nfc = "content/bär.png"
    nfd = unicodedata.normalize("NFD", nfc)
    data = valid_package(extra=[Member(nfc, b"1"), Member(nfd, b"2")])
    rejected(tmp_path, data, "case_duplicate_name")


@pytest.mark.parametrize(
    "name",
    [
        "content/evil.php",
        "content/sida.html",
        "content/video.swf",
        "content/bild.svg",
        "content/x.png.html",
        "content/README",
        "H5P.Test-1.2/tool.exe",
        "H5P.Test-1.2/scripts/shell.php",
        "H5P.Test-1.2/index.html",
    ],
)
def test_disallowed_file_types(tmp_path: Path, name: str) -> None:
    error = rejected(tmp_path, valid_package(extra=[Member(name, b"x")]), "file_type_not_allowed")
    assert [p.path for p in error.errors] == [name]


def test_file_type_message_is_plain_swedish(tmp_path: Path) -> None:
    error = rejected(
        tmp_path,
        valid_package(extra=[Member("content/bild.svg", b"<svg/>")]),
        "file_type_not_allowed",
    )
    assert error.errors[0].message == (
        "Filen content/bild.svg har en filtyp som inte är tillåten i innehåll (.svg)."
    )


# --------------------------------------------------------------- limits, bombs


def test_ratio_bomb_is_refused_from_the_central_directory(tmp_path: Path) -> None:
    data = valid_package(extra=[zero_bomb("content/video.mp4", 300)])
    tracemalloc.start()
    try:
        error = rejected(tmp_path, data, "compression_ratio_too_high")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert {"file_too_large", "total_too_large"} <= set(error.codes)
    assert peak < 8 * MB


def test_ratio_is_checked_below_the_size_limits(tmp_path: Path) -> None:
    error = rejected(
        tmp_path,
        valid_package(extra=[zero_bomb("content/video.mp4", 20)]),
        "compression_ratio_too_high",
    )
    assert "file_too_large" not in error.codes


def test_lying_sizes_are_stopped_while_streaming(tmp_path: Path) -> None:
    """300 MB of zeros declared as 1,000 bytes: the CRC check stops it early."""
    data = valid_package(extra=[zero_bomb("content/video.mp4", 300, declared_size=1000)])
    assert open_package(write(tmp_path, data))  # the central directory looks harmless
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = rejected(tmp_path, data, "corrupt_entry")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.errors[0].path == "content/video.mp4"
    assert peak < 8 * MB
    assert time.monotonic() - started < 2


def test_lying_json_is_stopped_while_validating(tmp_path: Path) -> None:
    payload, _, _ = deflated_zeros(300)
    member = Member("content/content.json", payload=payload, size=100, crc=0)
    files = valid_files()
    del files["content/content.json"]
    rejected(tmp_path, package_bytes(files, [member]), "corrupt_entry")


def test_never_more_than_the_declared_size_is_written(tmp_path: Path) -> None:
    payload, _, _ = deflated_zeros(300)
    member = Member("content/video.mp4", payload=payload, size=1000, crc=zlib.crc32(bytes(1000)))
    dest = tmp_path / "ut"
    extract(write(tmp_path, valid_package(extra=[member])), dest)
    assert (dest / "content" / "video.mp4").stat().st_size == 1000


class EndlessZeros(io.RawIOBase):
    """A member stream that never ends (what a lying entry could produce)."""

    def __init__(self) -> None:
        self.served = 0

    def read(self, size: int = -1) -> bytes:
        self.served += size
        return bytes(size)


@pytest.mark.parametrize(
    ("declared", "limits", "code"),
    [
        (10, Limits(), "size_mismatch"),
        (10**12, Limits(max_file_size=MB), "file_too_large"),
        (10**12, Limits(max_total_size=MB), "total_too_large"),
        (10**12, Limits(ratio_min_size=MB), "compression_ratio_too_high"),
    ],
)
def test_streaming_guard_counts_actual_bytes(declared: int, limits: Limits, code: str) -> None:
    info = zipfile.ZipInfo("content/video.mp4")
    info.file_size, info.compress_size = declared, 1000
    stream = EndlessZeros()
    written = []
    with pytest.raises(PackageError) as caught:
        _copy_limited(stream, written.append, info, limits, _Budget())
    assert caught.value.codes == [code]
    assert sum(map(len, written)) <= max(MB, 10)
    assert stream.served <= 2 * MB


def test_too_many_entries_default_limit(tmp_path: Path) -> None:
    members = [Member(f"content/images/{i}.png", method=STORED) for i in range(5_001)]
    error = rejected(tmp_path, valid_package(extra=members), "too_many_entries")
    assert len(error.errors) == 1


@pytest.mark.parametrize(
    ("limits", "code"),
    [
        (Limits(max_entries=5), "too_many_entries"),
        (Limits(max_total_size=500), "total_too_large"),
        (Limits(max_file_size=60), "file_too_large"),
        (Limits(max_json_size=50), "json_too_large"),
    ],
)
def test_configurable_limits(tmp_path: Path, limits: Limits, code: str) -> None:
    rejected(tmp_path, valid_package(), code, limits=limits)


# ------------------------------------------------------------ h5p.json, content


@pytest.mark.parametrize(
    ("replace", "code"),
    [
        ({"h5p.json": None}, "missing_h5p_json"),
        ({"h5p.json": b"{'title': 'x'}"}, "invalid_json"),
        ({"h5p.json": b"[]"}, "json_not_object"),
        (
            {"h5p.json": dumps({k: v for k, v in h5p_json().items() if k != "title"})},
            "missing_field",
        ),
        ({"h5p.json": dumps(h5p_json(language="svenska språket"))}, "invalid_field"),
        ({"h5p.json": dumps(h5p_json(embedTypes=["object"]))}, "invalid_field"),
        ({"h5p.json": dumps(h5p_json(embedTypes=[]))}, "invalid_field"),
        ({"h5p.json": dumps(h5p_json(preloadedDependencies=[]))}, "invalid_field"),
        ({"h5p.json": dumps(h5p_json(mainLibrary="H5P.Other"))}, "main_library_not_listed"),
        (
            {"h5p.json": dumps(h5p_json(coreApi={"majorVersion": 1, "minorVersion": 25}))},
            "core_api_unsupported",
        ),
        ({"content/content.json": None}, "missing_content_json"),
        ({"content/content.json": b'{"text": "ofullst'}, "invalid_json"),
        ({"content/content.json": b'{"score": NaN}'}, "invalid_json"),
        ({"content/content.json": b"[" * 100_000 + b"]" * 100_000}, "invalid_json"),
        ({"content/content.json": b"\xff\xfe\x00garbage"}, "invalid_json"),
        ({"content/content.json": b"null"}, "json_not_object"),
    ],
)
def test_invalid_h5p_json_or_content(
    tmp_path: Path, replace: dict[str, bytes | None], code: str
) -> None:
    rejected(tmp_path, valid_package(replace), code)


def test_missing_h5p_json_when_repacked_inside_a_folder(tmp_path: Path) -> None:
    files = {f"mitt-paket/{name}": data for name, data in valid_files().items()}
    error = rejected(tmp_path, package_bytes(files), "missing_h5p_json")
    assert "missing_content_json" in error.codes


# ------------------------------------------------------------------- libraries


def without_folder(folder: str) -> dict[str, bytes | None]:
    return {name: None for name in valid_files() if name.startswith(folder + "/")}


@pytest.mark.parametrize(
    ("replace", "code"),
    [
        (without_folder("H5P.Test-1.2"), "missing_main_library"),
        (without_folder("H5P.Helper-2.0"), "missing_dependency"),
        ({"H5P.Test-1.2/library.json": None}, "missing_library_json"),
        ({"H5P.Test-1.2/library.json": b"{"}, "invalid_json"),
        (
            {"H5P.Test-1.2/library.json": dumps(library_json("H5P.Test", 1, 3))},
            "library_folder_mismatch",
        ),
        (
            {"H5P.Test-1.2/library.json": dumps(library_json("H5P.Tset", 1, 2))},
            "library_folder_mismatch",
        ),
        (
            {"H5P.Test-1.2/library.json": dumps(library_json("H5P.Test", 1, 2, runnable=True))},
            "invalid_field",
        ),
        (
            {"H5P.Test-1.2/library.json": dumps(library_json("H5P.Test", 1, 2, runnable=None))},
            "missing_field",
        ),
        (
            {"H5P.Test-1.2/library.json": dumps(library_json("H5P.Test", 1, 2, title=""))},
            "invalid_field",
        ),
        (
            {
                "H5P.Test-1.2/library.json": dumps(
                    library_json("H5P.Test", 1, 2, patchVersion="1.0")
                )
            },
            "invalid_field",
        ),
        (
            {
                "H5P.Test-1.2/library.json": dumps(
                    library_json("H5P.Test", 1, 2, coreApi={"majorVersion": 2, "minorVersion": 0})
                )
            },
            "core_api_unsupported",
        ),
        ({"H5P.Test-1.2/scripts/main.js": None}, "library_file_missing"),
        ({"H5P.Test-1.2/semantics.json": b"[{]"}, "invalid_json"),
        ({"H5P.Test-1.2/language/svenska.språk.json": b"{}"}, "invalid_language_file"),
        ({"H5P.Test-1.2/language/sv.json": b"{"}, "invalid_json"),
        ({"scripts/loose.js": b"x"}, "invalid_library_folder"),
        (
            {"H5P.Test/library.json": dumps(library_json("H5P.Test", 1, 2))},
            "invalid_library_folder",
        ),
    ],
)
def test_invalid_libraries(tmp_path: Path, replace: dict[str, bytes | None], code: str) -> None:
    rejected(tmp_path, valid_package(replace), code)


def test_core_api_up_to_supported_version_is_accepted(tmp_path: Path) -> None:
    major, minor = SUPPORTED_CORE_API
    meta = library_json("H5P.Test", 1, 2, coreApi={"majorVersion": major, "minorVersion": minor})
    data = valid_package({"H5P.Test-1.2/library.json": dumps(meta)})
    assert open_package(write(tmp_path, data)).main_library == TEST


def test_core_api_message_names_versions(tmp_path: Path) -> None:
    data = valid_package(
        {"h5p.json": dumps(h5p_json(coreApi={"majorVersion": 1, "minorVersion": 25}))}
    )
    error = rejected(tmp_path, data, "core_api_unsupported")
    assert "1.25" in error.errors[0].message and "1.24" in error.errors[0].message


def test_all_errors_are_collected(tmp_path: Path) -> None:
    data = valid_package(
        {"H5P.Helper-2.0/library.json": None},
        extra=[
            Member("content/bild.svg", b"<svg/>"),
            Member("H5P.Test-1.2/evil.php", b"<?php"),
            Member("../escape.png", b"x"),
            Member("content/secret.png", b"x", flags=0x1),
        ],
    )
    error = rejected(tmp_path, data, "file_type_not_allowed")
    assert set(error.codes) >= {
        "file_type_not_allowed",
        "path_traversal",
        "encrypted_entry",
        "missing_library_json",
    }
    assert error.codes.count("file_type_not_allowed") == 2


# ---------------------------------------------------------------- destination


def test_destination_must_be_empty(tmp_path: Path) -> None:
    dest = tmp_path / "ut"
    dest.mkdir()
    (dest / "gammal.txt").write_text("behåll mig")
    with pytest.raises(PackageError) as caught:
        extract(write(tmp_path, valid_package()), dest)
    assert caught.value.codes == ["destination_not_empty"]
    assert files_below(dest) == {"gammal.txt"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paket.h5p", "ut"]


def test_destination_parent_must_exist(tmp_path: Path) -> None:
    with pytest.raises(PackageError) as caught:
        extract(write(tmp_path, valid_package()), tmp_path / "saknas" / "ut")
    assert caught.value.codes == ["destination_invalid"]
    assert not (tmp_path / "saknas").exists()


def test_package_changed_after_validation(tmp_path: Path) -> None:
    source = write(tmp_path, valid_package())
    package = open_package(source)
    source.write_bytes(valid_package(extra=[Member("content/ny.png", b"x")]))
    with pytest.raises(PackageError) as caught:
        package.extract_to(tmp_path / "ut")
    assert caught.value.codes == ["package_changed"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paket.h5p"]


# ---------------------------------------------------------- property-based test

_PARTS = st.sampled_from(
    [
        "content",
        "content.json",
        "H5P.Test-1.2",
        "library.json",
        "scripts",
        "h5p.json",
        "..",
        ".",
        "",
        "__MACOSX",
        ".DS_Store",
        "a\\..\\b",
        "C:",
        "x.png",
        "X.PNG",
        "x.png.html",
        "bär.png",
        "a\x00b",
    ]
)
_NAMES = st.one_of(
    st.lists(st.one_of(_PARTS, st.text(max_size=8)), min_size=1, max_size=5).map("/".join),
    st.text(max_size=30),
)
_MEMBERS = st.lists(
    st.builds(
        Member,
        name=_NAMES,
        data=st.binary(max_size=64),
        method=st.sampled_from([0, 8, 8, 12]),
        flags=st.sampled_from([0, 0, 0, 1]),
        external_attr=st.sampled_from([REGULAR, REGULAR, 0, DIRECTORY, SYMLINK]),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(members=_MEMBERS, with_valid_base=st.booleans())
def test_arbitrary_members_never_escape(members: list[Member], with_valid_base: bool) -> None:
    base = [Member(name, data) for name, data in valid_files().items()] if with_valid_base else []
    data = raw_zip(base + members)
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Path(tmp) / "a" / "b"
        sandbox.mkdir(parents=True)
        dest = sandbox / "ut"
        try:
            extract(io.BytesIO(data), dest)
        except PackageError:
            assert not dest.exists()
        allowed = {Path(tmp) / "a", sandbox, dest}
        for path in Path(tmp).rglob("*"):
            assert path in allowed or dest in path.parents, path
            assert not path.is_symlink()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_corrupted_bytes_only_raise_package_error(data: st.DataObject) -> None:
    blob = bytearray(valid_package())
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(blob) - 1))
        blob[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(blob) // 2, len(blob)))
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "ut"
        try:
            extract(io.BytesIO(bytes(blob[:cut])), dest)
        except PackageError:
            assert list(Path(tmp).iterdir()) == []


# -------------------------------------------------------------- real packages

REAL_PACKAGES = {
    "true-false-hello-world.h5p": ("H5P.TrueFalse", 1, 6),
    "multichoice-blackcurrant.h5p": ("H5P.MultiChoice", 1, 16),
    "question-set-berries.h5p": ("H5P.QuestionSet", 1, 17),
    "drag-text-berries.h5p": ("H5P.DragText", 1, 8),
    "interactive-video-berry-smoothie.h5p": ("H5P.InteractiveVideo", 1, 24),
    "summary-blueberries.h5p": ("H5P.Summary", 1, 10),
}
IV_VIDEOS = (
    "https://h5p.org/sites/default/files/h5p/iv.webm",
    "https://h5p.org/sites/default/files/h5p/iv.mp4",
)


def fixture_path(name: str) -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"{FIXTURES} (…/shared/fixtures/h5p) not present")
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    return path


@pytest.mark.parametrize(("name", "main"), REAL_PACKAGES.items(), ids=list(REAL_PACKAGES))
def test_real_package_validates_and_extracts(
    tmp_path: Path, name: str, main: tuple[str, int, int]
) -> None:
    dest = tmp_path / "ut"
    package = extract(fixture_path(name), dest)

    assert package.main_library == main
    assert main in package.libraries
    assert package.language == "und"
    expected = set(package.content_files) | {"h5p.json"}
    for library in package.libraries.values():
        expected |= set(library.files)
    assert files_below(dest) == expected
    assert json.loads((dest / "content" / "content.json").read_bytes()) == package.content
    if name.startswith("interactive-video"):
        assert package.external_media == IV_VIDEOS
        assert [w.code for w in package.warnings] == ["external_media"] * 2
        assert any(ref.machine_name.startswith("H5PEditor.") for ref in package.libraries)
    else:
        assert package.warnings == ()


def test_every_real_package_in_the_fixture_folder_validates() -> None:
    if not FIXTURES.is_dir():
        pytest.skip(f"{FIXTURES} (…/shared/fixtures/h5p) not present")
    paths = sorted(FIXTURES.glob("*.h5p"))
    assert paths
    for path in paths:
        assert open_package(path).title
