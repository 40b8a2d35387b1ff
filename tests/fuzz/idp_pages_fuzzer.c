/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: what the JSON-in-HTML adapters read out of pages a
 * hostile or broken IdP may serve, before any JSON or form parser sees
 * them: Entra's $Config object (idp-adapters/entra: json-c's tokener
 * started inside the page) and Okta Identity Engine's stateToken (in a
 * redirect's query, percent-encoded, or in the sign-in page's script,
 * JavaScript-escaped).  No network.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <saml2sts/buf.h>
#include <saml2sts/json.h>

#include "entra/entra_int.h"
#include "okta/okta_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s2s_buf tok = S2S_BUF_SECRET_INIT;
	struct json_object *cfg;
	char *text;

	cfg = s2s_entra__config((const char *)data, size);
	if (cfg) {
		(void)s2s_json_text_at(cfg, "pgid");
		(void)s2s_json_text_at(cfg, "sFT");
		(void)s2s_json_at(cfg, "arrUserProofs");
		(void)s2s_json_text_at(cfg, "oPerAuthPollingInterval.x");
	}
	s2s_json_put_wiped(cfg);
	/* the token readers take NUL-terminated text, as the HTTP layer
	 * hands out */
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (s2s_okta__page_token(text, &tok) && tok.len == 0)
		abort(); /* a found token is never empty */
	s2s_buf_release(&tok);
	if (s2s_okta__query_token(text, &tok) && tok.len == 0)
		abort();
	s2s_buf_release(&tok);
	free(text);
	return 0;
}
