/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the INI config parser (lib/config.c), strict and
 * forgiving (unknown keys kept and checked), its getters and in-memory
 * edits (set, unset, remove a section).  Nothing is written to disk.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saml2sts/config.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_account(const struct s2s_account *acct)
{
	long n;
	bool b;

	(void)s2s_account_get(acct, "url");
	(void)s2s_account_get_str(acct, "provider", "form");
	(void)s2s_account_get_long(&n, acct, "session_duration", 900, 43200,
	                           3600, NULL);
	(void)s2s_account_get_bool(&b, acct, "remember_session", false, NULL);
	(void)s2s_account_line(acct, "okta.push_timeout");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_config *cfg = NULL;

	if (s2s_config_parse(&cfg, "fuzz", (const char *)data, size, &err) ==
	    S2S_OK) {
		for (size_t i = 0; i < s2s_config_count(cfg); i++)
			read_account(s2s_config_at(cfg, i));
		(void)s2s_config_set(cfg, "default", "url", "https://x/", NULL);
		(void)s2s_config_set(cfg, "default", "provider", NULL, NULL);
		read_account(s2s_config_account(cfg, "default"));
	}
	s2s_config_free(cfg);
	cfg = NULL;
	/* the forgiving load: unknown keys kept, checked, removed */
	if (s2s_config_parse_flags(&cfg, "fuzz", (const char *)data, size,
	                           S2S_CONFIG_KEEP_UNKNOWN, &err) == S2S_OK) {
		for (size_t i = 0; i < s2s_config_count(cfg); i++) {
			s2s_error_clear(&err);
			(void)s2s_account_check_keys(s2s_config_at(cfg, i),
			                             NULL, &err);
			read_account(s2s_config_at(cfg, i));
		}
		(void)s2s_config_set(cfg, "default", "colour", NULL, NULL);
		(void)s2s_config_remove_account(cfg, "default", NULL);
	}
	s2s_config_free(cfg);
	return 0;
}
