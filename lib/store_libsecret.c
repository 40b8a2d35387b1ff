/* SPDX-License-Identifier: MIT */
/*
 * The Secret Service backend (gnome-keyring, KeePassXC, KWallet) through
 * libsecret: items in the default collection (never a private one), an
 * encrypted transfer session, and a deadline on every call so a keyring
 * that cannot show its unlock prompt, or a daemon that hangs, fails
 * instead of hanging.  A locked collection is reported as such, never as
 * "not found", and nothing is deleted after a failed read.  Whether the
 * service is there at all is asked of the bus daemon (probe), never
 * inferred from a failing call.
 */
#include <pthread.h>
#include <time.h>

#include <libsecret/secret.h>

#include "common.h"
#include "store_int.h"
#include "saml2sts/creds.h"
#include "saml2sts/isotime.h"

#define SECRETS_NAME "org.freedesktop.secrets"

struct ss_state {
	SecretService *service;
	long timeout_ms;
};

static const SecretSchema schema = {
	S2S_STORE_SCHEMA,
	SECRET_SCHEMA_NONE,
	{
	        { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { "role_arn", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { "expires", SECRET_SCHEMA_ATTRIBUTE_STRING },
	        { NULL, 0 },
	},
	0,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
};

/* A thread that cancels the call in progress when its deadline passes. */
struct watchdog {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	GCancellable *cancel;
	long ms;
	bool done;
	bool fired;
	bool running;
};

static void *watch(void *p)
{
	struct watchdog *w = p;
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += w->ms / 1000;
	until.tv_nsec += (w->ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->cv, &w->mu, &until) ==
		    ETIMEDOUT) {
			w->fired = true;
			g_cancellable_cancel(w->cancel);
			break;
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void watchdog_start(struct watchdog *w, long ms)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->cancel = g_cancellable_new();
	w->ms = ms;
	w->running = pthread_create(&w->thread, NULL, watch, w) == 0;
}

static void watchdog_stop(struct watchdog *w)
{
	pthread_mutex_lock(&w->mu);
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->running)
		pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	g_object_unref(w->cancel);
}

/* "10 s", or "250 ms" for a bound that is not whole seconds. */
static void span(char *out, size_t n, long ms)
{
	if (ms % 1000 == 0)
		snprintf(out, n, "%ld s", ms / 1000);
	else
		snprintf(out, n, "%ld ms", ms);
}

static s2s_err fail(const struct watchdog *w, GError *e, const char *what,
                    struct s2s_error *err)
{
	char took[32];
	s2s_err rc;

	span(took, sizeof(took), w->ms);
	if (w->fired)
		rc = s2s_error_set(
		        err, S2S_ESTORE,
		        "the Secret Service did not answer in %s "
		        "(%s): is gnome-keyring hung? restart it, or "
		        "set SAML2STS_KEYRING_BACKEND=file",
		        took, what);
	else if (e && g_error_matches(e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "the keyring is locked (%s); unlock it "
		                   "and retry",
		                   what);
	else
		rc = s2s_error_set(err, S2S_ESTORE, "secret service: %s (%s)",
		                   e ? e->message : "unknown error", what);
	if (e)
		g_error_free(e);
	return rc;
}

/* One call to the bus daemon itself, answering type. */
static GVariant *bus_call(GDBusConnection *bus, const char *method,
                          GVariant *args, const char *type,
                          GCancellable *cancel, GError **e)
{
	return g_dbus_connection_call_sync(
	        bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	        "org.freedesktop.DBus", method, args, G_VARIANT_TYPE(type),
	        G_DBUS_CALL_FLAGS_NONE, -1, cancel, e);
}

/* Does the bus own, or know how to start, the Secret Service?  Asked of
 * the bus daemon only: a hung keyring daemon cannot make this hang, and
 * only its absence lets an automatic choice move on. */
static bool provided(GDBusConnection *bus, GCancellable *cancel, GError **e)
{
	gboolean owned = FALSE;
	bool startable = false;
	GVariantIter *names = NULL;
	const gchar *name;
	GVariant *v;

	v = bus_call(bus, "NameHasOwner", g_variant_new("(s)", SECRETS_NAME),
	             "(b)", cancel, e);
	if (!v)
		return false;
	g_variant_get(v, "(b)", &owned);
	g_variant_unref(v);
	if (owned)
		return true;
	v = bus_call(bus, "ListActivatableNames", NULL, "(as)", cancel, e);
	if (!v)
		return false;
	g_variant_get(v, "(as)", &names);
	while (!startable && g_variant_iter_loop(names, "&s", &name))
		startable = strcmp(name, SECRETS_NAME) == 0;
	g_variant_iter_free(names);
	g_variant_unref(v);
	return startable;
}

static s2s_err ss_probe(const struct s2s_store_opts *opts,
                        struct s2s_error *err)
{
	GDBusConnection *bus;
	struct watchdog w;
	GError *e = NULL;
	char took[32];
	bool there = false;
	s2s_err rc = S2S_OK;

	watchdog_start(&w, opts->timeout_ms);
	bus = g_bus_get_sync(G_BUS_TYPE_SESSION, w.cancel, &e);
	if (bus)
		there = provided(bus, w.cancel, &e);
	watchdog_stop(&w);
	span(took, sizeof(took), w.ms);
	if (w.fired)
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "the session bus did not answer in %s: is "
		                   "dbus-daemon hung? restart the session, or "
		                   "set SAML2STS_KEYRING_BACKEND=file",
		                   took);
	else if (!bus)
		rc = s2s_error_set(err, S2S_ENOTFOUND, "no session bus: %s",
		                   e ? e->message : "unknown error");
	else if (e)
		rc = s2s_error_set(err, S2S_ESTORE, "session bus: %s",
		                   e->message);
	else if (!there)
		rc = s2s_error_set(err, S2S_ENOTFOUND,
		                   "nothing provides %s on the session bus",
		                   SECRETS_NAME);
	if (e)
		g_error_free(e);
	if (bus)
		g_object_unref(bus);
	return rc;
}

static s2s_err ss_open(void **state, const struct s2s_store_opts *opts,
                       struct s2s_error *err)
{
	struct ss_state *st;
	struct watchdog w;
	GError *e = NULL;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return s2s_error_set(err, S2S_ENOMEM, "out of memory");
	st->timeout_ms = opts->timeout_ms;
	watchdog_start(&w, st->timeout_ms);
	st->service = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION,
	                                      w.cancel, &e);
	watchdog_stop(&w);
	if (!st->service) {
		free(st);
		return fail(&w, e, "connect", err);
	}
	*state = st;
	return S2S_OK;
}

static void ss_close(void *state)
{
	struct ss_state *st = state;

	if (!st)
		return;
	g_object_unref(st->service);
	free(st);
}

/* Unlock the default collection now (its prompt, if any, comes before
 * a login rather than after it). */
static s2s_err ss_ready(void *state, struct s2s_error *err)
{
	struct ss_state *st = state;
	SecretCollection *coll;
	GList *one = NULL;
	struct watchdog w;
	GError *e = NULL;
	gint unlocked = 1;
	s2s_err rc = S2S_OK;

	watchdog_start(&w, st->timeout_ms);
	coll = secret_collection_for_alias_sync(
	        st->service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
	        w.cancel, &e);
	if (coll && secret_collection_get_locked(coll)) {
		one = g_list_append(NULL, coll);
		unlocked = secret_service_unlock_sync(st->service, one,
		                                      w.cancel, NULL, &e);
		g_list_free(one);
	}
	watchdog_stop(&w);
	if (e || w.fired)
		rc = fail(&w, e, "unlock", err);
	else if (unlocked < 1)
		rc = s2s_error_set(err, S2S_ESTORE,
		                   "the keyring is locked; unlock it and "
		                   "retry");
	if (coll)
		g_object_unref(coll);
	return rc;
}

static GHashTable *attrs_new(const char *profile, const char *kind)
{
	GHashTable *h =
	        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	g_hash_table_insert(h, (gpointer)(uintptr_t) "profile",
	                    g_strdup(profile));
	if (kind)
		g_hash_table_insert(h, (gpointer)(uintptr_t) "kind",
		                    g_strdup(kind));
	return h;
}

static GList *search(struct ss_state *st, GHashTable *attrs,
                     SecretSearchFlags flags, struct s2s_error *err,
                     s2s_err *rc)
{
	struct watchdog w;
	GError *e = NULL;
	GList *items;

	watchdog_start(&w, st->timeout_ms);
	items = secret_service_search_sync(st->service, &schema, attrs,
	                                   flags | SECRET_SEARCH_ALL, w.cancel,
	                                   &e);
	watchdog_stop(&w);
	*rc = S2S_OK;
	if (e || w.fired)
		*rc = fail(&w, e, "search", err);
	return items;
}

/* True if item has exactly the attributes of want (our schema's; the
 * xdg:schema attribute libsecret adds is not compared). */
static bool same_attributes(SecretItem *item, GHashTable *want)
{
	GHashTable *have = secret_item_get_attributes(item);
	GHashTableIter it;
	gpointer k, v;
	guint n = 0;
	bool same = true;

	g_hash_table_iter_init(&it, have);
	while (same && g_hash_table_iter_next(&it, &k, &v)) {
		const char *w;

		if (strcmp(k, "xdg:schema") == 0)
			continue;
		n++;
		w = g_hash_table_lookup(want, k);
		same = w && strcmp(w, v) == 0;
	}
	g_hash_table_unref(have);
	return same && n == g_hash_table_size(want);
}

static s2s_err ss_put(void *state, const struct s2s_store_item *it,
                      const struct s2s_buf *secret, struct s2s_error *err)
{
	struct ss_state *st = state;
	GHashTable *match = attrs_new(it->profile, it->kind);
	GHashTable *attrs = attrs_new(it->profile, it->kind);
	SecretValue *value = NULL;
	GList *old = NULL;
	struct watchdog w;
	GError *e = NULL;
	char label[256], exp[32] = "";
	gboolean ok;
	s2s_err rc;

	if (it->account)
		g_hash_table_insert(attrs, (gpointer)(uintptr_t) "account",
		                    g_strdup(it->account));
	if (it->role_arn)
		g_hash_table_insert(attrs, (gpointer)(uintptr_t) "role_arn",
		                    g_strdup(it->role_arn));
	if (it->expires) {
		s2s_time_format_utc(exp, sizeof(exp), it->expires);
		g_hash_table_insert(attrs, (gpointer)(uintptr_t) "expires",
		                    g_strdup(exp));
	}
	/* Find the items this one replaces first; delete them only once the
	 * new one is safely stored. */
	old = search(st, match, SECRET_SEARCH_NONE, err, &rc);
	if (rc)
		goto out;
	if (exp[0])
		snprintf(label, sizeof(label), "saml2sts %s: %s (expires %s)",
		         it->kind, it->profile, exp);
	else
		snprintf(label, sizeof(label), "saml2sts %s: %s", it->kind,
		         it->profile);
	value = secret_value_new(secret->ptr ? secret->ptr : "",
	                         (gssize)secret->len, "application/json");
	watchdog_start(&w, st->timeout_ms);
	ok = secret_service_store_sync(st->service, &schema, attrs,
	                               SECRET_COLLECTION_DEFAULT, label, value,
	                               w.cancel, &e);
	watchdog_stop(&w);
	if (!ok || w.fired) {
		rc = fail(&w, e, "store", err);
		goto out;
	}
	for (GList *l = old; l; l = l->next) {
		/* the Secret Service replaces an item with the very same
		 * attributes in place: that one is the new item now */
		if (same_attributes(l->data, attrs))
			continue;
		watchdog_start(&w, st->timeout_ms);
		secret_item_delete_sync(l->data, w.cancel, &e);
		watchdog_stop(&w);
		if (e || w.fired) {
			rc = fail(&w, e, "replace", err);
			goto out;
		}
	}
out:
	if (value)
		secret_value_unref(value);
	g_list_free_full(old, g_object_unref);
	g_hash_table_unref(match);
	g_hash_table_unref(attrs);
	return rc;
}

/* Nothing matched: say "locked" rather than "not found" when the default
 * collection is locked, since a locked keyring may hide items. */
static s2s_err absent(struct ss_state *st, const char *profile,
                      struct s2s_error *err)
{
	SecretCollection *coll;
	struct watchdog w;
	GError *e = NULL;
	bool locked;

	watchdog_start(&w, st->timeout_ms);
	coll = secret_collection_for_alias_sync(
	        st->service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
	        w.cancel, &e);
	watchdog_stop(&w);
	if (e || w.fired)
		return fail(&w, e, "default collection", err);
	if (!coll)
		return s2s_error_set(err, S2S_ESTORE,
		                     "the secret service has no default "
		                     "collection");
	locked = secret_collection_get_locked(coll);
	g_object_unref(coll);
	if (locked)
		return s2s_error_set(err, S2S_ESTORE,
		                     "the keyring is locked; unlock it and "
		                     "retry");
	return s2s_error_set(err, S2S_ENOTFOUND,
	                     "no stored credentials for "
	                     "profile '%s'",
	                     profile);
}

/* The newest readable item of a search.  A writer stores the new item
 * before it deletes the old one, so a reader racing it may see both, or
 * an item whose secret is gone by the time it is loaded. */
static SecretValue *newest_secret(GList *items, bool *locked)
{
	SecretValue *best = NULL;
	gchar *best_exp = NULL;

	*locked = false;
	for (GList *l = items; l; l = l->next) {
		GHashTable *a;
		SecretValue *v;
		const gchar *exp;

		if (secret_item_get_locked(l->data)) {
			*locked = true;
			continue;
		}
		v = secret_item_get_secret(l->data);
		if (!v)
			continue;
		a = secret_item_get_attributes(l->data);
		exp = g_hash_table_lookup(a, "expires");
		if (!best ||
		    (exp && (!best_exp || strcmp(exp, best_exp) > 0))) {
			if (best)
				secret_value_unref(best);
			best = v;
			g_free(best_exp);
			best_exp = g_strdup(exp);
		} else {
			secret_value_unref(v);
		}
		g_hash_table_unref(a);
	}
	g_free(best_exp);
	return best;
}

static s2s_err ss_get(void *state, const char *profile, const char *kind,
                      struct s2s_buf *out, struct s2s_error *err)
{
	struct ss_state *st = state;
	GHashTable *attrs = attrs_new(profile, kind);
	struct timespec nap = { 0, 50 * 1000000L };
	SecretValue *value = NULL;
	GList *items = NULL;
	const gchar *data;
	bool locked = false;
	gsize len = 0;
	s2s_err rc = S2S_OK;

	for (int attempt = 0; attempt < 3 && !value; attempt++) {
		if (attempt)
			nanosleep(&nap, NULL); /* a replace was under way */
		g_list_free_full(items, g_object_unref);
		items = search(st, attrs,
		               SECRET_SEARCH_UNLOCK |
		                       SECRET_SEARCH_LOAD_SECRETS,
		               err, &rc);
		if (rc && attempt < 2 && err && strstr(err->msg, "No such")) {
			/* an item vanished under the search: a replace */
			s2s_error_clear(err);
			rc = S2S_OK;
			continue;
		}
		if (rc || !items)
			break;
		value = newest_secret(items, &locked);
		if (locked)
			break;
	}
	if (rc)
		goto out;
	if (!items) {
		rc = absent(st, profile, err);
		goto out;
	}
	if (!value) {
		rc = s2s_error_set(err, S2S_ESTORE,
		                   locked ? "the keyring is locked; unlock it "
		                            "and retry"
		                          : "the secret service returned no "
		                            "secret for profile '%s'",
		                   profile);
		goto out;
	}
	data = secret_value_get(value, &len);
	s2s_buf_reset(out);
	if (s2s_buf_add(out, data, len))
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
out:
	if (value)
		secret_value_unref(value);
	g_list_free_full(items, g_object_unref);
	g_hash_table_unref(attrs);
	return rc;
}

static s2s_err ss_del(void *state, const char *profile, const char *kind,
                      struct s2s_error *err)
{
	struct ss_state *st = state;
	GHashTable *attrs = attrs_new(profile, kind);
	struct watchdog w;
	GError *e = NULL;
	gboolean any;
	s2s_err rc = S2S_OK;

	watchdog_start(&w, st->timeout_ms);
	any = secret_service_clear_sync(st->service, &schema, attrs, w.cancel,
	                                &e);
	watchdog_stop(&w);
	if (e || w.fired)
		rc = fail(&w, e, "delete", err);
	else if (!any)
		rc = s2s_error_set(err, S2S_ENOTFOUND,
		                   "nothing stored for profile '%s'", profile);
	g_hash_table_unref(attrs);
	return rc;
}

static char *attr_dup(GHashTable *h, const char *name, bool *ok)
{
	const char *v = g_hash_table_lookup(h, name);

	return s2s__strdup_or_null(v, ok);
}

static s2s_err ss_list(void *state, struct s2s_store_item **out, size_t *n,
                       struct s2s_error *err)
{
	struct ss_state *st = state;
	GHashTable *attrs = g_hash_table_new(g_str_hash, g_str_equal);
	struct s2s_store_item *items = NULL;
	GList *found;
	size_t count = 0;
	bool ok = true;
	s2s_err rc;

	found = search(st, attrs, SECRET_SEARCH_NONE, err, &rc);
	if (rc)
		goto out;
	items = calloc(g_list_length(found) + 1, sizeof(*items));
	if (!items) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	for (GList *l = found; l; l = l->next) {
		GHashTable *a = secret_item_get_attributes(l->data);
		struct s2s_store_item *it = &items[count];
		const char *exp = g_hash_table_lookup(a, "expires");

		it->profile = attr_dup(a, "profile", &ok);
		it->kind = attr_dup(a, "kind", &ok);
		it->account = attr_dup(a, "account", &ok);
		it->role_arn = attr_dup(a, "role_arn", &ok);
		if (!exp || !s2s_time_parse(&it->expires, exp))
			it->expires = 0;
		g_hash_table_unref(a);
		if (it->profile && it->kind) {
			count++;
			continue;
		}
		free(it->profile);
		free(it->kind);
		free(it->account);
		free(it->role_arn);
		memset(it, 0, sizeof(*it));
	}
	if (!ok) {
		rc = s2s_error_set(err, S2S_ENOMEM, "out of memory");
		goto out;
	}
	*out = items;
	*n = count;
	items = NULL;
	count = 0;
out:
	s2s_store_items_free(items, count);
	g_list_free_full(found, g_object_unref);
	g_hash_table_unref(attrs);
	return rc;
}

const struct s2s_store_backend s2s__store_secret_service = {
	.name = "secret-service",
	.probe = ss_probe,
	.open = ss_open,
	.close = ss_close,
	.ready = ss_ready,
	.put = ss_put,
	.get = ss_get,
	.del = ss_del,
	.list = ss_list,
};
