"""The face printable documents are set in: Noto Serif CJK SC, cut down to GB 2312.

WeasyPrint embeds a subset of each face a document uses but keeps the glyph ids, so
embedding a face costs time in proportion to the glyph ids of the font, not only to
the glyphs used. The SC face of Debian's Noto Serif CJK collection holds 65,535
glyphs (the collection's Japanese, Korean and traditional forms and the vertical
forms share it), and embedding its regular and bold faces took about 170 ms of a
450 ms case file (bench/README.md).

So each weight is cut, once per machine, to the characters of GB 2312 (its 6,763
hanzi cover nearly all running Chinese text) and Latin, punctuation and symbols:
about 8,300 glyphs with the same outlines. Embedding one then takes about a
quarter of the time. A character outside it, such as 堃 or 𠇔 in a name, falls
through the font list of `templates/pdf/pdf.css` to the whole Noto Serif CJK SC,
which draws it in the same design; only that document pays for the larger face.

The cut faces are written to `settings.PDF_FONT_DIR`, named after a digest of
their source file and of the tools that cut them, so an upgraded font package or
library gives new files. HarfBuzz's subsetter (uharfbuzz) takes about half a
second a face. Should it fail, documents use the whole faces, only slower.
"""

import hashlib
import logging
import os
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FAMILY = "Noto Serif CJK SC GB2312"  # the first family of every font list in pdf.css
SOURCE_FAMILY = "Noto Serif CJK SC"
SOURCES = {"normal": "NotoSerifCJK-Regular.ttc", "bold": "NotoSerifCJK-Bold.ttc"}
FONT_DIRS = [
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local" / "share" / "fonts",
]
# Besides GB 2312: Latin, general punctuation and symbols (arrows, ①, ○, ×, …),
# CJK punctuation, and full-width forms.
EXTRA_RANGES = [(0x20, 0x250), (0x2000, 0x2700), (0x3000, 0x3100), (0xFF00, 0xFFF0)]
VERSION = "1"  # change when the character set or the subsetting options change


def gb2312() -> set[int]:
    """The code points of GB 2312, read from Python's codec."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


def find_source(filename: str) -> Path | None:
    for directory in FONT_DIRS:
        if directory.is_dir():
            for path in sorted(directory.rglob(filename)):
                return path
    return None


def cut(source: Path, target: Path) -> None:
    """Write the SC face of the collection `source`, cut to GB 2312 and symbols, to `target`."""
    import uharfbuzz as hb

    blob = hb.Blob.from_file_path(str(source))
    for index in range(hb.Face(blob).count):
        face = hb.Face(blob, index)
        if face.get_name(hb.OTNameIdPredefined.FONT_FAMILY) == SOURCE_FAMILY:
            break
    else:
        raise ValueError(f"{source} has no {SOURCE_FAMILY} face")
    chars = gb2312().union(*(range(start, end) for start, end in EXTRA_RANGES))
    subset_input = hb.SubsetInput()
    subset_input.unicode_set.update(chars & set(face.unicodes))
    # Keep only the layout features horizontal Chinese and Latin text uses: the
    # default set would pull in every regional and vertical form of the collection.
    features = subset_input.layout_feature_tag_set
    features.clear()
    features.update(
        int.from_bytes(tag.encode(), "big")
        for tag in ("ccmp", "kern", "liga", "tnum", "pnum", "lnum")
    )
    subset_input.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    data = hb.subset(face, subset_input).blob.data
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(target)  # atomic: concurrent processes never read half a file


def cut_faces() -> dict[str, Path]:
    """The cut face of each weight, cutting it first if need be ({} if impossible)."""
    import uharfbuzz

    faces = {}
    directory = Path(settings.PDF_FONT_DIR)
    for weight, filename in SOURCES.items():
        source = find_source(filename)
        if source is None:
            logger.warning("%s not found: printable documents use the fonts installed.", filename)
            return {}
        stat = source.stat()
        key = f"{source}|{stat.st_size}|{stat.st_mtime_ns}|{uharfbuzz.__version__}|{VERSION}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:12]
        target = directory / f"NotoSerifCJKsc-GB2312-{weight}-{digest}.otf"
        if not target.exists():
            try:
                directory.mkdir(parents=True, exist_ok=True)
                cut(source, target)
            except Exception:  # a slower document, not none
                logger.exception("Could not cut %s: documents use the whole face.", source)
                return {}
        faces[weight] = target.resolve()
    return faces


def font_face_css() -> str:
    """`@font-face` rules for the cut faces ("" if there are none)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; '
        f'src: url("{path.as_uri()}"); }}'
        for weight, path in cut_faces().items()
    )
