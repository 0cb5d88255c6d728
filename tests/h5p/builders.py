"""Build small .h5p zips in memory for the tests, valid and malicious.

``raw_zip`` writes the zip structures by hand so a test can forge anything the
central directory can say: names, flags, methods, modes and (lying) sizes.
"""

from __future__ import annotations

import functools
import json
import stat
import struct
import zlib
from dataclasses import dataclass
from typing import Any

REGULAR = (stat.S_IFREG | 0o644) << 16
DIRECTORY = (stat.S_IFDIR | 0o755) << 16 | 0x10
SYMLINK = (stat.S_IFLNK | 0o777) << 16
STORED, DEFLATED = 0, 8


@dataclass
class Member:
    """One zip entry. ``payload``/``crc``/``size`` override what is derived from ``data``."""

    name: str | bytes
    data: bytes = b""
    method: int = DEFLATED
    flags: int = 0
    external_attr: int = REGULAR
    payload: bytes | None = None
    crc: int | None = None
    size: int | None = None
    compress_size: int | None = None


@dataclass
class _Encoded:
    name: bytes
    flags: int
    payload: bytes
    crc: int
    size: int
    compress_size: int


def _encode(member: Member) -> _Encoded:
    if isinstance(member.name, bytes):
        name, flags = member.name, member.flags
    else:
        name, flags = member.name.encode("utf-8"), member.flags
        if not member.name.isascii():
            flags |= 0x800
    if member.payload is not None:
        payload = member.payload
    elif member.method == DEFLATED:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        payload = compressor.compress(member.data) + compressor.flush()
    else:
        payload = member.data
    return _Encoded(
        name=name,
        flags=flags,
        payload=payload,
        crc=zlib.crc32(member.data) if member.crc is None else member.crc,
        size=len(member.data) if member.size is None else member.size,
        compress_size=len(payload) if member.compress_size is None else member.compress_size,
    )


def raw_zip(members: list[Member]) -> bytes:
    """A zip file (no zip64) exactly as described by ``members``."""
    body = bytearray()
    central = bytearray()
    for member in members:
        enc = _encode(member)
        offset = len(body)
        body += struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            20,
            enc.flags,
            member.method,
            0,
            0x21,
            enc.crc,
            enc.compress_size,
            enc.size,
            len(enc.name),
            0,
        )
        body += enc.name + enc.payload
        central += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            (3 << 8) | 20,
            20,
            enc.flags,
            member.method,
            0,
            0x21,
            enc.crc,
            enc.compress_size,
            enc.size,
            len(enc.name),
            0,
            0,
            0,
            0,
            member.external_attr,
            offset,
        )
        central += enc.name
    end = struct.pack(
        "<4s4H2LH",
        b"PK\x05\x06",
        0,
        0,
        len(members),
        len(members),
        len(central),
        len(body),
        0,
    )
    return bytes(body + central + end)


# ------------------------------------------------------------------ H5P content


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


def h5p_json(**overrides: Any) -> dict[str, Any]:
    """A valid h5p.json with string versions, as real exports have them."""
    data: dict[str, Any] = {
        "title": "Hej världen",
        "language": "und",
        "mainLibrary": "H5P.Test",
        "embedTypes": ["div"],
        "license": "U",
        "preloadedDependencies": [
            {"machineName": "H5P.Test", "majorVersion": "1", "minorVersion": "2"},
            {"machineName": "H5P.Helper", "majorVersion": "2", "minorVersion": "0"},
        ],
    }
    data.update(overrides)
    return data


def library_json(name: str, major: int, minor: int, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": f"{name} title",
        "machineName": name,
        "majorVersion": major,
        "minorVersion": minor,
        "patchVersion": 3,
        "runnable": 1,
        "preloadedJs": [{"path": "scripts/main.js"}],
        "preloadedCss": [{"path": "styles/main.css"}],
    }
    data.update(overrides)
    return data


def library_files(name: str, major: int, minor: int, **overrides: Any) -> dict[str, bytes]:
    folder = f"{name}-{major}.{minor}"
    return {
        f"{folder}/library.json": dumps(library_json(name, major, minor, **overrides)),
        f"{folder}/scripts/main.js": b"H5P.x = 1;\n",
        f"{folder}/styles/main.css": b".h5p-x { color: red; }\n",
    }


def valid_files() -> dict[str, bytes]:
    """name -> bytes of a small valid package (main library + one dependency)."""
    files = {
        "h5p.json": dumps(h5p_json()),
        "content/content.json": dumps(
            {"question": "<p>Är bär goda?</p>", "image": {"path": "images/bar.png"}}
        ),
        "content/images/bar.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
    }
    files.update(
        library_files(
            "H5P.Test",
            1,
            2,
            preloadedDependencies=[
                {"machineName": "H5P.Helper", "majorVersion": 2, "minorVersion": 0}
            ],
        )
    )
    files.update(library_files("H5P.Helper", 2, 0, runnable=0))
    return files


def package_bytes(files: dict[str, bytes], extra: list[Member] | None = None) -> bytes:
    """A package from ``files`` (deflated) followed by any forged ``extra`` members."""
    members = [Member(name, data) for name, data in files.items()]
    return raw_zip(members + list(extra or []))


def valid_package(
    replace: dict[str, bytes | None] | None = None, extra: list[Member] | None = None
) -> bytes:
    """The valid package, with files replaced (``None`` removes) and members appended."""
    files = valid_files()
    for name, data in (replace or {}).items():
        if data is None:
            files.pop(name, None)
        else:
            files[name] = data
    return package_bytes(files, extra)


# ------------------------------------------------------------------- zip bombs

_ZERO_CHUNK = bytes(1024 * 1024)


@functools.cache
def deflated_zeros(megabytes: int) -> tuple[bytes, int, int]:
    """Raw deflate of ``megabytes`` MiB of zeros, built chunk by chunk.

    Returns (payload, crc32, uncompressed size); the zeros are never held in
    memory at once.
    """
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)  # level 1: fast, still > 200:1
    parts = []
    crc = 0
    for _ in range(megabytes):
        parts.append(compressor.compress(_ZERO_CHUNK))
        crc = zlib.crc32(_ZERO_CHUNK, crc)
    parts.append(compressor.flush())
    return b"".join(parts), crc, megabytes * len(_ZERO_CHUNK)


def zero_bomb(name: str, megabytes: int, declared_size: int | None = None) -> Member:
    """A member that decompresses to ``megabytes`` MiB of zeros.

    ``declared_size`` makes the central directory lie about the uncompressed size.
    """
    payload, crc, size = deflated_zeros(megabytes)
    return Member(
        name, payload=payload, crc=crc, size=size if declared_size is None else declared_size
    )
