/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the engine (lib/session.c) with a fake source table and
 * the encrypted-file store in a temporary directory: the one freshness
 * rule for every caller, single-flight refresh across forked processes,
 * "refresh impossible but still valid", role choice and profile naming
 * at login, and the store fallback notice.
 */
#define _XOPEN_SOURCE 700 /* nftw (tmptree.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../tmptree.h"

#include <saml2sts/choice.h>
#include <saml2sts/session.h>
#include <saml2sts/source.h>
#include <saml2sts/store.h>

static char tmpdir[] = "/tmp/s2s-engine-XXXXXX";
static char counter[256];

/* ------------------------------------------------------------------ */
/* A fake source: three roles in two accounts; refresh counts itself in
 * a file and takes 300 ms, so concurrent callers really overlap. */

static s2s_err fake_grants(struct s2s_source_ctx *ctx, struct s2s_grants *g)
{
	static const char *const arns[] = {
		"acs:ram::2222222222222222:role/dev",
		"acs:ram::1111111111111111:role/admin",
		"acs:ram::1111111111111111:role/billing",
	};
	const char *mode = s2s_account_get(ctx->acct, "fake.mode");

	if (mode && strcmp(mode, "down") == 0)
		return s2s_error_set(ctx->err, S2S_ENET, "idp.example: down");
	if (mode && strcmp(mode, "needinput") == 0)
		return s2s_error_set(ctx->err, S2S_ENEEDINPUT,
		                     "a password is needed");
	g->roles = calloc(3, sizeof(*g->roles));
	for (size_t i = 0; i < 3; i++) {
		struct s2s_role *r = &g->roles[g->nroles++];

		r->role_arn = strdup(arns[i]);
		r->provider_arn = strdup("acs:ram::1:saml-provider/idp");
		r->account_id = strndup(arns[i] + 9, 16);
		r->role_name = strdup(strrchr(arns[i], '/') + 1);
	}
	return S2S_OK;
}

static struct s2s_creds *token(const char *id, long lifetime, long left)
{
	struct s2s_creds *c = s2s_creds_new();
	time_t now = time(NULL);

	c->access_key_id = strdup(id);
	c->access_key_secret = strdup("secret");
	c->security_token = strdup("token");
	c->expiration = now + left;
	c->issued = c->expiration - lifetime;
	return c;
}

static s2s_err fake_mint(struct s2s_source_ctx *ctx,
                         const struct s2s_role *const *roles, size_t n,
                         struct s2s_mint *out)
{
	int fd;

	(void)ctx;
	fd = open(counter, O_WRONLY | O_APPEND | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(1, write(fd, "x", 1));
	close(fd);
	usleep(300000);
	for (size_t i = 0; i < n; i++) {
		char id[64];

		snprintf(id, sizeof(id), "STS.%d.%s", (int)getpid(),
		         roles[i]->role_name);
		out[i].creds = token(id, 3600, 3600);
	}
	return S2S_OK;
}

static const char *const fake_providers[] = { "fake", NULL };

static const struct s2s_source fake = {
	.name = "fake",
	.providers = fake_providers,
	.grants = fake_grants,
	.mint = fake_mint,
};

static const struct s2s_source *const fake_table[] = { &fake, NULL };

/* ------------------------------------------------------------------ */
/* Front end callbacks */

struct front {
	int notices;
	int picks;
	size_t pick_index;
	int questions;
	const char *answer;
};

static void on_event(void *payload, enum s2s_event ev, const char *text)
{
	struct front *f = payload;

	(void)text;
	if (ev == S2S_EVENT_NOTICE)
		f->notices++;
}

static s2s_err passphrase(void *payload, struct s2s_buf *out,
                          struct s2s_error *err)
{
	(void)payload;
	(void)err;
	s2s_buf_reset(out);
	return s2s_buf_puts(out, "unit-test-passphrase");
}

static s2s_err pick(void *payload, const struct s2s_pick *req, size_t *idx,
                    size_t *n, struct s2s_error *err)
{
	struct front *f = payload;

	(void)err;
	f->picks++;
	assert_true(f->pick_index < req->nroles);
	idx[0] = f->pick_index;
	*n = 1;
	return S2S_OK;
}

static const char config_text[] =
        "[acme]\nprovider = fake\nurl = https://idp.example/\n"
        "account_aliases = 1111111111111111=prod, 2222222222222222=dev\n"
        "[slow]\nprovider = fake\nrefresh_window = 600\n"
        "[bad]\nprovider = fake\nrefresh_window = soon\n"
        "[down]\nprovider = fake\nfake.mode = down\n"
        "[needinput]\nprovider = fake\nfake.mode = needinput\n"
        "[pinned]\nprovider = fake\nrole_arn = 2222222222222222/dev\n";

struct env {
	struct s2s_config *cfg;
	struct s2s_session *s;
	struct s2s_session_cb cb;
	struct front front;
};

static void env_open(struct env *e, bool can_prompt)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_session_opts o = { 0 };

	memset(e, 0, sizeof(*e));
	assert_int_equal(S2S_OK,
	                 s2s_config_parse(&e->cfg, "unit", config_text,
	                                  sizeof(config_text) - 1, &err));
	e->cb.event = on_event;
	e->cb.passphrase = passphrase;
	e->cb.pick = pick;
	e->cb.payload = &e->front;
	o.cfg = e->cfg;
	o.cb = &e->cb;
	o.sources = fake_table;
	o.can_prompt = can_prompt;
	assert_int_equal(S2S_OK, s2s_session_new(&e->s, &o, &err));
}

static void env_close(struct env *e)
{
	s2s_session_free(e->s);
	s2s_config_free(e->cfg);
}

/* Store a token for profile, made by IdP account acct. */
static void put(struct env *e, const char *profile, const char *acct,
                struct s2s_creds *c)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store *store = NULL;

	c->account_name = strdup(acct);
	c->role_arn = strdup("acs:ram::1111111111111111:role/admin");
	c->account_id = strdup("1111111111111111");
	assert_int_equal(S2S_OK, s2s_session_store(&store, e->s, &err));
	assert_int_equal(S2S_OK, s2s_store_put_creds(store, profile, c, &err));
	s2s_creds_free(c);
}

static long count_calls(void)
{
	FILE *f = fopen(counter, "r");
	long n = 0;

	if (!f)
		return 0;
	while (fgetc(f) != EOF)
		n++;
	fclose(f);
	return n;
}

static int setup(void **state)
{
	char data[300], run[300];

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	snprintf(data, sizeof(data), "%s/data", tmpdir);
	snprintf(run, sizeof(run), "%s/run", tmpdir);
	assert_int_equal(0, mkdir(run, 0700));
	setenv("XDG_DATA_HOME", data, 1);
	setenv("XDG_RUNTIME_DIR", run, 1);
	setenv("SAML2STS_KEYRING_BACKEND", "file", 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return tmptree_remove(tmpdir);
}

static void reset_counter(const char *name)
{
	snprintf(counter, sizeof(counter), "%s/%s", tmpdir, name);
	unlink(counter);
}

/* ------------------------------------------------------------------ */

static void test_session_engine__window_table(void **state)
{
	static const struct {
		const char *acct;
		long lifetime, left;
		bool fresh;
	} rows[] = {
		{ "acme", 3600, 1300, true },  /* window 1200 */
		{ "acme", 3600, 1100, false }, /* inside the window */
		{ "acme", 900, 500, true },    /* half of 900 is 450 */
		{ "acme", 900, 400, false },
		{ "slow", 3600, 700, true }, /* refresh_window = 600 */
		{ "slow", 3600, 500, false },
		{ "acme", 43200, 1201, true }, /* a long session */
		{ "acme", 3600, -10, false },  /* expired */
	};
	struct s2s_error err = S2S_ERROR_INIT;
	struct env e;

	(void)state;
	env_open(&e, false);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct s2s_creds *c =
		        token("STS.t", rows[i].lifetime, rows[i].left);
		long w = 0;

		assert_int_equal(
		        S2S_OK,
		        s2s_session_window(
		                &w, s2s_config_account(e.cfg, rows[i].acct), c,
		                &err));
		assert_int_equal(rows[i].fresh,
		                 s2s_session_is_fresh(c, w, time(NULL)));
		s2s_creds_free(c);
	}
	env_close(&e);
}

static void test_session_engine__bad_window_is_an_error(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_fresh f = { 0 };
	struct s2s_login_result *res = NULL;
	struct s2s_login_opts o = { .account = "bad" };
	struct s2s_creds *c = token("STS.b", 3600, 3000);
	struct env e;
	long w = 0;

	(void)state;
	env_open(&e, false);
	assert_int_equal(S2S_ECONFIG,
	                 s2s_session_window(&w,
	                                    s2s_config_account(e.cfg, "bad"), c,
	                                    &err));
	assert_non_null(strstr(err.msg, "refresh_window"));
	put(&e, "bad", "bad", c);
	/* credential-process and login judge it the same way */
	s2s_error_clear(&err);
	assert_int_equal(S2S_ECONFIG, s2s_session_fresh(&f, e.s, "bad", &err));
	s2s_error_clear(&err);
	assert_int_equal(S2S_ECONFIG, s2s_session_login(&res, e.s, &o, &err));
	s2s_login_result_free(res);
	env_close(&e);
}

static void test_session_engine__fresh_is_read_not_refreshed(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_fresh f = { 0 };
	struct s2s_login_result *res = NULL;
	struct s2s_login_opts o = { .account = "acme" };
	struct env e;

	(void)state;
	reset_counter("fresh");
	env_open(&e, false);
	put(&e, "acme", "acme", token("STS.keep", 3600, 3000));
	assert_int_equal(S2S_OK, s2s_session_fresh(&f, e.s, "acme", &err));
	assert_int_equal(S2S_FRESH_STORED, f.state);
	assert_string_equal("STS.keep", f.creds->access_key_id);
	s2s_fresh_release(&f);
	/* login without --force: the same rule says "still valid" */
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	assert_non_null(res->still_valid);
	assert_string_equal("acme", res->profile);
	s2s_login_result_free(res);
	assert_int_equal(0, count_calls());
	env_close(&e);
}

static void test_session_engine__stale_but_valid(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_fresh f = { 0 };
	struct env e;

	(void)state;
	env_open(&e, false);
	put(&e, "down", "down", token("STS.old", 3600, 300));
	assert_int_equal(S2S_OK, s2s_session_fresh(&f, e.s, "down", &err));
	assert_int_equal(S2S_FRESH_STALE, f.state);
	assert_int_equal(S2S_ENET, f.why.code);
	assert_string_equal("STS.old", f.creds->access_key_id);
	s2s_fresh_release(&f);
	env_close(&e);
}

static void test_session_engine__expired_needs_login(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_fresh f = { 0 };
	struct env e;

	(void)state;
	env_open(&e, false);
	put(&e, "needinput", "needinput", token("STS.gone", 3600, -60));
	assert_int_equal(S2S_ENEEDINPUT,
	                 s2s_session_fresh(&f, e.s, "needinput", &err));
	assert_non_null(strstr(err.msg, "run saml2sts login --profile "
	                                "needinput"));
	assert_null(f.creds);
	/* a refresh that failed for another reason says why */
	put(&e, "down", "down", token("STS.gone", 3600, -60));
	s2s_error_clear(&err);
	assert_int_equal(S2S_ENET, s2s_session_fresh(&f, e.s, "down", &err));
	assert_non_null(strstr(err.msg, "refresh failed: idp.example"));
	/* nothing stored at all */
	s2s_error_clear(&err);
	assert_int_equal(S2S_ENEEDINPUT,
	                 s2s_session_fresh(&f, e.s, "nobody", &err));
	assert_non_null(strstr(err.msg, "no credentials for profile"));
	env_close(&e);
}

/* Eight processes find the same stale token: one refresh; the others
 * wait for the lock and take what it stored. */
static void test_session_engine__single_flight(void **state)
{
	enum { N = 8 };
	pid_t pids[N];
	int refreshed = 0, taken = 0;
	struct env e;

	(void)state;
	reset_counter("flight");
	env_open(&e, false);
	put(&e, "acme", "acme", token("STS.stale", 3600, 600));
	env_close(&e);
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct s2s_error err = S2S_ERROR_INIT;
			struct s2s_fresh f = { 0 };
			int code;

			env_open(&e, false);
			code = s2s_session_fresh(&f, e.s, "acme", &err)
			               ? 90
			               : (int)f.state;
			if (!code &&
			    strncmp(f.creds->access_key_id, "STS.", 4) != 0)
				code = 91;
			s2s_fresh_release(&f);
			env_close(&e);
			_exit(code);
		}
	}
	for (int i = 0; i < N; i++) {
		int st = 0;

		assert_int_equal(pids[i], waitpid(pids[i], &st, 0));
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) == S2S_FRESH_REFRESHED)
			refreshed++;
		else if (WEXITSTATUS(st) == S2S_FRESH_TAKEN)
			taken++;
	}
	assert_int_equal(1, count_calls());
	assert_int_equal(1, refreshed);
	assert_int_equal(N - 1, taken);
}

static void test_session_engine__login_choices(void **state)
{
	static const char *const missing[] = { "prod/nosuch" };
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_login_opts o = { .account = "acme", .force = true };
	struct s2s_login_result *res = NULL;
	struct env e;

	(void)state;
	reset_counter("login");
	env_open(&e, false);
	/* --all-roles: one profile each, named by the template with the
	 * alias, in account order */
	o.all_roles = true;
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	assert_int_equal(3, res->nitems);
	assert_string_equal("prod-admin", res->items[0].profile);
	assert_string_equal("prod-billing", res->items[1].profile);
	assert_string_equal("dev-dev", res->items[2].profile);
	assert_string_equal("acme", res->items[0].creds->account_name);
	assert_int_equal(1, count_calls()); /* one parallel mint */
	s2s_login_result_free(res);
	/* a role that is not granted: the ARNs are listed */
	o.all_roles = false;
	o.roles = missing;
	o.nroles = 1;
	s2s_error_clear(&err);
	assert_int_equal(S2S_ENOROLE, s2s_session_login(&res, e.s, &o, &err));
	assert_true(res->list_granted);
	assert_int_equal(3, res->ngranted);
	s2s_login_result_free(res);
	/* no --role and no prompting: a choice is needed */
	o.roles = NULL;
	o.nroles = 0;
	s2s_error_clear(&err);
	assert_int_equal(S2S_ENEEDINPUT,
	                 s2s_session_login(&res, e.s, &o, &err));
	assert_non_null(strstr(err.msg, "3 roles granted"));
	s2s_login_result_free(res);
	env_close(&e);

	/* with a terminal the picker chooses; role_arn preselects */
	env_open(&e, true);
	e.front.pick_index = 2;
	s2s_error_clear(&err);
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	assert_int_equal(1, e.front.picks);
	assert_string_equal("acme", res->items[0].profile);
	assert_string_equal("acs:ram::2222222222222222:role/dev",
	                    res->items[0].role.role_arn);
	s2s_login_result_free(res);
	o.account = "pinned";
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	assert_int_equal(1, e.front.picks);
	assert_string_equal("dev", res->items[0].role.role_name);
	s2s_login_result_free(res);
	env_close(&e);
}

static void test_session_engine__store_fallback_notice(void **state)
{
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_store *store = NULL;
	struct env e;

	(void)state;
	unsetenv("SAML2STS_KEYRING_BACKEND");
	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
	env_open(&e, false);
	assert_int_equal(S2S_OK, s2s_session_store(&store, e.s, &err));
	assert_string_equal("file", s2s_store_backend(store));
	assert_int_equal(1, e.front.notices);
	env_close(&e);
	setenv("SAML2STS_KEYRING_BACKEND", "file", 1);
}

static void test_session_engine__choice_matching(void **state)
{
	struct s2s_role roles[2] = { 0 };
	struct s2s_error err = S2S_ERROR_INIT;
	size_t at = 9;
	static char arn0[] = "acs:ram::1111111111111111:role/Admin";
	static char arn1[] = "acs:ram::2222222222222222:role/admin";
	static char uid0[] = "1111111111111111", uid1[] = "2222222222222222";
	static char name0[] = "Admin", name1[] = "admin", alias0[] = "prod";

	roles[0].role_arn = arn0;
	roles[0].account_id = uid0;
	roles[0].role_name = name0;
	roles[0].account_name = alias0;
	roles[1].role_arn = arn1;
	roles[1].account_id = uid1;
	roles[1].role_name = name1;
	(void)state;
	assert_true(s2s_choice_matches(&roles[0], "PROD/admin"));
	assert_true(s2s_choice_matches(&roles[0], "1111111111111111/admin"));
	assert_false(s2s_choice_matches(&roles[0], "2222222222222222/admin"));
	assert_true(s2s_choice_matches(&roles[1],
	                               "ACS:RAM::2222222222222222:ROLE/ADMIN"));
	assert_int_equal(S2S_EINVAL,
	                 s2s_choice_find(&at, roles, 2, "admin", &err));
	assert_non_null(strstr(err.msg, "ambiguous"));
	s2s_error_clear(&err);
	assert_int_equal(S2S_OK,
	                 s2s_choice_find(&at, roles, 2, "prod/admin", &err));
	assert_int_equal(0, at);
}

/* A prompter that answers every question with front.answer. */
static s2s_err answer_ask(void *payload, enum s2s_prompt_kind kind,
                          const char *text, struct s2s_buf *answer,
                          struct s2s_error *err)
{
	struct front *f = payload;

	(void)kind;
	(void)err;
	f->questions++;
	assert_non_null(strstr(text, "replace it with"));
	s2s_buf_reset(answer);
	return s2s_buf_puts(answer, f->answer);
}

static void test_session_engine__profile_means_one_role(void **state)
{
	static const char *const admin[] = { "prod/admin" };
	static const char *const dev[] = { "dev/dev" };
	static const char *const by_uid[] = { "1111111111111111/admin" };
	struct s2s_prompter prompter = { 0 };
	struct s2s_error err = S2S_ERROR_INIT;
	struct s2s_login_opts o = { .account = "acme", .profile = "p1" };
	struct s2s_login_result *res = NULL;
	struct s2s_store_item *it = NULL;
	struct env e;
	long calls;

	(void)state;
	reset_counter("onerole");
	env_open(&e, false);
	o.roles = admin;
	o.nroles = 1;
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	s2s_login_result_free(res);
	/* another role under p1: --force, or a question; here neither */
	calls = count_calls();
	o.roles = dev;
	assert_int_equal(S2S_ENEEDINPUT,
	                 s2s_session_login(&res, e.s, &o, &err));
	assert_non_null(strstr(err.msg,
	                       "profile 'p1' holds "
	                       "acs:ram::1111111111111111:role/admin"));
	assert_int_equal(0, res->nitems);
	assert_int_equal(calls, count_calls()); /* nothing minted */
	s2s_login_result_free(res);
	s2s_error_clear(&err);
	o.force = true;
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	assert_string_equal("p1", res->items[0].profile);
	s2s_login_result_free(res);
	/* --profile alone: its role again, no choice needed (3 granted) */
	o.roles = NULL;
	o.nroles = 0;
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	assert_int_equal(1, res->nitems);
	assert_string_equal("acs:ram::2222222222222222:role/dev",
	                    res->items[0].role.role_arn);
	s2s_login_result_free(res);
	/* ... in the account that made it, when no account was asked for */
	o.account = "slow"; /* no aliases there */
	o.profile = "p2";
	o.roles = by_uid;
	o.nroles = 1;
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	s2s_login_result_free(res);
	o.account = "acme";
	o.account_default = true;
	o.roles = NULL;
	o.nroles = 0;
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	assert_string_equal("slow", res->items[0].creds->account_name);
	s2s_login_result_free(res);
	assert_int_equal(S2S_OK, s2s_session_stored(&it, e.s, "p2", &err));
	assert_string_equal("slow", it->account);
	assert_string_equal("acs:ram::1111111111111111:role/admin",
	                    it->role_arn);
	s2s_store_items_free(it, 1);
	assert_int_equal(S2S_ENEEDINPUT,
	                 s2s_session_stored(&it, e.s, "nope", &err));
	assert_null(it);
	/* the hint names stored profiles (earlier tests left some) */
	assert_non_null(strstr(err.msg, "no credentials for profile 'nope'; "
	                                "stored: "));
	s2s_error_clear(&err);
	env_close(&e);

	/* on a terminal: yes rebinds, no goes to the template's name */
	env_open(&e, true);
	prompter.ask = answer_ask;
	prompter.payload = &e.front;
	e.cb.prompter = &prompter;
	o.account = "acme";
	o.account_default = false;
	o.force = false;
	o.profile = "p1";
	o.roles = admin;
	o.nroles = 1;
	e.front.answer = "n";
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	assert_int_equal(1, e.front.questions);
	assert_string_equal("prod-admin", res->items[0].profile);
	s2s_login_result_free(res);
	e.front.answer = "y";
	assert_int_equal(S2S_OK, s2s_session_login(&res, e.s, &o, &err));
	assert_int_equal(2, e.front.questions);
	assert_string_equal("p1", res->items[0].profile);
	s2s_login_result_free(res);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_engine__window_table),
		cmocka_unit_test(test_session_engine__bad_window_is_an_error),
		cmocka_unit_test(
		        test_session_engine__fresh_is_read_not_refreshed),
		cmocka_unit_test(test_session_engine__stale_but_valid),
		cmocka_unit_test(test_session_engine__expired_needs_login),
		cmocka_unit_test(test_session_engine__single_flight),
		cmocka_unit_test(test_session_engine__login_choices),
		cmocka_unit_test(test_session_engine__store_fallback_notice),
		cmocka_unit_test(test_session_engine__choice_matching),
		cmocka_unit_test(test_session_engine__profile_means_one_role),
	};

	return cmocka_run_group_tests_name("session::engine", tests, setup,
	                                   teardown);
}
