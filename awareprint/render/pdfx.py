"""PDF/X-4 or X-1a: the output intent and the markers a print shop's preflight looks for.

The renderer writes them as it writes the file (`render/pdf.py: save_pdfx`) from the plain data made here:
the CMYK output profile as the OutputIntent, GTS_PDFXVersion in both the Info dictionary and the XMP
metadata, kept consistent, and the PDF version the standard allows (1.6 for X-4, 1.4 for X-1a). The file's
/ID and XMP DocumentID are a digest of the finished bytes, so identical input still gives identical bytes;
they are written as placeholders of the same length and filled in last (`identified`). X-1a also forbids
transparency and ICC-based colour: the renderer writes neither (DeviceCMYK, the All separation for marks,
opaque images). Nothing reads the file back: pikepdf is for preflight (its import alone was about 40 ms of
a cold poster).
"""

from __future__ import annotations

import functools
import hashlib
import io
import zlib
from collections.abc import Mapping
from pathlib import Path

import msgspec

from awareprint import __version__
from awareprint.diagnostics import user_error
from awareprint.load.cache import cached
from awareprint.load.inputs import read_input

from .colour import DEFAULT_PROFILE_PATH
from .icc import profile_problem

MAX_PROFILE_BYTES = 20_000_000  # press profiles are 0.5 to 5 MB


class Standard(msgspec.Struct, frozen=True):
    name: str  # as a user asks for it
    version: str  # GTS_PDFXVersion
    conformance: str | None  # GTS_PDFXConformance (X-1a only)
    pdf_version: tuple[int, int]  # the highest the standard allows


STANDARDS = {
    "x4": Standard("x4", "PDF/X-4", None, (1, 6)),
    "x1a": Standard("x1a", "PDF/X-1:2003", "PDF/X-1a:2003", (1, 4)),
}


class OutputProfile(msgspec.Struct, frozen=True):
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


# Same length as what replaces them, so no offset in the file moves when they are filled in.
_PENDING_UUID = "awareprint-document-identity-pending"
PENDING_ID = b"0" * 32  # the trailer's /ID strings, in hex
_XMP_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfx": "http://ns.adobe.com/pdfx/1.3/",
    "pdfxid": "http://www.npes.org/pdfx/ns/id/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
}


class Finishing(msgspec.Struct, frozen=True):
    """What PDF/X adds to a rendered file, as plain data for the renderer to write."""

    standard: Standard
    intent: tuple[tuple[str, str], ...]  # the OutputIntent's text entries
    profile: bytes  # the output profile, Flate-compressed

    @property
    def info(self) -> tuple[tuple[str, str], ...]:
        """The Info dictionary's PDF/X entries."""
        entries = [("GTS_PDFXVersion", self.standard.version)]
        if self.standard.conformance:
            entries.append(("GTS_PDFXConformance", self.standard.conformance))
        return tuple(entries)

    def xmp(self, info: Mapping[str, str], date: str) -> bytes:
        """The XMP packet: the Info dictionary's text (`info` by its keys) and `date` (ISO 8601) mirrored
        in the properties PDF/X maps them to, one element each, as pikepdf wrote them before."""
        standard = self.standard
        properties: list[tuple[str, str]] = [
            ("dc:creator", f"<rdf:Seq><rdf:li>{_text(info['Author'])}</rdf:li></rdf:Seq>"),
            ("dc:description", _alternative(info["Subject"])),
            ("dc:title", _alternative(info["Title"])),
            ("pdf:Keywords", _text(info["Keywords"])),
            ("pdf:Producer", _text(info["Producer"])),
            ("xmp:CreateDate", date),
            ("xmp:CreatorTool", _text(info["Creator"])),
            ("xmp:ModifyDate", date),
            ("pdf:Trapped", "False"),
        ]
        if standard.conformance:  # X-1a:2003 records itself in the pdfx schema
            properties.append(("pdfx:GTS_PDFXVersion", _text(standard.version)))
            properties.append(("pdfx:GTS_PDFXConformance", _text(standard.conformance)))
        else:
            properties.append(("pdfxid:GTS_PDFXVersion", _text(standard.version)))
        properties += [
            ("xmpMM:DocumentID", f"uuid:{_PENDING_UUID}"),
            ("xmpMM:VersionID", "1"),
            ("xmpMM:RenditionClass", "default"),
        ]
        elements = "".join(
            f'<{name} xmlns:{name.split(":")[0]}="{_XMP_NAMESPACES[name.split(":")[0]]}">{value}</{name}>'
            for name, value in properties
            if value
        )
        return (
            '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            f'<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="awareprint {__version__}">\n'
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            f' <rdf:Description rdf:about="">{elements}</rdf:Description></rdf:RDF>\n'
            "</x:xmpmeta>\n\n"
            '<?xpacket end="w"?>\n'
        ).encode()


def finishing(profile: OutputProfile = DEFAULT_PROFILE, standard: Standard = STANDARDS["x4"]) -> Finishing:
    intent = (
        ("OutputConditionIdentifier", profile.identifier),
        ("OutputCondition", profile.condition),
        ("RegistryName", "http://www.color.org"),
        ("Info", profile.condition),
    )
    return Finishing(standard, intent, _compressed_profile(profile))


def identified(pdf: bytes) -> bytes:
    """The rendered file with its /ID and XMP DocumentID made from a digest of all its other bytes."""
    digest = hashlib.sha256(pdf).hexdigest()
    pending_uuid = _PENDING_UUID.encode("ascii")
    trailer = pdf.rindex(b"trailer")
    if pdf.count(pending_uuid) != 1 or pdf.count(b"<" + PENDING_ID + b">", trailer) != 2:
        raise ValueError("a PDF/X file needs exactly one pending DocumentID and one pending /ID")
    identity = digest[:32].encode("ascii")
    pdf = pdf.replace(pending_uuid, _uuid(digest).encode("ascii"))
    return pdf[:trailer] + pdf[trailer:].replace(PENDING_ID, identity)


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _alternative(value: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{_text(value)}</rdf:li></rdf:Alt>' if value else ""


@functools.lru_cache(maxsize=8)
def _compressed_profile(profile: OutputProfile) -> bytes:
    """The profile compressed once per process rather than once per file (and once per machine: about 15
    ms of a cold start)."""
    icc = profile.data()
    key = (hashlib.sha256(icc).digest(), zlib.ZLIB_RUNTIME_VERSION)
    return cached("profile-flate", key, lambda: zlib.compress(icc))


def _uuid(digest: str) -> str:
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
