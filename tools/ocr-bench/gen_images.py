#!/usr/bin/env python3
"""Render the OCR benchmark images and their ground truth.

Why rendered, not committed: the benchmark needs a thousand images of varying
sizes; rendering them from a seed is reproducible and keeps the repository
small. The text is known exactly, so both engines can be scored against it.

    python gen_images.py OUT_DIR [--pages 5] [--mem-images 1000] [--seed 7] [--page-margin 100]

Writes OUT_DIR/pages/page_NN.png (A4 at 150 dpi: 1240 x 1754, about 30 lines of
English with some Chinese and digit lines), OUT_DIR/mem/img_NNNN.png (varying
sizes, 1 to 12 lines) and OUT_DIR/truth.json ({"pages": {name: text},
"mem": {name: text}}, lines joined with newlines).

Needs Pillow and the fonts of Debian's fonts-dejavu-core and fonts-noto-cjk.
"""
import argparse
import json
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

A4_150DPI = (1240, 1754)

WORDS = """
the of and to in is that for it as was with be by on not he this are or his from at which but have an they
you were her she there been one all we their has would when if so no what up out who them some into more
time only could new other then about these than its two may first any like now my over such our man me even
most made after also did many before must through back years where much your way well down should because
each just those people how too little state good very make world still own see men work long here get both
between life being under never day same another know while last might great old year off come since against
go came right used take three meeting agenda minutes budget project report review quarterly schedule office
invoice customer delivery contract proposal summary decision action item owner deadline approved pending
attendees room floor building access network server update release version security policy training travel
expense receipt payment account balance transfer reference number department finance engineering marketing
sales support quality planning research design product service platform analysis system document record
""".split()

CHINESE = [
    "会议纪要", "项目进度报告", "本季度预算审批", "请于周五前提交文件", "客户服务中心",
    "财务部门负责人", "发票号码", "会议室预订", "技术支持热线", "产品发布计划",
    "年度工作总结", "人力资源部", "合同已签署", "请确认收到", "数据分析结果",
    "北京市朝阳区", "上海浦东新区", "深圳南山科技园", "联系电话", "电子邮件地址",
    "中文识别测试", "文字识别准确率", "下一步行动计划", "质量管理体系", "安全培训课程",
]


def digit_line(rng):
    kinds = [
        lambda: f"{rng.randint(2019, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        lambda: f"+41 {rng.randint(70, 79)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        lambda: f"{rng.randint(1, 99999):,}.{rng.randint(0, 99):02d}",
        lambda: f"{rng.randint(10000000, 99999999)}",
        lambda: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        lambda: f"{rng.randint(1, 100)}%",
    ]
    return " ".join(rng.choice(kinds)() for _ in range(rng.randint(2, 5)))


def english_line(rng, font, max_w):
    words = []
    while True:
        word = rng.choice(WORDS)
        if rng.random() < 0.08:
            word = word.capitalize()
        if rng.random() < 0.06:
            word += rng.choice([",", ".", ":"])
        if rng.random() < 0.05:
            word = str(rng.randint(1, 2030))
        cand = " ".join(words + [word])
        if font.getlength(cand) > max_w:
            break
        words.append(word)
    return " ".join(words) if words else rng.choice(WORDS)


def chinese_line(rng, font, max_w):
    parts = []
    while True:
        piece = rng.choice(CHINESE)
        if rng.random() < 0.3:
            piece += str(rng.randint(1, 999))
        cand = "，".join(parts + [piece])
        if font.getlength(cand) > max_w:
            break
        parts.append(piece)
    return "，".join(parts) if parts else rng.choice(CHINESE)[:2]


def pick_line(rng, kind, size, max_w):
    """A line of `kind` that fits `max_w` pixels, and the font to draw it with."""
    if kind == "zh":
        font = ImageFont.truetype(CJK, size)
        return chinese_line(rng, font, max_w), font
    font = ImageFont.truetype(SANS if rng.random() < 0.8 else SERIF, size)
    if kind == "digits":
        text = digit_line(rng)
        while font.getlength(text) > max_w and " " in text:
            text = text.rsplit(" ", 1)[0]
        return text, font
    return english_line(rng, font, max_w), font


def draw_lines(img, rng, size, margin, pitch, max_lines, kinds):
    draw = ImageDraw.Draw(img)
    w, h = img.size
    lines = []
    y = margin
    while len(lines) < max_lines and y + size + margin <= h:
        kind = rng.choices(kinds[0], weights=kinds[1])[0]
        text, font = pick_line(rng, kind, size, w - 2 * margin)
        if font.getlength(text) > w - 2 * margin:
            break
        draw.text((margin, y), text, font=font, fill="black")
        lines.append(text)
        y += pitch
    return lines


def page(rng, margin=100):
    img = Image.new("RGB", A4_150DPI, "white")
    lines = draw_lines(img, rng, size=25, margin=margin, pitch=52, max_lines=30,
                       kinds=(["en", "zh", "digits"], [22, 5, 3]))
    return img, lines


def mem_image(rng):
    w = rng.randint(160, 1800)
    h = rng.randint(48, 1400)
    size = rng.randint(16, 40)
    margin = max(8, size // 2)
    w = max(w, int(size * 6 + 2 * margin))
    h = max(h, size + 2 * margin)
    img = Image.new("RGB", (w, h), "white")
    lines = draw_lines(img, rng, size=size, margin=margin, pitch=int(size * 1.8), max_lines=rng.randint(1, 12),
                       kinds=(["en", "zh", "digits"], [6, 2, 2]))
    return img, lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=5)
    ap.add_argument("--mem-images", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--page-margin", type=int, default=100,
                    help="page margins in pixels (100 = 1.7 cm; office documents default to 1 inch = 150)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    truth = {"pages": {}, "mem": {}}
    for sub, count, make, key, stem in [
        ("pages", args.pages, lambda rng: page(rng, args.page_margin), "pages", "page_{:02d}.png"),
        ("mem", args.mem_images, mem_image, "mem", "img_{:04d}.png"),
    ]:
        d = args.out / sub
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("*.png"):
            old.unlink()
        for i in range(count):
            img, lines = make(rng)
            name = stem.format(i + 1)
            img.save(d / name)
            truth[key][name] = "\n".join(lines)
    (args.out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    print(f"wrote {args.pages} pages and {args.mem_images} images of varying sizes to {args.out}")


if __name__ == "__main__":
    main()
