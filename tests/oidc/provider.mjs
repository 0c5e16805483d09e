// A real OpenID Connect provider (panva/oidc-provider, OpenID Certified) for the sign-in browser test:
// authorization code flow with signed id tokens, discovery, PKCE and RP-initiated logout, on loopback
// only. Its pages are plain forms that fetch nothing from outside. Test use only: accounts and the
// client come from the JSON file named on the command line, which the test writes:
//   {"port": 0, "client_id": "...", "client_secret": "...", "redirect_uri": "http://127.0.0.1:N/oauth2callback",
//    "cookie_key": "...", "accounts": {"viewer@test.nhs.uk": {"password": "...", "name": "...", "groups": []}}}
// Prints "listening on http://127.0.0.1:PORT" when ready.
import http from 'node:http';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { accounts } = config;

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escape(title)}</title>
</head><body style="font-family: sans-serif; max-width: 24em; margin: 3em auto"><h1>${escape(title)}</h1>${body}
</body></html>`;

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const server = http.createServer();
server.listen(config.port || 0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: [config.redirect_uri],
      post_logout_redirect_uris: [config.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    conformIdTokenClaims: false, // the id token carries email and name, as Entra's does
    cookies: { keys: [config.cookie_key] },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page('Sign out', `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`);
        },
        postLogoutSuccessSource: async (ctx) => { ctx.body = page('Signed out', '<p>You have signed out.</p>'); },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: id, email_verified: true, name: account.name, groups: account.groups || [] };
        },
      };
    },
    async loadExistingGrant(ctx) { // a first-party app: consent is given on the first sign-in
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
    },
  });

  // The sign-in form: the account's address and its password (checked), then back to the app.
  provider.use(async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let error = '';
    if (ctx.method === 'POST') {
      const form = await readForm(ctx.req);
      const login = (form.get('login') || '').trim().toLowerCase();
      if (accounts[login] && accounts[login].password === form.get('password')) {
        const to = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: login } },
          { mergeWithLastSubmission: false });
        ctx.status = 303;
        ctx.redirect(to);
        return undefined;
      }
      error = '<p role="alert">Wrong address or password.</p>';
    }
    ctx.type = 'html';
    ctx.body = page('Sign in to the test provider', `${error}<form method="post" autocomplete="off">
      <label>Email address <input name="login" type="text" required></label><br>
      <label>Password <input name="password" type="password" required></label><br>
      <button type="submit">Sign in</button></form><p>prompt: ${escape(details.prompt.name)}</p>`);
    return undefined;
  });

  server.on('request', provider.callback());
  console.log(`listening on ${issuer}`);
});
