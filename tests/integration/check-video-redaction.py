#!/usr/bin/python3
"""Check, frame by frame, that a rendered reel hides every uncleared face of a
clip made by tests/fixtures/faces/make-moving-clip.py and leaves the cleared
one as it was. Independent of igprep's code: it reads the files with OpenCV.

usage: check-video-redaction.py TRUTH.json OUT POST_ID [--cleared NAME]... [--master]
                                [--cards TEMPLATE.json]

TRUTH.json   the true face box of each face in each source frame
OUT          the run folder: reports/reels/<POST_ID>.json (contract of issue 6:
             {"source", "fps", "trim", "outputs": [{"file", "start", "frames"}],
             "crop": [w, h], "frames": [[t, x, y], ...]}), the outputs it names,
             masters/<source>.mp4 (scrubbed, unredacted) and, with --master,
             masters/redacted/<source>.mp4 (the archived master of the trim range)
--cleared    a true face whose track the editor cleared (by its name in TRUTH)
--master     also check the full-size redacted master, frame by frame
--cards      the reel's template: where its title and end cards (shapes drawn
             over the picture for its first title_seconds and last
             end_seconds) cover a cleared face, that frame does not count for
             it (a card over a face is the template's, not a redaction)

For each output frame the source frame shown (time t) is read from the
unredacted master, cut at the window (x, y, w, h) and scaled to the output
size: the reference. Each true face box is mapped into the output
((b.x - x) * W / w, ...); faces with less than 40 % of their box or under
16 px inside the frame are skipped. A face counts as hidden when the fine
detail of its box (grey, 64 px wide, minus its own Gaussian blur of sigma 1,
as verify_faces.c does) correlates with the reference's by at most 0.35; the
cleared one must correlate by at least 0.7 (resampling and H.264 only).
Prints a summary per face; exits 1 on any failure.
"""
import json
import os
import sys

import cv2
import numpy as np

MAX_HIDDEN_CORRELATION = 0.35
MIN_CLEARED_CORRELATION = 0.70
MIN_VISIBLE = 0.40
MIN_SIDE = 16
COMPARE_WIDTH = 64


def detail(img, box):
    x, y, w, h = [int(round(v)) for v in box]
    grey = cv2.cvtColor(img[y:y + h, x:x + w], cv2.COLOR_BGR2GRAY).astype(np.float64)
    scale = COMPARE_WIDTH / w
    small = cv2.resize(grey, (COMPARE_WIDTH, max(4, int(round(h * scale)))), interpolation=cv2.INTER_AREA)
    return small - cv2.GaussianBlur(small, (0, 0), 1.0)


def correlation(a, b):
    a, b = a - a.mean(), b - b.mean()
    saa, sbb = (a * a).sum(), (b * b).sum()
    return 0.0 if saa < 1e-6 or sbb < 1e-6 else float((a * b).sum() / np.sqrt(saa * sbb))


def clip_box(box, width, height):
    """The part of box inside the frame, and which fraction of it that is."""
    x0, y0 = max(0.0, box[0]), max(0.0, box[1])
    x1, y1 = min(width, box[0] + box[2]), min(height, box[1] + box[3])
    if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
        return None, 0.0
    return [x0, y0, x1 - x0, y1 - y0], (x1 - x0) * (y1 - y0) / (box[2] * box[3])


class Frames:
    """Frames of a video in order, by index (moving forward only)."""

    def __init__(self, path):
        self.cap = cv2.VideoCapture(path)
        if not self.cap.isOpened():
            sys.exit(f"cannot read {path}")
        self.index, self.frame = -1, None

    def at(self, index):
        while self.index < index:
            ok, frame = self.cap.read()
            if not ok:
                return None
            self.index, self.frame = self.index + 1, frame
        return self.frame


class Tally:
    def __init__(self):
        self.faces = {}
        self.failures = 0

    def add(self, where, frame, name, cleared, corr):
        ok = corr >= MIN_CLEARED_CORRELATION if cleared else corr <= MAX_HIDDEN_CORRELATION
        r = self.faces.setdefault((where, name), {"frames": 0, "failed": [], "worst": None, "cleared": cleared})
        r["frames"] += 1
        worse = (lambda a, b: a < b) if cleared else (lambda a, b: a > b)
        if r["worst"] is None or worse(corr, r["worst"]):
            r["worst"] = corr
        if not ok:
            r["failed"].append(frame)
            self.failures += 1

    def print(self):
        for (where, name), r in sorted(self.faces.items()):
            state = "cleared, must show" if r["cleared"] else "hidden"
            status = "ok  " if not r["failed"] else "FAIL"
            print(f'{status} {where}: {name} ({state}) in {r["frames"]} frames, worst detail correlation '
                  f'{r["worst"]:.2f}' + (f', failing frames {r["failed"][:20]} (of that file)' if r["failed"] else ""))


def card_boxes(template, fps, frames):
    """(first frame, last frame + 1, box) of each title or end card shape."""
    if template is None:
        return []
    t = json.load(open(template))
    spans = {"title": (0, int(round(t.get("title_seconds", 0) * fps))),
             "end": (frames - int(round(t.get("end_seconds", 0) * fps)), frames)}
    return [spans[e["when"]] + (e["box"],) for e in t.get("layers", [])
            if e.get("type") == "shape" and e.get("when") in spans]


def under_card(cards, j, box):
    return any(a <= j < b and box[0] < c[0] + c[2] and c[0] < box[0] + box[2]
               and box[1] < c[1] + c[3] and c[1] < box[1] + box[3] for a, b, c in cards)


def check_outputs(truth, out, report, cleared, tally, template=None):
    src_fps = truth["fps"]
    source = Frames(os.path.join(out, "masters", report["source"] + ".mp4"))
    crop_w, crop_h = report["crop"]
    k = 0
    for output in report["outputs"]:
        video = Frames(os.path.join(out, output["file"]))
        cards = card_boxes(template, report.get("fps", 30), output["frames"])
        for j in range(output["frames"]):
            t, x, y = report["frames"][k]
            k += 1
            frame = video.at(j)
            if frame is None:
                print(f'FAIL {output["file"]}: frame {j} missing')
                tally.failures += 1
                break
            n = int(round(t * src_fps))
            if n >= truth["frames"]:
                continue
            src = source.at(n)
            if src is None:
                continue
            H, W = frame.shape[:2]
            ref = cv2.resize(src[int(y):int(y) + crop_h, int(x):int(x) + crop_w], (W, H),
                             interpolation=cv2.INTER_AREA)
            sx, sy = W / crop_w, H / crop_h
            for face in truth["faces"]:
                b = face["boxes"][n]
                mapped = [(b[0] - x) * sx, (b[1] - y) * sy, b[2] * sx, b[3] * sy]
                box, visible = clip_box(mapped, W, H)
                if box is None or visible < MIN_VISIBLE:
                    continue
                if face["name"] in cleared and under_card(cards, j, box):
                    continue
                corr = correlation(detail(ref, box), detail(frame, box))
                tally.add(output["file"], j, face["name"], face["name"] in cleared, corr)
    if k != len(report["frames"]):
        print(f"FAIL report: {len(report['frames'])} frames listed, {k} in the outputs")
        tally.failures += 1


def check_master(truth, out, report, cleared, tally):
    """The archived redacted master: full size, the trim range."""
    src_fps = truth["fps"]
    name = report["source"]
    source = Frames(os.path.join(out, "masters", name + ".mp4"))
    redacted = Frames(os.path.join(out, "masters", "redacted", name + ".mp4"))
    first = int(round(report["trim"][0] * src_fps))
    where = f"masters/redacted/{name}.mp4"
    j = 0
    while True:
        frame = redacted.at(j)
        n = first + j
        if frame is None or n >= truth["frames"]:
            break
        src = source.at(n)
        if src is None:
            break
        H, W = frame.shape[:2]
        for face in truth["faces"]:
            box, visible = clip_box(face["boxes"][n], W, H)
            if box is None or visible < MIN_VISIBLE:
                continue
            tally.add(where, j, face["name"], face["name"] in cleared,
                      correlation(detail(src, box), detail(frame, box)))
        j += 1
    if j == 0:
        print(f"FAIL {where}: no frames")
        tally.failures += 1


def main():
    args = sys.argv[1:]
    cleared = [args[i + 1] for i, a in enumerate(args) if a == "--cleared"]
    truth = json.load(open(args[0]))
    out, post = args[1], args[2]
    report = json.load(open(os.path.join(out, "reports", "reels", post + ".json")))
    tally = Tally()
    template = args[args.index("--cards") + 1] if "--cards" in args else None
    check_outputs(truth, out, report, cleared, tally, template)
    if "--master" in args:
        check_master(truth, out, report, cleared, tally)
    tally.print()
    if not tally.faces:
        print("FAIL no face was checked")
        sys.exit(1)
    sys.exit(1 if tally.failures else 0)


if __name__ == "__main__":
    main()
