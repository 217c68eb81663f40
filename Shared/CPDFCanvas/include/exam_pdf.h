#ifndef EXAM_PDF_H
#define EXAM_PDF_H
/* A page canvas over cairo's PDF surface and Pango, in millimetres, for the exam documents.
 * The header names no Pango, GLib or cairo type, so Swift imports it without their headers. */
#include <stddef.h>
#include <stdint.h>

typedef struct exam_pdf exam_pdf;

/* A document whose pages are width x height mm, written to memory. NULL if cairo refuses. */
exam_pdf *exam_pdf_begin(double width_mm, double height_mm, const char *title);
/* Ends the current page and starts the next. */
void exam_pdf_next_page(exam_pdf *doc);

/* Lays text out in the box and draws it. align: 0 left, 1 centre, 2 right; valign: 0 top,
 * 1 middle, 2 bottom; wrap: break lines at the box's width. Text that does not fit is drawn
 * smaller until it does (never cut); the size used (pt) is returned. *unknown_glyphs counts the
 * characters no installed font has (drawn as boxes by Pango: the caller lists them). */
double exam_pdf_text(exam_pdf *doc, const char *utf8, const char *family, int bold, double size_pt, double x, double y,
                     double width, double height, int align, int valign, int wrap, int *unknown_glyphs);
/* How many of the text's characters no installed font has, without drawing. */
int exam_pdf_unknown_glyphs(exam_pdf *doc, const char *utf8, const char *family);

void exam_pdf_line(exam_pdf *doc, double x1, double y1, double x2, double y2, double width_pt, int dashed);
/* A rectangle outline (line_pt > 0) and/or a grey fill (0 black .. 1 white; fill < 0: none). */
void exam_pdf_rect(exam_pdf *doc, double x, double y, double width, double height, double line_pt, double fill);
/* A JPEG embedded as it is (no re-encoding), scaled to fit the box keeping its proportions.
 * Images with the same nonzero id are stored once per file. Returns 0, or -1 for bytes that are
 * not a JPEG cairo can embed. */
int exam_pdf_jpeg(exam_pdf *doc, const uint8_t *jpeg, size_t length, uint64_t id, double x, double y, double width, double height);
/* A QR code (error correction level M) of the bytes, size mm square, drawn as vector squares.
 * Returns 0, or -1 when the bytes do not fit a QR code. */
int exam_pdf_qr(exam_pdf *doc, const uint8_t *bytes, size_t length, double x, double y, double size);

/* Finishes the file: on success 0 with *out (free with exam_pdf_free) and *length set.
 * The document is released either way. */
int exam_pdf_end(exam_pdf *doc, uint8_t **out, size_t *length);
void exam_pdf_free(uint8_t *bytes);
#endif
