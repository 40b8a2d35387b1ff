/* SPDX-License-Identifier: MIT */
/*
 * The INI config file: one section per IdP account, known keys only
 * (an unknown key is an error naming file:line), adapter-namespaced keys
 * ("okta.push_timeout") passed through for the adapter to check.
 * This module is also the only place in lib/ that reads the environment.
 * It does not know any adapter and never prompts.
 */
#ifndef S2S_CONFIG_H
#define S2S_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct s2s_config;  /* a whole file: sections in file order */
struct s2s_account; /* one section */

/* Parse INI text; name is used in messages ("config:12: ...").
 * Returns S2S_ECONFIG with "name:line: reason" on a bad file. */
s2s_err s2s_config_parse(struct s2s_config **out, const char *name,
                         const char *text, size_t len, struct s2s_error *err);

/* Read and parse path.  A missing file gives an empty config (S2S_OK);
 * an unreadable one is S2S_ECONFIG. */
s2s_err s2s_config_load(struct s2s_config **out, const char *path,
                        struct s2s_error *err);

enum s2s_config_parse_flags {
	/* A key this version does not know, in a section, is no error:
	 * it is kept (and saved back as read) but no lookup sees it;
	 * s2s_account_check_keys reports it.  Without the flag it is
	 * S2S_ECONFIG naming file:line. */
	S2S_CONFIG_KEEP_UNKNOWN = 1u << 0,
};

/* s2s_config_parse and s2s_config_load with enum s2s_config_parse_flags. */
s2s_err s2s_config_parse_flags(struct s2s_config **out, const char *name,
                               const char *text, size_t len, unsigned int flags,
                               struct s2s_error *err);
s2s_err s2s_config_load_flags(struct s2s_config **out, const char *path,
                              unsigned int flags, struct s2s_error *err);

/* S2S_ECONFIG "file:line: unknown key 'k' (did you mean 'key'?)" for the
 * first unknown key of acct (loaded with S2S_CONFIG_KEEP_UNKNOWN), and
 * the number of them in *n_out (may be NULL); S2S_OK when none. */
s2s_err s2s_account_check_keys(const struct s2s_account *acct, size_t *n_out,
                               struct s2s_error *err);

/* The known key nearest to a mistyped one (at most two edits away, or
 * the same in lower case) into buf; false when there is none. */
bool s2s_config_key_suggest(char *buf, size_t size, const char *key);

/* Remove the section called name (the file's own, not the system-wide
 * layer's); the comments and blank lines after its last key stay, as
 * they usually introduce the next section.  S2S_ENOTFOUND when absent.
 * Borrowed accounts of cfg are invalid afterwards. */
s2s_err s2s_config_remove_account(struct s2s_config *cfg, const char *name,
                                  struct s2s_error *err);

/* Serialise in file order and write atomically (temp file in the same
 * directory, fsync, rename), mode 0600; creates the directory 0700. */
s2s_err s2s_config_save(const struct s2s_config *cfg, const char *path,
                        struct s2s_error *err);

void s2s_config_free(struct s2s_config *cfg);

/* The section called name, or NULL; borrowed until the config is freed
 * or changed. */
const struct s2s_account *s2s_config_account(const struct s2s_config *cfg,
                                             const char *name);

/* Number of sections and the i-th one (file order); borrowed. */
size_t s2s_config_count(const struct s2s_config *cfg);
const struct s2s_account *s2s_config_at(const struct s2s_config *cfg, size_t i);

/* Set key=value in section account (created if absent).  value NULL
 * removes the key (also an unknown one kept as read).  The key is
 * checked like a parsed one. */
s2s_err s2s_config_set(struct s2s_config *cfg, const char *account,
                       const char *key, const char *value,
                       struct s2s_error *err);

/* True if key is a known core key or an adapter-namespaced key. */
bool s2s_config_key_valid(const char *key);

/* The file name used in messages (the path it was loaded from). */
const char *s2s_config_name(const struct s2s_config *cfg);

/* The alias of account uid in the account's account_aliases
 * ("uid=alias, uid=alias"), or NULL; the caller frees it. */
char *s2s_account_alias(const struct s2s_account *acct, const char *uid);

/* The section name. */
const char *s2s_account_name(const struct s2s_account *acct);

/* The raw value of key (the section's own, else the system-wide
 * layer's), or NULL when unset; borrowed. */
const char *s2s_account_get(const struct s2s_account *acct, const char *key);

/* The value of key or def when unset. */
const char *s2s_account_get_str(const struct s2s_account *acct, const char *key,
                                const char *def);

/* Integer key within [min, max]; def when unset; S2S_ECONFIG naming the
 * key (and its line) when not a number or out of range. */
s2s_err s2s_account_get_long(long *out, const struct s2s_account *acct,
                             const char *key, long min, long max, long def,
                             struct s2s_error *err);

/* Boolean key (true/false/yes/no/1/0/on/off); def when unset. */
s2s_err s2s_account_get_bool(bool *out, const struct s2s_account *acct,
                             const char *key, bool def, struct s2s_error *err);

/* S2S_ECONFIG naming the key and its line when the account has a key
 * "<ns>.<x>" whose <x> is not in known (NULL-terminated); for an
 * adapter's validate(). */
s2s_err s2s_account_check_ns(const struct s2s_account *acct, const char *ns,
                             const char *const *known, struct s2s_error *err);

/* Called by s2s_account_foreach() for each key set in an account. */
typedef s2s_err (*s2s_account_key_fn)(const char *key, unsigned int line,
                                      void *payload);

/* Call fn for each key of acct in file order, with its file line (0 when
 * set programmatically), then for each key acct inherits from the
 * system-wide layer (line 0); stops at fn's first non-zero result and
 * returns it.  key is borrowed until acct changes. */
s2s_err s2s_account_foreach(const struct s2s_account *acct,
                            s2s_account_key_fn fn, void *payload);

/* The name of acct's config file for messages (never NULL). */
const char *s2s_account_file(const struct s2s_account *acct);

/* The file line of key in its section (or, inherited, in the
 * system-wide file's), or 0 if set programmatically. */
unsigned int s2s_account_line(const struct s2s_account *acct, const char *key);

/* Default config path: $SAML2STS_CONFIG, else
 * $XDG_CONFIG_HOME/saml2sts/config, else ~/.config/saml2sts/config.
 * Caller frees. */
s2s_err s2s_config_default_path(char **out, struct s2s_error *err);

/* Default data directory: $XDG_DATA_HOME/saml2sts or
 * ~/.local/share/saml2sts.  Caller frees. */
s2s_err s2s_config_data_dir(char **out, struct s2s_error *err);

/* Directory for lock files: $XDG_RUNTIME_DIR/saml2sts, else
 * $XDG_CACHE_HOME/saml2sts/lock, else ~/.cache/saml2sts/lock.  Caller
 * frees. */
s2s_err s2s_config_lock_dir(char **out, struct s2s_error *err);

/* The system-wide config of organisation defaults:
 * $SAML2STS_SYSTEM_CONFIG, else /etc/saml2sts/config.  Caller frees. */
s2s_err s2s_config_system_path(char **out, struct s2s_error *err);

/* Read the file at path (missing: nothing) as the layer under cfg: a key
 * of a section of cfg hides the same key of the section of that name in
 * the layer; sections only the layer has are accounts of cfg
 * (s2s_config_account, _count, _at) whose messages name path.  cfg owns
 * the layer; s2s_config_save writes cfg's own sections only.  Read as
 * with S2S_CONFIG_KEEP_UNKNOWN; a bad file is S2S_ECONFIG naming
 * path:line. */
s2s_err s2s_config_load_system(struct s2s_config *cfg, const char *path,
                               struct s2s_error *err);

/* An environment variable, or NULL when unset or empty; borrowed. */
const char *s2s_config_env(const char *name);

#endif
