"""Importing H5P packages into the platform, and removing them again.

``import_package`` validates a package with :mod:`h5p.package` (telling it which
libraries are installed), checks that the uploader may install any new library
(trusted code: ``h5p.install_h5p_library``, superusers have it), extracts it
into a temporary directory, and only when everything is valid copies the files
into Django storage and writes the rows in one transaction. A refused or failed
import leaves no rows, no files in storage and no temporary directory.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from wagtail.models import Collection

from .models import H5PActivity, H5PLibrary
from .package import Library, LibraryRef, Limits, Package, PackageError, open_package

logger = logging.getLogger(__name__)

INSTALL_PERMISSION = "h5p.install_h5p_library"
STORAGE_ROOT = "h5p"
_CHUNK = 1024 * 1024


class ImportRefused(Exception):
    """The package was not imported; ``messages`` says why, for the editor."""

    def __init__(self, messages: Iterable[str], codes: Iterable[str] = ()) -> None:
        self.messages = list(messages)
        self.codes = list(codes)
        super().__init__("\n".join(self.messages))


@dataclass
class ImportResult:
    activity: H5PActivity
    installed: list[H5PLibrary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ configuration


def h5p_storage() -> Storage:
    """Where packages are kept (``settings.H5P_STORAGE_ALIAS``, default storage)."""
    return storages[getattr(settings, "H5P_STORAGE_ALIAS", "default")]


def configured_limits() -> Limits:
    return Limits(**getattr(settings, "H5P_LIMITS", {}))


def max_upload_size() -> int:
    return int(getattr(settings, "H5P_MAX_UPLOAD_SIZE", 100 * 1024 * 1024))


def installed_versions() -> set[tuple[str, int, int]]:
    return set(H5PLibrary.objects.values_list("machine_name", "major_version", "minor_version"))


def can_install_libraries(user) -> bool:
    """``None`` is the command line (a platform administrator by definition)."""
    return user is None or bool(user.has_perm(INSTALL_PERMISSION))


# ------------------------------------------------------------------------ helpers


def package_digest(fileobj: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of a file object, read in chunks; leaves it at position 0."""
    digest = hashlib.sha256()
    size = 0
    fileobj.seek(0)
    while chunk := fileobj.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def tree_digest(root: Path) -> str:
    """SHA-256 over the relative names and contents of every file below ``root``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        file_hash = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                file_hash.update(chunk)
        digest.update(f"{path.relative_to(root).as_posix()}\0{file_hash.hexdigest()}\n".encode())
    return digest.hexdigest()


def _dependencies(metadata: dict[str, Any]) -> list[LibraryRef]:
    refs = []
    for key in ("preloadedDependencies", "dynamicDependencies"):
        for item in metadata.get(key) or []:
            try:
                refs.append(
                    LibraryRef(
                        str(item["machineName"]),
                        int(item["majorVersion"]),
                        int(item["minorVersion"]),
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
    return refs


def needed_libraries(
    package: Package, installed: dict[LibraryRef, H5PLibrary]
) -> list[LibraryRef]:
    """Libraries the content needs to play: h5p.json's preloaded dependencies and,
    transitively, theirs. Editor-only libraries (``H5PEditor.*`` shipped for the
    authoring tool) are not needed and are neither installed nor counted.

    An installed library's own dependencies come from the installed copy, which
    is the one that plays.
    """
    order: list[LibraryRef] = []
    seen: set[LibraryRef] = set()
    stack = [package.main_library, *package.preloaded_dependencies]
    while stack:
        ref = stack.pop(0)
        if ref in seen:
            continue
        seen.add(ref)
        order.append(ref)
        if ref in installed:
            stack.extend(_dependencies(installed[ref].metadata))
        elif ref in package.libraries:
            stack.extend(_dependencies(dict(package.libraries[ref].metadata)))
    return order


def _save_tree(storage: Storage, source: Path, target: str, saved: list[str]) -> None:
    """Copy every file below ``source`` to ``target/…`` in storage, recording names."""
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = f"{target}/{path.relative_to(source).as_posix()}"
        with path.open("rb") as handle:
            stored = storage.save(name, File(handle, name=path.name))
        saved.append(stored)
        if stored != name:  # storage renamed it: the folder was not ours alone
            raise RuntimeError(f"storage saved {name!r} as {stored!r}")


def delete_folder(storage: Storage, folder: str, names: Iterable[str] = ()) -> None:
    """Remove files (the given names, or everything listed below ``folder``)."""
    names = list(names) or list(_walk(storage, folder))
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - keep cleaning up; log what is left
            logger.warning("could not delete %s from H5P storage", name)
    try:
        local = Path(storage.path(folder))
    except NotImplementedError:  # remote storage has no folders to remove
        return
    if local.is_dir():
        shutil.rmtree(local, ignore_errors=True)


def _walk(storage: Storage, folder: str) -> Iterable[str]:
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in dirs:
        yield from _walk(storage, f"{folder}/{sub}")


def _library_version_text(library: Library | H5PLibrary) -> str:
    if isinstance(library, H5PLibrary):
        return f"{library.major_version}.{library.minor_version}.{library.patch_version}"
    return f"{library.ref.major}.{library.ref.minor}.{library.patch_version}"


# ------------------------------------------------------------------------- import


def import_package(
    fileobj: IO[bytes],
    *,
    user,
    collection: Collection | None = None,
    title: str | None = None,
    limits: Limits | None = None,
) -> ImportResult:
    """Validate, check permissions, extract and store one ``.h5p`` package.

    ``user`` is the uploader (``None`` for the command line, which acts as a
    platform administrator). Raises :class:`ImportRefused` with messages for
    the editor; on any failure nothing is left behind.
    """
    limits = limits or configured_limits()
    digest, size = package_digest(fileobj)
    if size > max_upload_size():
        raise ImportRefused(
            [
                _("The file is %(size)d MB, but at most %(max)d MB can be uploaded.")
                % {"size": size // 2**20, "max": max_upload_size() // 2**20}
            ],
            ["upload_too_large"],
        )
    duplicate = H5PActivity.objects.filter(package_hash=digest).first()
    if duplicate is not None:
        raise ImportRefused(
            [
                _(
                    "This package has already been uploaded, as the activity “%(title)s”. "
                    "Use that activity instead of uploading it again."
                )
                % {"title": duplicate.title}
            ],
            ["duplicate_package"],
        )

    installed = {
        LibraryRef(lib.machine_name, lib.major_version, lib.minor_version): lib
        for lib in H5PLibrary.objects.all()
    }
    try:
        package = open_package(fileobj, limits, installed=set(installed))
    except PackageError as error:
        raise ImportRefused([p.message for p in error.errors], error.codes) from error

    needed = needed_libraries(package, installed)
    new = [ref for ref in needed if ref not in installed]
    if new and not can_install_libraries(user):
        names = ", ".join(str(ref) for ref in new)
        raise ImportRefused(
            [
                _(
                    "The package brings H5P libraries that are not installed on the "
                    "platform: %(libraries)s. Libraries are program code, so only a "
                    "platform administrator can install them. Ask a platform "
                    "administrator to upload this package once; after that you can "
                    "upload it and others that use the same libraries."
                )
                % {"libraries": names}
            ],
            ["libraries_need_admin"],
        )
    return _store(package, fileobj, digest, size, needed, new, installed, user, collection, title)


def _store(
    package: Package,
    fileobj: IO[bytes],
    digest: str,
    size: int,
    needed: list[LibraryRef],
    new: list[LibraryRef],
    installed: dict[LibraryRef, H5PLibrary],
    user,
    collection: Collection | None,
    title: str | None,
) -> ImportResult:
    storage = h5p_storage()
    warnings = [problem.message for problem in package.warnings]
    temp_parent = getattr(settings, "H5P_TEMP_DIR", None)
    saved: list[str] = []
    folders: list[str] = []
    activity_uuid = H5PActivity._meta.get_field("uuid").default()
    with tempfile.TemporaryDirectory(prefix="klartankt-h5p-", dir=temp_parent) as temp:
        try:
            root = package.extract_to(Path(temp) / "package")
        except PackageError as error:
            raise ImportRefused([p.message for p in error.errors], error.codes) from error
        hashes = {
            ref: tree_digest(root / ref.folder_name) for ref in needed if ref in package.libraries
        }
        for ref in needed:
            mine = installed.get(ref)
            if mine is not None and ref in hashes and hashes[ref] != mine.content_hash:
                warnings.append(
                    _(
                        "The package contains another copy of the library %(library)s "
                        "(version %(theirs)s) than the one installed (version %(ours)s). "
                        "The installed copy is kept and used; a platform administrator "
                        "can tell you whether the content needs the other one."
                    )
                    % {
                        "library": f"{ref.machine_name} {ref.major}.{ref.minor}",
                        "theirs": _library_version_text(package.libraries[ref]),
                        "ours": _library_version_text(mine),
                    }
                )
        try:
            content_folder = f"{STORAGE_ROOT}/content/{activity_uuid}"
            folders.append(content_folder)
            _save_tree(storage, root / "content", f"{content_folder}/content", saved)
            with (root / "h5p.json").open("rb") as handle:
                name = storage.save(f"{content_folder}/h5p.json", File(handle, name="h5p.json"))
                saved.append(name)
            new_folders: dict[LibraryRef, str] = {}
            for ref in new:
                folder = f"{STORAGE_ROOT}/libraries/{ref.folder_name}-{secrets.token_hex(6)}"
                folders.append(folder)
                new_folders[ref] = folder
                _save_tree(storage, root / ref.folder_name, folder, saved)
            activity = _write_rows(
                package, digest, size, needed, new_folders, hashes, user, collection, title,
                activity_uuid, content_folder, warnings,
            )  # fmt: skip
        except BaseException:
            for folder in folders:
                delete_folder(storage, folder, [n for n in saved if n.startswith(folder + "/")])
            raise
    return ImportResult(
        activity=activity,
        installed=[lib for lib in activity.libraries.all() if lib.storage_path in folders],
        warnings=warnings,
    )


def _write_rows(
    package: Package,
    digest: str,
    size: int,
    needed: list[LibraryRef],
    new_folders: dict[LibraryRef, str],
    hashes: dict[LibraryRef, str],
    user,
    collection: Collection | None,
    title: str | None,
    activity_uuid,
    content_folder: str,
    warnings: list[str],
) -> H5PActivity:
    try:
        with transaction.atomic():
            for ref, folder in new_folders.items():
                library = package.libraries[ref]
                H5PLibrary.objects.create(
                    machine_name=ref.machine_name,
                    major_version=ref.major,
                    minor_version=ref.minor,
                    patch_version=library.patch_version,
                    title=library.title[:255],
                    runnable=library.runnable,
                    content_hash=hashes[ref],
                    storage_path=folder,
                    metadata=dict(library.metadata),
                )
            rows = {
                (lib.machine_name, lib.major_version, lib.minor_version): lib
                for lib in H5PLibrary.objects.filter(
                    machine_name__in={ref.machine_name for ref in needed}
                )
            }
            activity = H5PActivity(
                uuid=activity_uuid,
                title=(title or package.title).strip()[:255] or package.title[:255],
                metadata=dict(package.metadata),
                main_library=rows[tuple(package.main_library)],
                uploaded_by=user,
                storage_path=content_folder,
                package_hash=digest,
                package_size=size,
                external_media=list(package.external_media),
                warnings=warnings,
            )
            if collection is not None:
                activity.collection = collection
            activity.save()
            activity.libraries.set([rows[tuple(ref)] for ref in needed])
    except IntegrityError as error:
        # Someone installed one of these libraries, or uploaded this package, meanwhile.
        raise ImportRefused(
            [_("Someone else uploaded the same package or library just now. Try again.")],
            ["concurrent_import"],
        ) from error
    return activity


# ------------------------------------------------------------------------ removal


def delete_activity_files(activity: H5PActivity) -> None:
    """Remove an activity's content from storage (its libraries stay installed)."""
    if activity.storage_path.startswith(f"{STORAGE_ROOT}/content/"):
        delete_folder(h5p_storage(), activity.storage_path)
