"""A small JPEG test card (colour bars, the source's name, the time), drawn with Pillow.

What the emulated ``DescribeFlowSourceThumbnail`` returns in place of a frame of real video
(MediaConnect API Reference, *ThumbnailDetails*: "Thumbnail Base64 string"; a JPEG) at the size the
User Guide gives, *Viewing thumbnails of the source video*
(https://docs.aws.amazon.com/mediaconnect/latest/ug/monitor-with-thumbnails.html): "a JPEG thumbnail
with a 480 x 270 resolution", whatever the source's resolution (the card states that).
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

_BARS = ((192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192), (192, 0, 0), (0, 0, 192))
WIDTH, HEIGHT = 480, 270


def test_card(name: str, stamp: str, width: int, height: int, detail: str) -> bytes:
    """JPEG bytes: SMPTE-like bars, a black band with ``name``, ``stamp``, resolution and ``detail``."""
    w, h = WIDTH, HEIGHT
    image = Image.new("RGB", (w, h), (16, 16, 16))
    draw = ImageDraw.Draw(image)
    bar = w / len(_BARS)
    for index, colour in enumerate(_BARS):
        draw.rectangle((round(index * bar), 0, round((index + 1) * bar), int(h * 0.62)), fill=colour)
    band = int(h * 0.62)
    draw.rectangle((0, band, w, h), fill=(0, 0, 0))
    big = ImageFont.load_default(size=max(12, h // 9))
    small = ImageFont.load_default(size=max(10, h // 14))
    draw.text((8, band + 4), name, fill=(255, 255, 255), font=big)
    draw.text(
        (8, h - 4), f"{stamp}  {width}x{height} {detail}", fill=(220, 220, 220), font=small, anchor="ls"
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()
