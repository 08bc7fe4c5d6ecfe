#!/usr/bin/python3
"""Deterministic calibration and held-out evaluation data for PaddleOCR v4.

Usage: dataset.py OUT_DIR [--lines N] [--cls-lines N] [--calib N] [--pages N]
                  [--calib-pages N] [--seed S]

Writes, under OUT_DIR:

  calib/rec/sample_NNNN.npy   rec inputs, 1x3x48x320 float32 (ocr_lines.to_input)
  calib/cls/sample_NNNN.npy   cls inputs, 1x3x48x192 float32 (PaddleOCR ClsResizeImg)
  calib/det/sample_NNNN.npy   det inputs, 1x3x640x640 float32 (DetResizeForTest +
                              NormalizeImage)
  eval/rec/   sample_NNNN.npy + .png, labels.txt   ("file<TAB>text" per line)
  eval/cls/   sample_NNNN.npy + .png, labels.txt   ("file<TAB>0" or "file<TAB>180")
  eval/det/   sample_NNNN.npy + .png, boxes.json   (axis-aligned ground-truth line
              boxes: ink extent horizontally, cap height to descender line vertically)
  MANIFEST.json                seed, counts, generator version, rendering ranges

Texts come from a word list and templates in this file (English words and
sentences, numbers, dates, times, prices, codes, punctuation, mixed case),
drawn with a seeded RNG; only ASCII characters that are in ppocr_keys_v1.txt
(all printable ASCII) plus the space, since DejaVu has no CJK glyphs. No
straight quotes: the recognizer reads them as the dictionary's curly ones.
Evaluation texts never occur in the calibration texts of the same model
(asserted). Each part draws from its own RNG stream, so --lines does not
change the calibration set and vice versa.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocr_lines  # noqa: E402

GENERATOR_VERSION = "lowbit-ocr-eval/1"
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_NAMES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf",
              "DejaVuSansMono.ttf", "DejaVuSansCondensed.ttf",
              "DejaVuSerif-Bold.ttf"]
REC_WIDTH, CLS_WIDTH, DET_SIZE = 320, 192, 640
# Rendering ranges per task: font size (px), text and background gray level,
# Gaussian noise sigma, share of blurred images and blur radius. rec lines are
# mildly degraded; cls lines more (clean Latin lines are trivially easy for
# the angle classifier); det pages draw their lines' sizes from 18-40 px.
PROFILES = {
    "rec": {"size": (24, 40), "fg": (0, 80), "bg": (190, 255), "noise": (0.0, 8.0),
            "blur_share": 0.3, "blur": (0.3, 0.7)},
    "cls": {"size": (24, 40), "fg": (0, 120), "bg": (150, 255), "noise": (0.0, 20.0),
            "blur_share": 0.5, "blur": (0.5, 1.5)},
    "det": {"size": (18, 40), "fg": (0, 80), "bg": (190, 255), "noise": (0.0, 6.0),
            "blur_share": 0.25, "blur": (0.3, 0.6)},
}
MAX_LINE_ASPECT = 9.0           # wider lines get squeezed too much into 48x320

WORDS = """
the of and to in is for on with as by at from this that are was be or an
it not have but all new more one can will about time year day people way
data model report total order invoice price number date page account name
city street house road phone email office store market water light power
open close start stop ready check update delivery payment receipt balance
customer service support quality table chart summary section chapter note
morning evening weekend holiday meeting project budget office station
north south east west center river garden bridge museum library school
green blue red black white silver golden small large quick brown lazy fox
jumps over bright simple fast early late final first second third last
coffee bread cheese apple orange lemon salad pasta pizza tea milk sugar
train ticket flight gate seat platform arrival departure hotel room floor
camera screen battery cable charger laptop printer paper window door key
compiler kernel memory buffer tensor layer weight vector matrix scale
""".split()
CAPITALIZED = """
London Paris Berlin Tokyo Boston Madrid Vienna Oslo Dublin Prague Zurich
Monday Tuesday Friday Sunday January March April June October December
Alice Bob Carol David Emma Frank Grace Henry Laura Peter Sarah Thomas
""".split()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
CURRENCIES = ["$", "EUR ", "USD ", "GBP ", "CHF "]
CODE_PREFIXES = ["INV", "SKU", "REF", "ID", "PO", "NO", "ORD", "TX", "LOT", "BOX"]
UNITS = ["kg", "km", "ml", "cm", "mm", "GB", "MB", "kW", "pcs", "min"]
LABELS = ["Total", "Subtotal", "Tax", "Amount", "Due", "Paid", "Change",
          "Balance", "Fee", "Price", "Sum", "Net"]


# ---------------------------------------------------------------- texts ----

def _case(rng, words):
    style = rng.integers(6)
    if style == 0:
        return [w.upper() for w in words]
    if style <= 2:
        return [w.capitalize() for w in words]
    words = list(words)
    words[0] = words[0].capitalize()
    return words


def _number(rng):
    kind = rng.integers(4)
    if kind == 0:
        return str(int(rng.integers(0, 100000)))
    if kind == 1:
        return f"{int(rng.integers(1000, 999999)):,}"
    if kind == 2:
        return f"{rng.uniform(0, 1000):.{int(rng.integers(1, 4))}f}"
    return f"{rng.uniform(-100, 100):.1f}"


def _sentence(rng):
    n = int(rng.integers(2, 5))
    pool = WORDS if rng.random() < 0.8 else WORDS + CAPITALIZED
    words = _case(rng, [pool[i] for i in rng.integers(0, len(pool), n)])
    text = " ".join(words)
    if rng.random() < 0.4:
        text += str(rng.choice([".", "!", "?", ":", ";", ","]))
    return text


def _date(rng):
    y, m, d = int(rng.integers(1990, 2036)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    hh, mm = int(rng.integers(0, 24)), int(rng.integers(0, 60))
    forms = [f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f"{d:02d}.{m:02d}.{y}",
             f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1]} {y}",
             f"{hh:02d}:{mm:02d}", f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}",
             f"Date: {d:02d}/{m:02d}/{y}", f"OPEN {hh % 12 + 6}:{mm:02d}-{hh % 6 + 17}:00"]
    return forms[int(rng.integers(len(forms)))]


def _price(rng):
    amount = f"{rng.uniform(0.1, 5000):,.2f}" if rng.random() < 0.5 else \
        f"{rng.uniform(0.1, 99):.2f}"
    cur = str(rng.choice(CURRENCIES))
    forms = [f"{cur}{amount}", f"{rng.choice(LABELS)}: {cur}{amount}",
             f"{rng.choice(LABELS)} {amount}", f"{amount} {cur.strip()}",
             f"{int(rng.integers(1, 20))} x {amount}", f"-{int(rng.integers(5, 60))}%"]
    return forms[int(rng.integers(len(forms)))]


def _code(rng):
    prefix = str(rng.choice(CODE_PREFIXES))
    y = int(rng.integers(2018, 2031))
    letters = "".join(chr(65 + int(c)) for c in rng.integers(0, 26, 2))
    forms = [f"{prefix}-{y}-{int(rng.integers(1, 10000)):04d}",
             f"{prefix}-{letters}{int(rng.integers(1, 10))}-{int(rng.integers(100, 1000))}",
             f"{prefix} #{int(rng.integers(10000, 99999))}",
             f"{prefix}/{y % 100:02d}/{int(rng.integers(1, 9999)):04d}",
             f"Order #{int(rng.integers(1000, 99999))}",
             f"{letters}{int(rng.integers(10, 99))} {int(rng.integers(100, 999))}",
             f"Tel. +{int(rng.integers(1, 99))} {int(rng.integers(10, 999))} "
             f"{int(rng.integers(100000, 9999999))}"]
    return forms[int(rng.integers(len(forms)))]


def _mixed(rng):
    w = str(rng.choice(WORDS))
    cap = str(rng.choice(CAPITALIZED))
    forms = [f"Page {int(rng.integers(1, 20))} of {int(rng.integers(20, 400))}",
             f"Room {int(rng.integers(100, 999))}, Floor {int(rng.integers(1, 12))}",
             f"{_number(rng)} {rng.choice(UNITS)}",
             f"{w}@{rng.choice(WORDS)}.com", f"({w.capitalize()} {int(rng.integers(1, 99))})",
             f"{cap}, {w} {int(rng.integers(1, 300))}", f"{w.capitalize()} & {cap}",
             f"www.{w}{rng.choice(WORDS)}.org", f"{int(rng.integers(1, 100))}% {w}",
             f"Gate {chr(65 + int(rng.integers(0, 8)))}{int(rng.integers(1, 40))}",
             f"{cap} {int(rng.integers(1, 100))}/{int(rng.integers(1, 100))}"]
    return forms[int(rng.integers(len(forms)))]


GENERATORS = [(_sentence, 0.40), (_number, 0.08), (_date, 0.14), (_price, 0.14),
              (_code, 0.14), (_mixed, 0.10)]


def make_text(rng, min_len=1, max_len=26):
    funcs = [g for g, _ in GENERATORS]
    weights = np.array([w for _, w in GENERATORS])
    while True:
        text = funcs[int(rng.choice(len(funcs), p=weights / weights.sum()))](rng)
        if min_len <= len(text) <= max_len and text == text.strip():
            return text


def unique_texts(rng, n, exclude=(), **kw):
    """n distinct texts, none of them in exclude."""
    seen, texts = set(exclude), []
    while len(texts) < n:
        text = make_text(rng, **kw)
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return texts


# ------------------------------------------------------------ rendering ----

def fonts():
    found = [os.path.join(FONT_DIR, f) for f in FONT_NAMES
             if os.path.exists(os.path.join(FONT_DIR, f))]
    if not found:
        sys.exit(f"dataset.py: error: no DejaVu fonts under {FONT_DIR} "
                 "(install fonts-dejavu-core)")
    return found


def randint(rng, bounds):
    return int(rng.integers(bounds[0], bounds[1] + 1))


def random_style(rng, font_list, profile):
    p = PROFILES[profile]
    return {"font": font_list[int(rng.integers(len(font_list)))],
            "size": randint(rng, p["size"]), "fg": randint(rng, p["fg"]),
            "bg": randint(rng, p["bg"]), "noise": float(rng.uniform(*p["noise"])),
            "blur": float(rng.uniform(*p["blur"])) if rng.random() < p["blur_share"] else 0.0}


def degrade(image, rng, style):
    """Slight blur and Gaussian noise, as a scanned or photographed line."""
    if style["blur"] > 0:
        image = image.filter(ImageFilter.GaussianBlur(style["blur"]))
    if style["noise"] > 0:
        pixels = np.asarray(image, dtype=np.float32)
        pixels = pixels + rng.normal(0.0, style["noise"], pixels.shape[:2])[..., None]
        image = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))
    return image


def render_line(text, rng, font_list, profile="rec", max_aspect=MAX_LINE_ASPECT):
    """A styled, degraded line image. Re-draws the style (up to 20 times)
    while the line is wider than max_aspect x its height, preferring narrower
    fonts for long lines, which to_input squeezes into 48x320."""
    for _ in range(20):
        style = random_style(rng, font_list, profile)
        gray = lambda v: (v, v, v)  # noqa: E731
        image = ocr_lines.render(text, size=style["size"], font=style["font"],
                                 fill=gray(style["fg"]), background=gray(style["bg"]))
        w, h = image.size
        if w / h <= max_aspect:
            break
    return degrade(image, rng, style), style


def render_page(texts, rng, font_list, size=DET_SIZE):
    """A page with the given lines at random non-overlapping positions.

    Returns the page and, per placed line, its text and its box [x0, y0, x1,
    y1] (x1/y1 exclusive) in page pixels."""
    p = PROFILES["det"]
    bg = randint(rng, p["bg"])
    page = Image.new("RGB", (size, size), (bg, bg, bg))
    placed, boxes = [], []
    for text in texts:
        font_path = font_list[int(rng.integers(len(font_list)))]
        font_size = randint(rng, p["size"])
        font = ImageFont.truetype(font_path, font_size)
        left, top, right, bottom = font.getbbox(text)
        w, h = right - left, bottom - top
        if w > size - 40:
            continue
        gap = max(8, font_size // 2)
        for _ in range(60):
            x = int(rng.integers(20, size - 20 - w + 1))
            y = int(rng.integers(20, size - 20 - h + 1))
            box = (x, y, x + w, y + h)
            if all(box[2] + gap <= b[0] or b[2] + gap <= box[0] or
                   box[3] + gap <= b[1] or b[3] + gap <= box[1] for b in boxes):
                break
        else:
            continue
        mask = Image.new("L", (size, size), 0)
        ImageDraw.Draw(mask).text((x - left, y - top), text, font=font, fill=255)
        fg = randint(rng, p["fg"])
        page.paste(Image.new("RGB", (size, size), (fg, fg, fg)), (0, 0), mask)
        # The line's box: its ink horizontally; vertically from the cap
        # height (or higher ink) to the descender line (or lower ink), so
        # "10:21" and "Jg" get the same line height, as in DB's line labels.
        ys, xs = np.nonzero(np.asarray(mask) > 96)
        origin_y = y - top
        cap_top = origin_y + font.getbbox("H")[1]
        line_bottom = origin_y + sum(font.getmetrics())
        boxes.append(box)
        placed.append({"text": text, "box": [int(xs.min()), min(int(ys.min()), cap_top),
                                             int(xs.max()) + 1,
                                             max(int(ys.max()) + 1, line_bottom)]})
    style = {"noise": float(rng.uniform(*p["noise"])),
             "blur": float(rng.uniform(*p["blur"])) if rng.random() < p["blur_share"] else 0.0}
    return degrade(page, rng, style), placed


# --------------------------------------------------------------- writing ----

def write_sample(directory, index, x, image=None):
    name = f"sample_{index:04d}.npy"
    np.save(os.path.join(directory, name), x)
    if image is not None:
        image.save(os.path.join(directory, name[:-4] + ".png"))
    return name


def page_texts(rng, exclude):
    n = int(rng.integers(4, 9))
    texts = []
    for text in unique_texts(rng, 3 * n, exclude=exclude, max_len=30):
        if len(texts) == n:
            break
        texts.append(text)
    return texts


def generate(out, args):
    font_list = fonts()
    stream = lambda k: np.random.default_rng([args.seed, k])  # noqa: E731
    dirs = {p: os.path.join(out, p) for p in
            ("calib/rec", "calib/cls", "calib/det", "eval/rec", "eval/cls", "eval/det")}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):  # a re-run replaces the previous set
            if f.startswith("sample_") or f in ("labels.txt", "boxes.json"):
                os.remove(os.path.join(d, f))

    # rec: calibration and held-out lines, texts disjoint.
    rng = stream(1)
    # The demo lines (ocr_lines.DEMO_LINES) are test lines too.
    calib_rec = unique_texts(rng, args.calib, exclude=ocr_lines.DEMO_LINES)
    for i, text in enumerate(calib_rec):
        image, _ = render_line(text, rng, font_list)
        write_sample(dirs["calib/rec"], i, ocr_lines.to_input(image, REC_WIDTH))
    rng = stream(2)
    eval_rec = unique_texts(rng, args.lines, exclude=calib_rec)
    assert not set(eval_rec) & set(calib_rec), "rec eval texts leak into calib"
    assert not set(ocr_lines.DEMO_LINES) & set(calib_rec), "demo lines leak into calib"
    with open(os.path.join(dirs["eval/rec"], "labels.txt"), "w", encoding="utf-8") as f:
        for i, text in enumerate(eval_rec):
            image, _ = render_line(text, rng, font_list)
            name = write_sample(dirs["eval/rec"], i, ocr_lines.to_input(image, REC_WIDTH), image)
            f.write(f"{name}\t{text}\n")

    # cls: lines of at least 4 characters (shorter ones can read the same
    # upside down), half of them rotated by 180 degrees.
    rng = stream(3)
    calib_cls = unique_texts(rng, args.calib, min_len=4)
    for i, text in enumerate(calib_cls):
        image, _ = render_line(text, rng, font_list, "cls")
        if i % 2:
            image = image.rotate(180)
        write_sample(dirs["calib/cls"], i, ocr_lines.to_input(image, CLS_WIDTH))
    rng = stream(4)
    eval_cls = unique_texts(rng, args.cls_lines, exclude=calib_cls, min_len=4)
    assert not set(eval_cls) & set(calib_cls), "cls eval texts leak into calib"
    rotated = np.zeros(len(eval_cls), dtype=bool)
    rotated[rng.permutation(len(eval_cls))[:len(eval_cls) // 2]] = True
    with open(os.path.join(dirs["eval/cls"], "labels.txt"), "w", encoding="utf-8") as f:
        for i, text in enumerate(eval_cls):
            image, _ = render_line(text, rng, font_list, "cls")
            if rotated[i]:
                image = image.rotate(180)
            name = write_sample(dirs["eval/cls"], i, ocr_lines.to_input(image, CLS_WIDTH), image)
            f.write(f"{name}\t{180 if rotated[i] else 0}\n")

    # det: pages with 4-8 lines each, ground-truth ink boxes.
    rng = stream(5)
    calib_det_texts = set()
    for i in range(args.calib_pages):
        texts = page_texts(rng, calib_det_texts)
        calib_det_texts.update(texts)
        page, _ = render_page(texts, rng, font_list)
        write_sample(dirs["calib/det"], i, ocr_lines.to_det_input(page, DET_SIZE, DET_SIZE))
    rng = stream(6)
    pages, eval_det_texts = [], set()
    for i in range(args.pages):
        texts = page_texts(rng, calib_det_texts | eval_det_texts)
        eval_det_texts.update(texts)
        page, placed = render_page(texts, rng, font_list)
        name = write_sample(dirs["eval/det"], i,
                            ocr_lines.to_det_input(page, DET_SIZE, DET_SIZE), page)
        pages.append({"file": name, "boxes": [p["box"] for p in placed],
                      "texts": [p["text"] for p in placed]})
    assert not eval_det_texts & calib_det_texts, "det eval texts leak into calib"
    with open(os.path.join(dirs["eval/det"], "boxes.json"), "w") as f:
        json.dump({"image_size": [DET_SIZE, DET_SIZE],
                   "box_format": "x0 y0 x1 y1, pixels of the model input, x1/y1 exclusive; "
                                 "ink extent in x, cap height to descender line in y",
                   "pages": pages}, f, indent=1)

    manifest = {
        "generator": GENERATOR_VERSION, "seed": args.seed,
        "counts": {"calib/rec": len(calib_rec), "calib/cls": len(calib_cls),
                   "calib/det": args.calib_pages, "eval/rec": len(eval_rec),
                   "eval/cls": len(eval_cls), "eval/cls rotated": int(rotated.sum()),
                   "eval/det": len(pages),
                   "eval/det boxes": sum(len(p["boxes"]) for p in pages)},
        "inputs": {"rec": [1, 3, 48, REC_WIDTH], "cls": [1, 3, 48, CLS_WIDTH],
                   "det": [1, 3, DET_SIZE, DET_SIZE]},
        "rendering": {"fonts": [os.path.basename(f) for f in font_list],
                      "profiles": PROFILES, "max_line_aspect": MAX_LINE_ASPECT},
    }
    with open(os.path.join(out, "MANIFEST.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--lines", type=int, default=240, help="held-out rec lines")
    parser.add_argument("--cls-lines", type=int, default=200, help="held-out cls lines")
    parser.add_argument("--calib", type=int, default=64, help="calibration lines (rec, cls)")
    parser.add_argument("--pages", type=int, default=24, help="held-out det pages")
    parser.add_argument("--calib-pages", type=int, default=8, help="calibration det pages")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    for name in ("lines", "cls_lines", "calib", "pages", "calib_pages"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must be >= 0")
    start = time.perf_counter()
    manifest = generate(args.out_dir, args)
    counts = ", ".join(f"{k} {v}" for k, v in manifest["counts"].items())
    print(f"wrote {args.out_dir} (seed {args.seed}): {counts} "
          f"in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
