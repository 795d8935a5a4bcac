"""The text of a PDF, read from its bytes (no PDF library): enough to check what an invoice says.

WeasyPrint writes each run of text as glyph ids (``<0012003f> Tj`` or ``[<...> -12 <...>] TJ``)
and gives every font a ``ToUnicode`` map from glyph ids back to characters. This reads every
stream (inflated), merges the maps and decodes the text operators of the content streams, in
page order, one text operator per space-separated piece.
"""

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.DOTALL)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")
_TEXT = re.compile(rb"\[((?:[^\]\\]|\\.)*)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj")


def _streams(pdf: bytes) -> list[bytes]:
    streams = []
    for match in _STREAM.finditer(pdf):
        raw = match.group(1)
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    return streams


def _unicode(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be")


def _cmap(streams: list[bytes]) -> dict[int, str]:
    glyphs: dict[int, str] = {}
    for stream in streams:
        if b"begincmap" not in stream:
            continue
        for block in _BFCHAR.findall(stream):
            codes = _HEX.findall(block)
            for code, text in zip(codes[::2], codes[1::2], strict=False):
                glyphs[int(code, 16)] = _unicode(text)
        for block in _BFRANGE.findall(stream):
            codes = _HEX.findall(block)
            for low, high, start in zip(codes[::3], codes[1::3], codes[2::3], strict=False):
                first = ord(_unicode(start)[-1])
                for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    glyphs[code] = chr(first + offset)
    return glyphs


def pdf_text(pdf: bytes) -> str:
    streams = _streams(pdf)
    glyphs = _cmap(streams)
    pieces = []
    for stream in streams:
        if b"begincmap" in stream or b"Tj" not in stream and b"TJ" not in stream:
            continue
        for array, single in _TEXT.findall(stream):
            hexes = _HEX.findall(array) if array else [single]
            text = "".join(
                glyphs.get(int(chunk[i : i + 4], 16), "")
                for chunk in hexes
                for i in range(0, len(chunk), 4)
            )
            pieces.append(text)
    return " ".join(pieces)
