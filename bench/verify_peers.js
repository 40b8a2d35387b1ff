// SPDX-License-Identifier: MIT
/*
 * Node.js peers for bench/verify_bench.py, one worker process each:
 *
 *   node verify_peers.js PEER CERT AUDIENCE ACS ISSUER
 *
 * PEER is samlify (ServiceProvider.parseLoginResponse, the schema
 * validator stubbed: samlify leaves that choice to the application) or
 * node-saml (@node-saml/node-saml SAML.validatePostResponseAsync).
 * Each operation takes the base64 SAMLResponse as an SP receives it and
 * ends with the Role attribute values of the verified assertion.  The
 * line protocol is verify_bench.c's: load NAME FILE, check NAME, run
 * NAME N (answers: ok, "ok ROLES" / "fail WHY", seconds).  Modules come
 * from NODE_PATH (verify_bench.py installs them with npm).
 */
'use strict';

const fs = require('fs');
const readline = require('readline');

const ROLE = 'https://www.aliyun.com/SAML-Role/Attributes/Role';
const [peerName, certFile, audience, acs, issuer] = process.argv.slice(2);
const certPem = fs.readFileSync(certFile, 'utf8');
const certB64 = certPem.split('-----')[2].replace(/\s+/g, '');

function asList(v) {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function samlify() {
  const saml = require('samlify');
  saml.setSchemaValidator({ validate: () => Promise.resolve('skipped') });
  const post = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
  const idp = saml.IdentityProvider({
    entityID: issuer,
    signingCert: certPem,
    singleSignOnService: [{ Binding: post, Location: issuer }],
  });
  const sp = saml.ServiceProvider({
    entityID: audience,
    assertionConsumerService: [{ Binding: post, Location: acs }],
    wantAssertionsSigned: true,
    wantMessageSigned: true,
  });
  return async (b64) => {
    const { extract } = await sp.parseLoginResponse(idp, 'post', {
      body: { SAMLResponse: b64 },
    });
    return asList(extract.attributes[ROLE]);
  };
}

function nodeSaml() {
  const { SAML } = require('@node-saml/node-saml');
  const saml = new SAML({
    callbackUrl: acs,
    entryPoint: issuer,
    issuer: audience,
    audience,
    idpIssuer: issuer,
    idpCert: certB64,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
  });
  return async (b64) => {
    const { profile } = await saml.validatePostResponseAsync({
      SAMLResponse: b64,
    });
    return asList(profile[ROLE]);
  };
}

const PEERS = { samlify, 'node-saml': nodeSaml };

async function main() {
  const roles = PEERS[peerName]();
  const docs = {};
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const cmd = line.trim().split(/\s+/);
    try {
      if (cmd[0] === 'load') {
        docs[cmd[1]] = fs.readFileSync(cmd[2]).toString('base64');
        console.log('ok');
      } else if (cmd[0] === 'check') {
        console.log(`ok ${(await roles(docs[cmd[1]])).length}`);
      } else if (cmd[0] === 'run') {
        const b64 = docs[cmd[1]];
        const n = Number(cmd[2]);
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; i++) await roles(b64);
        console.log((Number(process.hrtime.bigint() - t0) / 1e9).toFixed(9));
      } else {
        console.log('fail unknown command');
      }
    } catch (e) {
      console.log(`fail ${String(e && e.message ? e.message : e).split('\n')[0]}`);
    }
  }
}

main();
