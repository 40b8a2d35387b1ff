/* SPDX-License-Identifier: MIT */
/*
 * "Did you mean": the nearest of a few known words to a mistyped one
 * (commands, options, config keys).  Edit distance with adjacent
 * transpositions, case-insensitive.  It only compares strings: it knows
 * no command or key and never prints.
 */
#ifndef S2S_SUGGEST_H
#define S2S_SUGGEST_H

#include <stddef.h>

/* The largest distance still worth suggesting. */
#define S2S_SUGGEST_MAX 2

/* Edit distance between a and b (insert, delete, substitute, swap two
 * neighbours; ASCII case ignored), capped at 255 for long words. */
size_t s2s_edit_distance(const char *a, const char *b);

/* The word of words[0..n) nearest to word when at most S2S_SUGGEST_MAX
 * edits away and shorter than word itself (so "x" suggests nothing);
 * the first of equals wins.  NULL entries are skipped; NULL when none
 * is near or word equals one.  Borrowed from words. */
const char *s2s_suggest(const char *word, const char *const *words, size_t n);

#endif
