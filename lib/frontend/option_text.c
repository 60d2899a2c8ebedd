// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Options listed as --help lists them (see option_text.h). */
#include <string.h>

#include "option_text.h"

#define FLAGS_COLUMN 2
#define TEXT_COLUMN 25
#define LINE_WIDTH 78

void option_help_print(FILE *out, const struct option_help *options)
{
	for (const struct option_help *o = options; o->flags; o++) {
		const char *text = o->text;
		/* short options line up; long-only ones start 4 further */
		int col = fprintf(out, "%*s%s", FLAGS_COLUMN + (o->flags[1] == '-' ? 4 : 0),
				  "", o->flags);

		if (col >= TEXT_COLUMN - 1) {
			fputc('\n', out);
			col = 0;
		}
		while (*text) {
			size_t len = strcspn(text, " ");

			if (col > TEXT_COLUMN && col + 1 + (int)len > LINE_WIDTH) {
				fputc('\n', out);
				col = 0;
			}
			if (col < TEXT_COLUMN) {
				col += fprintf(out, "%*s", TEXT_COLUMN - col, "");
			} else {
				fputc(' ', out);
				col++;
			}
			col += fprintf(out, "%.*s", (int)len, text);
			text += len;
			text += strspn(text, " ");
		}
		fputc('\n', out);
	}
}
