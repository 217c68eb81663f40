"""The bare loop `ops/bench documents` compares with: the admission ticket's bundled layout, its
templates filled with sample values, written out as straight C calls to the same canvas (Pango
and cairo through Shared/CPDFCanvas), compiled and run N times: single-page files, and 100 pages
sharing one file. No database, no Swift, no files written: what drawing the page itself costs.

Usage: python3 bare_loop.py LAYOUT.json PHOTO.jpg OUT.c
"""
import json, sys

layout, photo, out = sys.argv[1], sys.argv[2], sys.argv[3]
page = json.load(open(layout, encoding="utf-8"))
values = {"year": "2026", "name": "张三丰", "ticket": "43010100117", "candidateNumber": "26430102000001", "documentNumber": "430111********4491",
          "group": "01 高起本文科", "site": "长沙市第一中学", "siteAddress": "长沙市开福区测试路 6 号", "room": "001", "seat": "17",
          "district": "4301 长沙市第一考区", "keyID": "d20261206", "version": "1", "madeAt": "2026-12-06",
          "rules": "一、考生凭准考证和本人有效身份证件参加考试，开考前 20 分钟进入考场。二、开考 15 分钟后不得进入考场，考试结束前 30 分钟内不得交卷离场。三、严禁携带手机等通讯工具进入考场。四、遵守考场规则，服从监考人员管理，诚信应考。",
          "qr": "ZK1.d20261206." + "A" * 80 + "." + "B" * 86}
papers = [{"date": "10月24日", "time": "09:00-11:00", "subject": "语文"}, {"date": "10月24日", "time": "15:00-17:00", "subject": "数学（文）"}]


def fill(text, item=None):
    for key, value in {**values, **(item or {})}.items():
        text = text.replace("{" + key + "}", value)
    return text


def c(text):
    return json.dumps(text, ensure_ascii=False)


calls = []


def draw(elements, item=None, ox=0.0, oy=0.0):
    for e in elements:
        kind = e["type"]
        if kind == "text":
            align = {"left": 0, "center": 1, "right": 2}[e.get("align", "left")]
            valign = {"top": 0, "middle": 1, "bottom": 2}[e.get("valign", "top")]
            calls.append(f'exam_pdf_text(d, {c(fill(e["text"], item))}, family, {int(e.get("bold", False))}, {e["size"]}, {ox + e["x"]}, {oy + e["y"]}, '
                         f'{e["width"]}, {e["height"]}, {align}, {valign}, {int(e.get("wrap", False))}, &unknown);')
        elif kind == "box":
            calls.append(f'exam_pdf_rect(d, {ox + e["x"]}, {oy + e["y"]}, {e["width"]}, {e["height"]}, {e.get("line", 0.5)}, {e.get("fill", -1)});')
        elif kind == "line":
            calls.append(f'exam_pdf_line(d, {ox + e["x1"]}, {oy + e["y1"]}, {ox + e["x2"]}, {oy + e["y2"]}, {e.get("width", 0.5)}, {int(e.get("dashed", False))});')
        elif kind == "image":
            calls.append(f'exam_pdf_jpeg(d, photo, photo_length, 1, {ox + e["x"]}, {oy + e["y"]}, {e["width"]}, {e["height"]});')
        elif kind == "qr":
            calls.append(f'exam_pdf_qr(d, (const uint8_t *){c(fill(e["value"]))}, strlen({c(fill(e["value"]))}), {ox + e["x"]}, {oy + e["y"]}, {e["size"]});')
        elif kind == "repeat":
            for index, entry in enumerate(papers[: e["rows"] * e["columns"]]):
                draw(e["elements"], entry, ox + e["x"] + (index % e["columns"]) * e["cellWidth"], oy + e["y"] + (index // e["columns"]) * e["cellHeight"])


draw(page["elements"])
body = "\n    ".join(calls)
open(out, "w", encoding="utf-8").write(f"""
#include "exam_pdf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *family = {c(page["font"])};
static uint8_t *photo; static size_t photo_length;

static void page(exam_pdf *d) {{
    int unknown;
    {body}
}}

static double now(void) {{ struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }}

int main(int argc, char **argv) {{
    FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); photo_length = ftell(f); rewind(f);
    photo = malloc(photo_length); fread(photo, 1, photo_length, f); fclose(f);
    int files = atoi(argv[2]);
    size_t bytes = 0;
    double started = now();
    for (int i = 0; i < files; i++) {{
        exam_pdf *d = exam_pdf_begin(210, 297, "ticket"); page(d);
        uint8_t *out; size_t length; exam_pdf_end(d, &out, &length); bytes += length; exam_pdf_free(out);
    }}
    double single = now() - started;
    started = now();
    exam_pdf *d = exam_pdf_begin(210, 297, "tickets");
    for (int i = 0; i < 100; i++) {{ if (i) exam_pdf_next_page(d); page(d); }}
    uint8_t *out; size_t length; exam_pdf_end(d, &out, &length); exam_pdf_free(out);
    double shared = now() - started;
    printf("{{\\"files_per_s\\": %.1f, \\"file_bytes\\": %zu, \\"pages_per_s_shared\\": %.1f}}\\n", files / single, bytes / files, 100 / shared);
    return 0;
}}
""")
