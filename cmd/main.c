/* SPDX-License-Identifier: MIT */
#include <stdio.h>

int main(void)
{
	puts("saml2sts " S2S_VERSION);
	return 0;
}
