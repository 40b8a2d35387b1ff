/* SPDX-License-Identifier: MIT */
/*
 * "Did you mean": optimal string alignment distance (Levenshtein plus
 * the swap of two neighbours, the commonest typo) over ASCII letters
 * without case, and the nearest known word.  Words are short (commands,
 * options, keys): longer ones are compared on their first 63 bytes.
 */
#include <ctype.h>

#include "common.h"
#include "saml2sts/suggest.h"

#define WORD_MAX 64

static unsigned char fold(char c)
{
	return (unsigned char)tolower((unsigned char)c);
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t s2s_edit_distance(const char *a, const char *b)
{
	size_t d[WORD_MAX][WORD_MAX];
	size_t la = strnlen(a, WORD_MAX - 1), lb = strnlen(b, WORD_MAX - 1);

	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = 0;

			if (fold(a[i - 1]) != fold(b[j - 1]))
				cost = 1;
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
			               d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 &&
			    fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb] < 255 ? d[la][lb] : 255;
}

const char *s2s_suggest(const char *word, const char *const *words, size_t n)
{
	const char *best = NULL;
	size_t best_d = S2S_SUGGEST_MAX + 1, len;

	if (!word || !*word)
		return NULL;
	len = strlen(word);
	for (size_t i = 0; i < n; i++) {
		size_t d;

		if (!words[i])
			continue;
		if (strcmp(words[i], word) == 0)
			return NULL;
		d = s2s_edit_distance(word, words[i]);
		if (d < best_d && d < len) {
			best = words[i];
			best_d = d;
		}
	}
	return best;
}
