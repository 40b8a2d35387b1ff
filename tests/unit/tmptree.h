/* SPDX-License-Identifier: MIT */
/*
 * For unit tests that work in a temporary directory: remove it and all
 * it holds (without following links).  Define _XOPEN_SOURCE 700 before
 * any include in the test file (nftw).
 */
#ifndef S2S_TESTS_TMPTREE_H
#define S2S_TESTS_TMPTREE_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static int tmptree_remove_one(const char *path, const struct stat *st, int flag,
                              struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* 0 when dir is gone. */
static int tmptree_remove(const char *dir)
{
	return nftw(dir, tmptree_remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

#endif
