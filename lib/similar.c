/*
 * similar.c: "did you mean" for commands and options, with git's
 * similarity rule (levenshtein.c and help_unknown_cmd() of git).
 */
#include <stdlib.h>
#include <string.h>

#include "similar.h"
#include "util.h"

/* what git's help.c calls similar enough: a weighted distance + 1 below this */
#define SIMILARITY_FLOOR 7

size_t similar_distance(const char *typed, const char *name)
{
	enum { SWAP = 0, SUBST = 2, INSERT = 1, DELETE = 3 };
	size_t len1 = strlen(typed), len2 = strlen(name), i, j, d;
	size_t *row0 = xcalloc(len2 + 1, sizeof(size_t));
	size_t *row1 = xcalloc(len2 + 1, sizeof(size_t));
	size_t *row2 = xcalloc(len2 + 1, sizeof(size_t)), *t;

	for (j = 0; j <= len2; j++)
		row1[j] = j * INSERT;
	for (i = 0; i < len1; i++) {
		row2[0] = (i + 1) * DELETE;
		for (j = 0; j < len2; j++) {
			row2[j + 1] = row1[j] + SUBST * (typed[i] != name[j]);
			if (i > 0 && j > 0 && typed[i - 1] == name[j] && typed[i] == name[j - 1] &&
			    row2[j + 1] > row0[j - 1] + SWAP)
				row2[j + 1] = row0[j - 1] + SWAP;
			if (row2[j + 1] > row1[j + 1] + DELETE)
				row2[j + 1] = row1[j + 1] + DELETE;
			if (row2[j + 1] > row2[j] + INSERT)
				row2[j + 1] = row2[j] + INSERT;
		}
		t = row0;
		row0 = row1;
		row1 = row2;
		row2 = t;
	}
	d = row1[len2];
	free(row0);
	free(row1);
	free(row2);
	return d;
}

size_t similar_names(const char *typed, const char *const *names, size_t n, size_t *out)
{
	size_t *score, i, best = (size_t)-1, prefixes = 0, k = 0;

	if (!*typed)
		return 0;
	score = xcalloc(n ? n : 1, sizeof(size_t));

	for (i = 0; i < n; i++) {
		/* a prefix scores best; the rest by distance, + 1 as in git */
		score[i] = starts_with(names[i], typed) ? 0 :
			   similar_distance(typed, names[i]) + 1;
		prefixes += !score[i];
	}
	/* a prefix of everything (of several) is too ambiguous to suggest anything */
	for (i = 0; i < n; i++)
		if (score[i] < best)
			best = score[i];
	if ((prefixes < n || n == 1) && best < SIMILARITY_FLOOR)
		for (i = 0; i < n; i++)
			if (score[i] == best)
				out[k++] = i;
	free(score);
	return k;
}
