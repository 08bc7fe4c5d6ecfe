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


def render(text, size=32, font=FONT, fill="black", background="white"):
    """Black text on white, tightly cropped with a small margin.

    font is a TrueType path; fill and background are PIL colours."""
    font = ImageFont.truetype(font, size)
    left, top, right, bottom = font.getbbox(text)
    margin = size // 4
    image = Image.new("RGB", (right - left + 2 * margin, bottom - top + 2 * margin), background)
    ImageDraw.Draw(image).text((margin - left, margin - top), text, font=font, fill=fill)
    return image


def to_input(image, width=WIDTH):
    """Line image -> 1x3x48xwidth: width 320 for rec, 192 for PaddleOCR's
    classifier (ClsResizeImg is the same resize, normalize and zero pad)."""
    w, h = image.size
    new_w = min(width, int(math.ceil(HEIGHT * w / h)))
    resized = np.asarray(image.resize((new_w, HEIGHT), Image.BILINEAR), dtype=np.float32)
    chw = resized[:, :, ::-1].transpose(2, 0, 1) / 255.0  # RGB -> BGR, HWC -> CHW
    chw = (chw - 0.5) / 0.5
    out = np.zeros((1, 3, HEIGHT, width), dtype=np.float32)
    out[0, :, :, :new_w] = chw
    return out


DET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
DET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def to_det_input(image, height=640, width=640):
    """Page image -> 1x3xHxW for the detector, as PaddleOCR's DetResizeForTest
    (fixed image_shape, both multiples of 32) and NormalizeImage (x/255, then
    ImageNet mean/std, applied to the BGR image as cv2 loads it) do."""
    if height % 32 or width % 32:
        raise ValueError(f"detector input {height}x{width} is not a multiple of 32")
    if image.size != (width, height):
        image = image.resize((width, height), Image.BILINEAR)
    bgr = np.asarray(image.convert("RGB"), dtype=np.float32)[:, :, ::-1] / 255.0
    chw = ((bgr - DET_MEAN) / DET_STD).transpose(2, 0, 1)
    return np.ascontiguousarray(chw[None], dtype=np.float32)


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
