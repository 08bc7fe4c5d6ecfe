#!/usr/bin/python3
"""Render text lines and turn them into PaddleOCR v4 recognizer inputs.

The recognizer takes 1x3x48x320 float32 BGR in [-1, 1]: the line is resized
to height 48 keeping its aspect ratio (width capped at 320) and padded with
zeros on the right, as PaddleOCR's RecResizeImg does.
"""
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
HEIGHT, WIDTH = 48, 320

DEMO_LINES = [
    "Hello, LowBit!",
    "Quantization compiler 2026",
    "The quick brown fox jumps",
    "MLIR lowers to LLVM",
    "Invoice 4711, total 38.50",
    "OPEN 9:00-17:30",
]


def render(text, size=32):
    """Black text on white, tightly cropped with a small margin."""
    font = ImageFont.truetype(FONT, size)
    left, top, right, bottom = font.getbbox(text)
    margin = size // 4
    image = Image.new("RGB", (right - left + 2 * margin, bottom - top + 2 * margin), "white")
    ImageDraw.Draw(image).text((margin - left, margin - top), text, font=font, fill="black")
    return image


def to_input(image):
    w, h = image.size
    new_w = min(WIDTH, int(math.ceil(HEIGHT * w / h)))
    resized = np.asarray(image.resize((new_w, HEIGHT), Image.BILINEAR), dtype=np.float32)
    chw = resized[:, :, ::-1].transpose(2, 0, 1) / 255.0  # RGB -> BGR, HWC -> CHW
    chw = (chw - 0.5) / 0.5
    out = np.zeros((1, 3, HEIGHT, WIDTH), dtype=np.float32)
    out[0, :, :, :new_w] = chw
    return out


def load_keys(path):
    """Class 0 is the CTC blank; then the dictionary; then a space."""
    with open(path, encoding="utf-8") as f:
        keys = [line.rstrip("\n") for line in f]
    return ["<blank>"] + keys + [" "]


def ctc_decode(probs, keys):
    """Greedy CTC: best class per step, merge repeats, drop blanks."""
    best = probs.reshape(-1, probs.shape[-1]).argmax(axis=1)
    text, prev = [], 0
    for idx in best:
        if idx != prev and idx != 0:
            text.append(keys[idx])
        prev = idx
    return "".join(text)
