"""PDF/X-4 or X-1a: the output intent and the markers a print shop's preflight looks for, added last.

reportlab cannot write OutputIntents (its catalog drops unknown keys), so the finished file is post-processed
with pikepdf: the CMYK output profile goes in as the OutputIntent, and GTS_PDFXVersion goes into both the
Info dictionary and XMP, kept consistent. The file is saved as PDF 1.6 (X-4) or 1.4 (X-1a) with a
deterministic /ID, so identical input still gives identical bytes. X-1a also forbids transparency and
ICC-based colour: the renderer writes neither (DeviceCMYK, the All separation for marks, opaque images).
"""

from __future__ import annotations

import functools
import hashlib
import io
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from awareprint.diagnostics import user_error
from awareprint.load.cache import cached
from awareprint.load.inputs import read_input

from .colour import DEFAULT_PROFILE_PATH
from .icc import profile_problem

MAX_PROFILE_BYTES = 20_000_000  # press profiles are 0.5 to 5 MB


@dataclass(frozen=True, slots=True)
class Standard:
    name: str  # as a user asks for it
    version: str  # GTS_PDFXVersion
    conformance: str | None  # GTS_PDFXConformance (X-1a only)
    pdf_version: str  # the highest the standard allows


STANDARDS = {
    "x4": Standard("x4", "PDF/X-4", None, "1.6"),
    "x1a": Standard("x1a", "PDF/X-1:2003", "PDF/X-1a:2003", "1.4"),
}


@dataclass(frozen=True, slots=True)
class OutputProfile:
    """A CMYK ICC profile and the registered print condition it stands for."""

    path: Path
    identifier: str  # registered at color.org, e.g. FOGRA39
    condition: str

    def data(self) -> bytes:
        data = read_input(self.path, MAX_PROFILE_BYTES, "output profile")
        if len(data) < 132 or data[16:20] != b"CMYK":
            raise user_error(
                "not a CMYK ICC profile", file=self.path, hint="use your print shop's CMYK profile"
            )
        return data


DEFAULT_PROFILE = OutputProfile(
    DEFAULT_PROFILE_PATH,
    "FOGRA39",
    "Offset printing, coated paper (ISO 12647-2:2004/Amd 1, FOGRA39)",
)


def custom_profile(path: Path) -> OutputProfile:
    """A print shop's own CMYK profile (--profile): registered as Custom, described by its own 'desc' tag."""
    from PIL import ImageCms

    profile = OutputProfile(path, "Custom", path.stem)
    data = profile.data()
    problem = profile_problem(data)
    if problem:
        raise user_error(problem, file=path, hint="ask the print shop for the .icc file again")
    try:
        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(data))).strip()
    except (OSError, ImageCms.PyCMSError):
        raise user_error(
            "not a readable ICC profile", file=path, hint="ask the print shop for the .icc file"
        ) from None
    return OutputProfile(path, "Custom", description or path.stem)


def to_pdfx(
    pdf: bytes, profile: OutputProfile = DEFAULT_PROFILE, standard: Standard = STANDARDS["x4"]
) -> bytes:
    import pikepdf  # here: `check` and the screen edition never need it

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
        document.docinfo[pikepdf.Name.GTS_PDFXVersion] = standard.version
        if standard.conformance:
            document.docinfo[pikepdf.Name.GTS_PDFXConformance] = standard.conformance
        identity = hashlib.sha256(pdf + icc).hexdigest()
        with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            with warnings.catch_warnings():  # Trapped and GTS_PDFXVersion have no automatic XMP mapping
                warnings.filterwarnings("ignore", message=".*has no XMP equivalent", category=UserWarning)
                meta.load_from_docinfo(document.docinfo)
            meta["pdf:Trapped"] = "False"
            if standard.conformance:  # X-1a:2003 records itself in the pdfx schema
                meta["pdfx:GTS_PDFXVersion"] = standard.version
                meta["pdfx:GTS_PDFXConformance"] = standard.conformance
            else:
                meta["pdfxid:GTS_PDFXVersion"] = standard.version
            meta["xmpMM:DocumentID"] = f"uuid:{_uuid(identity)}"
            meta["xmpMM:VersionID"] = "1"
            meta["xmpMM:RenditionClass"] = "default"
        out = io.BytesIO()
        document.save(out, force_version=standard.pdf_version, deterministic_id=True)
    return out.getvalue()


@functools.lru_cache(maxsize=8)
def _profile_streams(profile: OutputProfile) -> tuple[bytes, bytes]:
    """The profile, and the profile compressed once per process rather than once per file (and once per
    machine: about 15 ms of a cold start)."""
    icc = profile.data()
    key = (hashlib.sha256(icc).digest(), zlib.ZLIB_RUNTIME_VERSION)
    return icc, cached("profile-flate", key, lambda: zlib.compress(icc))


def _uuid(digest: str) -> str:
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
