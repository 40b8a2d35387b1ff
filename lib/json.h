/* SPDX-License-Identifier: MIT */
/* The JSON helpers live in the public header; lib/ includes it here. */
#ifndef S2S_JSON_H
#define S2S_JSON_H

#include "saml2sts/json.h"

#endif
