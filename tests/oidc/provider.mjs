// A real OpenID Connect provider for the tests (oidc-provider, a certified implementation), with one
// confidential client, users from a JSON file, plain sign-in and sign-out pages, and test-control
// endpoints under /_test/ that tamper with the next id_token, rotate the signing key, or slow every
// request down. Test-only: it accepts any loopback redirect_uri and has no authentication of its own.
//
//   node tests/oidc/provider.mjs --port P --users USERS.json --client-id ID --client-secret SECRET
//
// Prints `ready http://127.0.0.1:P` on stdout once it is listening; everything else goes to stderr.
// Driven from Python by tests/oidc_provider.py.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    users: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
  },
});
for (const name of ['port', 'users', 'client-id', 'client-secret']) {
  if (!args[name]) {
    process.stderr.write(`provider.mjs: --${name} is required\n`);
    process.exit(2);
  }
}

const port = Number(args.port);
const issuer = `http://127.0.0.1:${port}`;
const users = JSON.parse(readFileSync(args.users, 'utf8'));
const bySub = new Map(users.map((user) => [user.sub, user]));

// Signing keys. oidc-provider itself knows only the first; every id_token it issues is re-signed
// here with the current key, the JWKS endpoint publishes the current key and the one before it, and
// an id_token_hint signed by any key of this run is re-signed with the first before end_session
// sees it. A rotation makes a new key.
async function newKey(kid) {
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const { d, p, q, dp, dq, qi, ...publicJwk } = jwk; // eslint-disable-line no-unused-vars
  return { kid, privateKey, publicKey, jwk, publicJwk };
}
const stamp = Date.now().toString(36);
const [firstKey, strayKey] = await Promise.all([newKey(`test-key-${stamp}-0`), newKey('stray')]);
const keys = [firstKey]; // strayKey is in no JWKS: for the wrong_key fault
let current = 0;

const control = { fault: 'none', slow: 0, logouts: 0, tokens: 0 };
const FAULTS = new Set(['none', 'wrong_key', 'wrong_audience', 'wrong_issuer', 'expired', 'future_iat', 'nonce']);

const html = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${html(title)}</title></head>
<body>
<main>
<h1>${html(title)}</h1>
${body}
</main>
</body>
</html>`;

const isLoopback = (value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname)
      && !url.username && !url.password && !url.hash;
  } catch {
    return false;
  }
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: args['client-id'],
    client_secret: args['client-secret'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/callback'],
    post_logout_redirect_uris: ['http://127.0.0.1/'],
    token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted as well
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [firstKey.jwk] },
  cookies: { keys: [`cookie-key-${stamp}`] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    employee: ['employee_number'],
  },
  scopes: ['openid', 'email', 'profile', 'employee'],
  conformIdTokenClaims: false, // the scopes' claims go in the id_token, not only from userinfo
  responseTypes: ['code'],
  pkce: { required: () => true },
  routes: {
    authorization: '/auth',
    token: '/token',
    jwks: '/jwks',
    end_session: '/session/end',
    userinfo: '/me',
  },
  async findAccount(ctx, sub) {
    const user = bySub.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: user.email,
          email_verified: true,
          name: user.name,
          employee_number: user.employee_number,
        };
      },
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        const button = '<button type="submit" name="logout" value="yes">Sign out</button>';
        ctx.body = page('Sign out', `<p>Sign out of the test identity provider?</p>\n${form.replace('</form>', `${button}</form>`)}`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You have signed out of the test identity provider.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Sign-in error', Object.entries(out).map(([k, v]) => `<p><strong>${html(k)}</strong>: ${html(v)}</p>`).join('\n'));
  },
});
provider.Client.prototype.redirectUriAllowed = isLoopback;
provider.Client.prototype.postLogoutRedirectUriAllowed = isLoopback;
provider.on('server_error', (ctx, err) => process.stderr.write(`provider server_error: ${err.stack}\n`));

async function readJson(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

async function readForm(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// The /_test/ endpoints, and the slow-down of everything else.
provider.use(async (ctx, next) => {
  if (ctx.path === '/favicon.ico') { // browsers ask for it; a 404 would show as a console error in the tests
    ctx.status = 204;
    return undefined;
  }
  if (!ctx.path.startsWith('/_test/')) {
    if (control.slow > 0) await new Promise((resolve) => { setTimeout(resolve, control.slow * 1000); });
    return next();
  }
  ctx.type = 'json';
  const route = `${ctx.method} ${ctx.path}`;
  if (route === 'GET /_test/state') {
    ctx.body = { logouts: control.logouts, tokens: control.tokens, fault: control.fault, slow: control.slow, kid: keys[current].kid };
  } else if (route === 'POST /_test/fault') {
    const { mode } = await readJson(ctx);
    if (!FAULTS.has(mode) && !/^missing_claim:[A-Za-z0-9_]+$/.test(mode ?? '')) {
      ctx.status = 400;
      ctx.body = { error: `unknown fault mode ${JSON.stringify(mode)}` };
      return undefined;
    }
    control.fault = mode;
    ctx.body = { fault: mode };
  } else if (route === 'POST /_test/rotate') {
    keys.push(await newKey(`test-key-${stamp}-${keys.length}`));
    current = keys.length - 1;
    ctx.body = { kid: keys[current].kid };
  } else if (route === 'POST /_test/slow') {
    const { seconds } = await readJson(ctx);
    control.slow = Number(seconds) || 0;
    ctx.body = { slow: control.slow };
  } else if (route === 'POST /_test/reset') {
    control.fault = 'none';
    control.slow = 0;
    ctx.body = { fault: 'none', slow: 0 };
  } else {
    ctx.status = 404;
    ctx.body = { error: `no test endpoint ${route}` };
  }
  return undefined;
});

// Completed RP-initiated logouts: the confirmations that send the browser on, except oidc-provider's
// own sign-out of one user before another signs in (which goes back to its /auth/ resume URL).
provider.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || ctx.path !== '/session/end/confirm') return next();
  await next();
  const location = ctx.status === 303 ? ctx.response.get('Location') : '';
  if (location && !location.startsWith(`${issuer}/auth/`)) control.logouts += 1;
  return undefined;
});

// An id_token_hint signed by a key of this run (rotated or not) re-signed with the key oidc-provider
// knows, so that a rotation does not break sign-out; one that verifies with none is left alone.
async function resignHint(hint) {
  try {
    const { kid } = jose.decodeProtectedHeader(hint);
    const key = keys.find((candidate) => candidate.kid === kid);
    if (!key || key === firstKey) return hint;
    const { payload } = await jose.compactVerify(hint, key.publicKey);
    return await new jose.CompactSign(payload).setProtectedHeader({ alg: 'RS256', kid: firstKey.kid }).sign(firstKey.privateKey);
  } catch {
    return hint;
  }
}

provider.use(async (ctx, next) => {
  if (ctx.path !== '/session/end') return next();
  if (ctx.method === 'GET' && ctx.query.id_token_hint) {
    const query = new URLSearchParams(ctx.querystring);
    query.set('id_token_hint', await resignHint(query.get('id_token_hint')));
    ctx.querystring = query.toString();
  } else if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
    const form = await readForm(ctx);
    if (form.get('id_token_hint')) form.set('id_token_hint', await resignHint(form.get('id_token_hint')));
    ctx.req.body = form.toString(); // oidc-provider reads an already-read body from here
  }
  return next();
});

// The published JWKS: the current key and the one before it.
provider.use(async (ctx, next) => {
  if (ctx.method !== 'GET' || ctx.path !== '/jwks') return next();
  ctx.type = 'application/jwk-set+json; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { keys: keys.slice(Math.max(0, current - 1), current + 1).reverse().map((key) => key.publicJwk) };
  return undefined;
});

// Every id_token from the token endpoint re-signed with the current key, tampered with first if a
// fault is set (the fault then clears).
function tamper(payload, mode) {
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'wrong_audience') payload.aud = 'someone-else';
  if (mode === 'wrong_issuer') payload.iss = 'http://wrong-issuer.invalid';
  if (mode === 'expired') Object.assign(payload, { iat: now - 1200, exp: now - 600 });
  if (mode === 'future_iat') Object.assign(payload, { iat: now + 600, exp: now + 1200 });
  if (mode === 'nonce') payload.nonce = 'not-the-one-sent';
  if (mode.startsWith('missing_claim:')) delete payload[mode.slice('missing_claim:'.length)];
}

provider.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || ctx.path !== '/token') return next();
  await next();
  control.tokens += 1;
  const idToken = ctx.status === 200 && ctx.body && typeof ctx.body === 'object' ? ctx.body.id_token : undefined;
  if (!idToken) return undefined;
  const payload = jose.decodeJwt(idToken);
  const mode = control.fault;
  control.fault = 'none';
  tamper(payload, mode);
  const { kid, privateKey } = keys[current];
  const signer = mode === 'wrong_key' ? strayKey.privateKey : privateKey;
  ctx.body = {
    ...ctx.body,
    id_token: await new jose.SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(signer),
  };
  return undefined;
});

// The sign-in pages (instead of oidc-provider's devInteractions).
function loginForm(uid, { email = '', error = '' } = {}) {
  const problem = error ? `<p class="error" role="alert" id="error">${html(error)}</p>\n` : '';
  return page('Sign in to the test identity provider', `${problem}<form id="login" method="post" action="/interaction/${html(uid)}/login">
<label for="email">Email address</label>
<input type="text" id="email" name="email" autocomplete="email" value="${html(email)}">
<button type="submit">Sign in</button>
</form>
<form id="cancel" method="post" action="/interaction/${html(uid)}/abort">
<button type="submit">Cancel</button>
</form>`);
}

// A Grant for everything the client asked for, so that no consent screen is shown.
async function grantAll(details, accountId) {
  const { params } = details;
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing?.accountId === accountId
    ? existing
    : new provider.Grant({ accountId, clientId: params.client_id });
  if (params.scope) grant.addOIDCScope(params.scope);
  if (params.claims) {
    const claims = JSON.parse(params.claims);
    grant.addOIDCClaims(Object.keys({ ...claims.id_token, ...claims.userinfo }));
  }
  const missing = details.prompt.details?.missingResourceScopes ?? {};
  for (const [indicator, scopes] of Object.entries(missing)) grant.addResourceScope(indicator, scopes.join(' '));
  return grant.save();
}

async function finish(ctx, result) {
  const url = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(url);
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/abort)?$/);
  if (!match) return next();
  const [, uid, action = ''] = match;
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'html';
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) throw new Error('interaction cookie does not match this page');
  } catch (err) {
    ctx.status = 400;
    ctx.body = page('Sign-in error', `<p>This sign-in has expired or is unknown: ${html(err.message)}</p>`);
    return undefined;
  }
  if (ctx.method === 'GET' && action === '') {
    if (details.prompt.name === 'consent') {
      return finish(ctx, { consent: { grantId: await grantAll(details, details.session.accountId) } });
    }
    ctx.body = loginForm(uid);
  } else if (ctx.method === 'POST' && action === '/login') {
    const email = ((await readForm(ctx)).get('email') || '').trim();
    const user = users.find((candidate) => candidate.email.toLowerCase() === email.toLowerCase());
    if (!user) {
      ctx.status = 200;
      ctx.body = loginForm(uid, { email, error: email ? `No account has the email address ${email}` : 'Enter an email address' });
      return undefined;
    }
    return finish(ctx, {
      login: { accountId: user.sub },
      consent: { grantId: await grantAll(details, user.sub) },
    });
  } else if (ctx.method === 'POST' && action === '/abort') {
    return finish(ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
  } else {
    ctx.status = 405;
    ctx.body = page('Not allowed', '<p>Method not allowed.</p>');
  }
  return undefined;
});

const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
server.on('error', (err) => {
  process.stderr.write(`provider.mjs: ${err.message}\n`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => { server.close(); process.exit(0); });
}
