/* The exam documents' page canvas: cairo's PDF surface (fonts subset and embedded, JPEGs passed
 * through), text laid out by Pango and HarfBuzz, QR codes by libqrencode. See exam_pdf.h. */
#include "exam_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POINTS_PER_MM (72.0 / 25.4)

struct exam_pdf {
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoLayout *layout;
    uint8_t *bytes;
    size_t length, capacity;
    int failed;
};

static cairo_status_t collect(void *closure, const unsigned char *data, unsigned int length) {
    exam_pdf *doc = closure;
    if (doc->length + length > doc->capacity) {
        size_t capacity = doc->capacity ? doc->capacity : 65536;
        while (capacity < doc->length + length) capacity *= 2;
        uint8_t *grown = realloc(doc->bytes, capacity);
        if (!grown) { doc->failed = 1; return CAIRO_STATUS_WRITE_ERROR; }
        doc->bytes = grown;
        doc->capacity = capacity;
    }
    memcpy(doc->bytes + doc->length, data, length);
    doc->length += length;
    return CAIRO_STATUS_SUCCESS;
}

exam_pdf *exam_pdf_begin(double width_mm, double height_mm, const char *title) {
    exam_pdf *doc = calloc(1, sizeof *doc);
    if (!doc) return NULL;
    doc->surface = cairo_pdf_surface_create_for_stream(collect, doc, width_mm * POINTS_PER_MM, height_mm * POINTS_PER_MM);
    if (cairo_surface_status(doc->surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(doc->surface);
        free(doc);
        return NULL;
    }
    if (title) cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_CREATOR, "exam-registration DocumentGeneration");
    doc->cr = cairo_create(doc->surface);
    cairo_scale(doc->cr, POINTS_PER_MM, POINTS_PER_MM);
    doc->layout = pango_cairo_create_layout(doc->cr);
    /* Vector output: metrics unhinted, so that a line measures the same at every size. */
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    PangoContext *context = pango_layout_get_context(doc->layout);
    pango_cairo_context_set_font_options(context, options);
    cairo_font_options_destroy(options);
    /* User space is millimetres: rounding glyph positions to whole units would round every
     * advance to a whole millimetre, spacing out or squeezing the characters. */
    pango_context_set_round_glyph_positions(context, FALSE);
    pango_layout_context_changed(doc->layout);
    return doc;
}

void exam_pdf_next_page(exam_pdf *doc) { cairo_show_page(doc->cr); }

/* Sets the layout's text and font; size in points. */
static void prepare(exam_pdf *doc, const char *utf8, const char *family, int bold, double size_pt, double width, int wrap, int align) {
    PangoFontDescription *font = pango_font_description_new();
    pango_font_description_set_family(font, family);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    /* User space is millimetres: the size is given in them. */
    pango_font_description_set_absolute_size(font, size_pt / POINTS_PER_MM * PANGO_SCALE);
    pango_layout_set_font_description(doc->layout, font);
    pango_font_description_free(font);
    pango_layout_set_width(doc->layout, wrap ? (int)(width * PANGO_SCALE) : -1);
    pango_layout_set_wrap(doc->layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(doc->layout, align == 1 ? PANGO_ALIGN_CENTER : align == 2 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_text(doc->layout, utf8, -1);
}

double exam_pdf_text(exam_pdf *doc, const char *utf8, const char *family, int bold, double size_pt, double x, double y,
                     double width, double height, int align, int valign, int wrap, int *unknown_glyphs) {
    double size = size_pt;
    PangoRectangle ink, logical;
    for (int attempt = 0;; attempt++) {
        prepare(doc, utf8, family, bold, size, width, wrap, align);
        pango_layout_get_extents(doc->layout, &ink, &logical);
        double w = (double)logical.width / PANGO_SCALE, h = (double)logical.height / PANGO_SCALE;
        /* A wrapped line can still be wider than the box (one long word): that shrinks too. */
        if ((w <= width + 0.01 && h <= height + 0.01) || attempt >= 60 || size < 1) break;
        double ratio = h > height ? height / h : width / w;
        if (wrap && h > height) ratio = ratio > 0.5 ? (ratio + 1) / 2 : ratio; /* rewrapping frees room */
        size *= ratio < 0.95 ? ratio : 0.95;
    }
    if (unknown_glyphs) *unknown_glyphs = pango_layout_get_unknown_glyphs_count(doc->layout);
    double w = (double)logical.width / PANGO_SCALE, h = (double)logical.height / PANGO_SCALE;
    double left = x;
    /* Unwrapped text is aligned by hand: a layout without a width aligns within itself. */
    if (!wrap) left = align == 1 ? x + (width - w) / 2 : align == 2 ? x + width - w : x;
    double top = valign == 1 ? y + (height - h) / 2 : valign == 2 ? y + height - h : y;
    /* A wrapped layout places its lines within the width itself (logical.x is its alignment). */
    cairo_move_to(doc->cr, wrap ? x : left - (double)logical.x / PANGO_SCALE, top);
    pango_cairo_show_layout(doc->cr, doc->layout);
    return size;
}

int exam_pdf_unknown_glyphs(exam_pdf *doc, const char *utf8, const char *family) {
    prepare(doc, utf8, family, 0, 10, 0, 0, 0);
    return pango_layout_get_unknown_glyphs_count(doc->layout);
}

void exam_pdf_line(exam_pdf *doc, double x1, double y1, double x2, double y2, double width_pt, int dashed) {
    cairo_t *cr = doc->cr;
    cairo_save(cr);
    cairo_set_line_width(cr, width_pt / POINTS_PER_MM);
    if (dashed) {
        double pattern[] = {1.5, 1.0};
        cairo_set_dash(cr, pattern, 2, 0);
    }
    cairo_move_to(cr, x1, y1);
    cairo_line_to(cr, x2, y2);
    cairo_stroke(cr);
    cairo_restore(cr);
}

void exam_pdf_rect(exam_pdf *doc, double x, double y, double width, double height, double line_pt, double fill) {
    cairo_t *cr = doc->cr;
    cairo_save(cr);
    cairo_rectangle(cr, x, y, width, height);
    if (fill >= 0) {
        cairo_set_source_rgb(cr, fill, fill, fill);
        if (line_pt > 0) cairo_fill_preserve(cr); else cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
    }
    if (line_pt > 0) {
        cairo_set_line_width(cr, line_pt / POINTS_PER_MM);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

/* The pixel size from a JPEG's start-of-frame marker (any SOFn but DHT, JPG and DAC). */
static int jpeg_size(const uint8_t *p, size_t n, int *width, int *height) {
    if (n < 4 || p[0] != 0xFF || p[1] != 0xD8) return -1;
    size_t i = 2;
    while (i + 9 < n) {
        if (p[i] != 0xFF) return -1;
        uint8_t marker = p[i + 1];
        if (marker == 0xFF) { i++; continue; }
        size_t segment = ((size_t)p[i + 2] << 8) | p[i + 3];
        if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
            *height = (p[i + 5] << 8) | p[i + 6];
            *width = (p[i + 7] << 8) | p[i + 8];
            return (*width > 0 && *height > 0) ? 0 : -1;
        }
        i += 2 + segment;
    }
    return -1;
}

int exam_pdf_jpeg(exam_pdf *doc, const uint8_t *jpeg, size_t length, uint64_t id, double x, double y, double width, double height) {
    int w, h;
    if (jpeg_size(jpeg, length, &w, &h) != 0) return -1;
    /* The pixels are never drawn: the PDF surface embeds the JPEG's own bytes. */
    cairo_surface_t *image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    uint8_t *copy = malloc(length);
    if (!copy) { cairo_surface_destroy(image); return -1; }
    memcpy(copy, jpeg, length);
    cairo_surface_set_mime_data(image, CAIRO_MIME_TYPE_JPEG, copy, length, free, copy);
    if (id) {
        char unique[32];
        int n = snprintf(unique, sizeof unique, "exam-photo-%llu", (unsigned long long)id);
        char *kept = malloc((size_t)n);
        if (kept) {
            memcpy(kept, unique, (size_t)n);
            cairo_surface_set_mime_data(image, CAIRO_MIME_TYPE_UNIQUE_ID, (unsigned char *)kept, (unsigned long)n, free, kept);
        }
    }
    double scale = width / w < height / h ? width / w : height / h;
    cairo_t *cr = doc->cr;
    cairo_save(cr);
    cairo_translate(cr, x + (width - w * scale) / 2, y + (height - h * scale) / 2);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(image);
    return 0;
}

int exam_pdf_qr(exam_pdf *doc, const uint8_t *bytes, size_t length, double x, double y, double size) {
    QRcode *code = QRcode_encodeData((int)length, bytes, 0, QR_ECLEVEL_M);
    if (!code) return -1;
    int n = code->width;
    double module = size / n;
    cairo_t *cr = doc->cr;
    cairo_save(cr);
    /* One rectangle per run of dark modules in a row: fewer path elements, same picture. */
    for (int row = 0; row < n; row++) {
        int column = 0;
        while (column < n) {
            if (!(code->data[row * n + column] & 1)) { column++; continue; }
            int start = column;
            while (column < n && (code->data[row * n + column] & 1)) column++;
            cairo_rectangle(cr, x + start * module, y + row * module, (column - start) * module, module);
        }
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_fill(cr);
    cairo_restore(cr);
    QRcode_free(code);
    return 0;
}

int exam_pdf_end(exam_pdf *doc, uint8_t **out, size_t *length) {
    g_object_unref(doc->layout);
    cairo_destroy(doc->cr);
    cairo_surface_finish(doc->surface);
    int status = cairo_surface_status(doc->surface) == CAIRO_STATUS_SUCCESS && !doc->failed ? 0 : -1;
    cairo_surface_destroy(doc->surface);
    if (status == 0) {
        *out = doc->bytes;
        *length = doc->length;
    } else {
        free(doc->bytes);
    }
    free(doc);
    return status;
}

void exam_pdf_free(uint8_t *bytes) { free(bytes); }
