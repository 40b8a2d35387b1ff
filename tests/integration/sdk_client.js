// SPDX-License-Identifier: MIT
// A real Alibaba Cloud client library consuming saml2sts credentials:
// @alicloud/credentials' default provider chain, as any Node SDK uses it.
// Prints what it got as JSON (the test compares it with what STS issued).
'use strict';
const mod = require('@alicloud/credentials');
const Credential = mod.default || mod;

(async () => {
  const cred = new Credential();
  const m = await cred.getCredential();
  process.stdout.write(JSON.stringify({
    accessKeyId: m.accessKeyId,
    accessKeySecret: m.accessKeySecret,
    securityToken: m.securityToken,
    providerName: m.providerName,
  }) + '\n');
})().catch((e) => {
  process.stderr.write('sdk: ' + e.message + '\n');
  process.exit(1);
});
