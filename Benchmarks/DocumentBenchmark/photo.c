/* A stand-in for a point's stored photo: 480x640, JPEG quality 90, a smooth face-sized blob with
 * some sensor-like noise so that it compresses like a photograph (about 50 KB), through libgd as
 * the points' photos are; and its print-size copy (300x400, quality 80) as the point makes it at
 * capture (ImageRules.printedPhoto). Usage: photo OUT.jpg PRINT.jpg */
#include <gd.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    gdImagePtr image = gdImageCreateTrueColor(480, 640);
    srand(7);
    for (int y = 0; y < 640; y++) {
        for (int x = 0; x < 480; x++) {
            int dx = x - 240, dy = y - 260;
            int face = dx * dx / 2 + dy * dy / 3 < 14000;
            int noise = rand() % 9 - 4;
            int r = (face ? 225 : 90 + y / 8) + noise, g = (face ? 190 : 130 + x / 10) + noise, b = (face ? 170 : 200 - y / 10) + noise;
            gdImageSetPixel(image, x, y, gdTrueColor(r < 0 ? 0 : r > 255 ? 255 : r, g < 0 ? 0 : g > 255 ? 255 : g, b < 0 ? 0 : b > 255 ? 255 : b));
        }
    }
    FILE *out = fopen(argv[1], "wb");
    gdImageJpeg(image, out, 90);
    fclose(out);
    gdImagePtr printed = gdImageCreateTrueColor(300, 400);
    gdImageCopyResampled(printed, image, 0, 0, 0, 0, 300, 400, 480, 640);
    out = fopen(argv[2], "wb");
    gdImageJpeg(printed, out, 80);
    fclose(out);
    gdImageDestroy(printed);
    gdImageDestroy(image);
    return 0;
}
