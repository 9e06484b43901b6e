"""Files a resident might upload: small real images made with Pillow."""

from __future__ import annotations

import io

from PIL import Image


def jpeg(colour: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (64, 48)) -> bytes:
    """A real JPEG photo of one colour."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()
