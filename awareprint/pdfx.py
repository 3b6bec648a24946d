"""PDF/X-4: the output intent and the markers a print shop's preflight looks for, added after rendering.

reportlab cannot write OutputIntents (its catalog drops unknown keys), so the finished file is post-processed
with pikepdf: the CMYK output profile goes in as the OutputIntent, and GTS_PDFXVersion goes into both the
Info dictionary and XMP, kept consistent. The file is saved as PDF 1.6 with a deterministic /ID, so identical
input still gives identical bytes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from .diagnostics import user_error

PDFX_VERSION = "PDF/X-4"
PDF_VERSION = "1.6"  # the highest PDF/X-4 allows


@dataclass(frozen=True, slots=True)
class OutputProfile:
    """A CMYK ICC profile and the registered print condition it stands for."""

    path: Path
    identifier: str  # registered at color.org, e.g. FOGRA39
    condition: str

    def data(self) -> bytes:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise user_error(f"cannot read the output profile ({exc.strerror})", file=self.path) from None
        if len(data) < 132 or data[16:20] != b"CMYK":
            raise user_error(
                "not a CMYK ICC profile", file=self.path, hint="use your print shop's CMYK profile"
            )
        return data


DEFAULT_PROFILE = OutputProfile(
    Path(__file__).resolve().parent.parent / "profiles" / "FOGRA39L-coated.icc",
    "FOGRA39",
    "Offset printing, coated paper (ISO 12647-2:2004/Amd 1, FOGRA39)",
)


def to_pdfx4(pdf: bytes, profile: OutputProfile = DEFAULT_PROFILE) -> bytes:
    icc, compressed = _profile_streams(profile)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        stream = pikepdf.Stream(document, b"")
        stream.write(compressed, filter=pikepdf.Name.FlateDecode)
        stream.N = 4
        document.Root.OutputIntents = pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.OutputIntent,
                    S=pikepdf.Name.GTS_PDFX,
                    OutputConditionIdentifier=profile.identifier,
                    OutputCondition=profile.condition,
                    RegistryName="http://www.color.org",
                    Info=profile.condition,
                    DestOutputProfile=stream,
                )
            ]
        )
        document.docinfo[pikepdf.Name.GTS_PDFXVersion] = PDFX_VERSION
        identity = hashlib.sha256(pdf + icc).hexdigest()
        with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            with warnings.catch_warnings():  # Trapped and GTS_PDFXVersion have no automatic XMP mapping
                warnings.filterwarnings("ignore", message=".*has no XMP equivalent", category=UserWarning)
                meta.load_from_docinfo(document.docinfo)
            meta["pdf:Trapped"] = "False"
            meta["pdfxid:GTS_PDFXVersion"] = PDFX_VERSION
            meta["xmpMM:DocumentID"] = f"uuid:{_uuid(identity)}"
            meta["xmpMM:VersionID"] = "1"
            meta["xmpMM:RenditionClass"] = "default"
        out = io.BytesIO()
        document.save(out, force_version=PDF_VERSION, deterministic_id=True)
    return out.getvalue()


@functools.lru_cache(maxsize=8)
def _profile_streams(profile: OutputProfile) -> tuple[bytes, bytes]:
    """The profile, and the profile compressed once per process rather than once per file."""
    icc = profile.data()
    return icc, zlib.compress(icc)


def _uuid(digest: str) -> str:
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
