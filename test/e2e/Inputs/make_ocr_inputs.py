#!/usr/bin/python3
"""Writes real-looking inputs for the three PaddleOCR models as .npy files.

  make_ocr_inputs.py OUTDIR   ->  OUTDIR/{rec,cls,det}.npy

rec: one rendered line, 1x3x48x320; cls: the same line at 1x3x48x192;
det: a 640x640 page with several lines, ImageNet-normalized as PaddleOCR's
detector expects.
"""
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "examples", "ocr"))
import ocr_lines  # noqa: E402


def line_input(text, width):
    image = ocr_lines.render(text)
    w, h = image.size
    new_w = min(width, int(np.ceil(48 * w / h)))
    x = np.asarray(image.resize((new_w, 48), Image.BILINEAR), np.float32)
    x = (x[:, :, ::-1].transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
    out = np.zeros((1, 3, 48, width), np.float32)
    out[0, :, :, :new_w] = x
    return out


def page_input():
    page = Image.new("RGB", (640, 640), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(ocr_lines.FONT, 28)
    for i, text in enumerate(ocr_lines.DEMO_LINES):
        draw.text((30 + 10 * i, 40 + 95 * i), text, font=font, fill="black")
    x = np.asarray(page, np.float32) / 255.0
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    x = ((x - mean) / std).astype(np.float32)
    return x.transpose(2, 0, 1)[None].copy()


def write_inputs(out):
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "rec.npy"), line_input(ocr_lines.DEMO_LINES[0], 320))
    np.save(os.path.join(out, "cls.npy"), line_input(ocr_lines.DEMO_LINES[1], 192))
    np.save(os.path.join(out, "det.npy"), page_input())


if __name__ == "__main__":
    write_inputs(sys.argv[1])
