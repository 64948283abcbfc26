"""Check uploaded files and store them under names we generate: nothing from the client names a path.

Browsers send whatever file name they like (`../../etc/x.txt`, `CON.md`, 300 characters
of emoji); we keep only a slug of it for recognisability, plus a content hash that keeps
names unique and makes re-uploading the same file a no-op for the indexer.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
from pathlib import Path

from rag.corpus import SUPPORTED_EXTENSIONS
from rag.documents import DOCUMENT_EXTENSIONS
from rag.errors import BadInputError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SLUG_CHARS = 40
# PDF and Word files are binary: their first bytes say whether they are what their name claims.
_SIGNATURES = {".pdf": (b"%PDF-", "a PDF"), ".docx": (b"PK\x03\x04", "a Word .docx file")}


def _base_name(original_name: str) -> str:
    """The last path component, whichever separator the client's OS uses."""
    return re.split(r"[\\/]", original_name)[-1]


def _split(original_name: str) -> tuple[str, str]:
    """(stem, lower-cased extension with its dot); a name without a dot has extension ""."""
    stem, dot, ext = _base_name(original_name).rpartition(".")
    return (stem, f".{ext.lower()}") if dot else (ext, "")


def check_extension(original_name: str) -> str:
    """The lower-cased extension, if the indexer can read it."""
    ext = _split(original_name)[1]
    if ext not in SUPPORTED_EXTENSIONS:
        kind = f"{ext} files are" if ext else "a file without an extension is"
        raise BadInputError(
            f"{display_name(original_name)}: {kind} not supported; upload {', '.join(SUPPORTED_EXTENSIONS)}."
        )
    return ext


def check_size(original_name: str, size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise BadInputError(
            f"{display_name(original_name)} is {size / 2**20:.2f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB."
        )


def check_content(original_name: str, data: bytes) -> None:
    """Reject what the indexer would skip anyway, with a message that says how to fix it."""
    check_size(original_name, len(data))
    name = display_name(original_name)
    if not data.strip():
        raise BadInputError(f"{name} is empty.")
    ext = _split(original_name)[1]
    if ext in DOCUMENT_EXTENSIONS:
        signature, kind = _SIGNATURES[ext]
        if not data.startswith(signature):
            raise BadInputError(f"{name} is not {kind} (its first bytes say otherwise); upload the original file.")
        return  # its text is extracted, and checked, when it is indexed
    if b"\x00" in data:
        raise BadInputError(
            f"{name} looks binary (it contains NUL bytes); upload plain text, Markdown, HTML, PDF or Word (.docx)."
        )
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{name} is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8.") from exc


def display_name(original_name: str) -> str:
    """The client's file name, shortened, for messages only (it is escaped before display)."""
    base = _base_name(original_name) or "the file"
    return base if len(base) <= 80 else base[:77] + "..."


def safe_name(original_name: str, data: bytes) -> str:
    """`<ascii-slug>-<sha256 prefix><ext>`: no separators, no dots to climb, stable for the same bytes."""
    ext = check_extension(original_name)
    stem = _split(original_name)[0]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")[:MAX_SLUG_CHARS].strip("-") or "upload"
    return f"{slug}-{hashlib.sha256(data).hexdigest()[:12]}{ext}"


def store_upload(temp_path: Path, original_name: str, uploads_dir: Path) -> Path:
    """Validate one uploaded file and copy it into `uploads_dir` under a safe name; returns the new path."""
    check_extension(original_name)
    check_size(original_name, temp_path.stat().st_size)  # before reading it into memory
    data = temp_path.read_bytes()
    check_content(original_name, data)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    target = uploads_dir / safe_name(original_name, data)
    # Write then rename, so the indexer never reads a half-written file.
    with tempfile.NamedTemporaryFile(dir=uploads_dir, prefix=".partial-", delete=False) as tmp:
        tmp.write(data)
    Path(tmp.name).replace(target)
    return target


def is_upload(path: Path, uploads_dir: Path) -> bool:
    """Whether `path` is a file we stored (so removing its article may delete it)."""
    try:
        return path.resolve().parent == uploads_dir.resolve()
    except OSError:
        return False
