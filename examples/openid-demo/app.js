// The OpenID login dance from a web app (docs/plugins/openid.md, "The demo"):
// 1. the button sends the browser to {server}/v1/openid/{provider}/login with a
//    callback back to this page ending in `#tokens=`;
// 2. after the IdP, Kinto redirects here with the IdP's JSON answer, base64 and
//    URL-encoded, in the fragment (never sent to any server);
// 3. the access token authenticates calls to Kinto through kinto-http.
/* global KintoClient */
(function () {
  const params = new URLSearchParams(window.location.search);
  const server = (params.get('server') || 'http://localhost:8888').replace(/\/+$/, '');
  const provider = params.get('provider') || 'google';
  const scope = params.get('scope') || 'openid email';
  const status = document.getElementById('status');
  document.getElementById('server').textContent = server;
  document.getElementById('provider').textContent = provider;

  function show(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  document.getElementById('login').addEventListener('click', function () {
    const callback = window.location.href.split('#')[0] + '#tokens=';
    const query = new URLSearchParams({ callback: callback, scope: scope });
    window.location.href = server + '/v1/openid/' + encodeURIComponent(provider) + '/login?' + query.toString();
  });

  const match = /#tokens=(.*)$/.exec(window.location.hash);
  if (!match) return;
  let tokens;
  try {
    tokens = JSON.parse(atob(decodeURIComponent(match[1])));
  } catch (error) {
    show('Could not read the tokens: ' + error.message, true);
    return;
  }
  // Forget the tokens from the address bar and the history.
  history.replaceState(null, '', window.location.href.split('#')[0]);
  if (!tokens.access_token) {
    show('The provider refused: ' + (tokens.error_description || tokens.error || 'no access token'), true);
    return;
  }
  const client = new KintoClient(server + '/v1', { headers: { Authorization: 'Bearer ' + tokens.access_token } });
  client
    .fetchUser()
    .then(function (user) {
      if (!user) show('Kinto did not accept the token.', true);
      else show('You are ' + user.id, false);
    })
    .catch(function (error) {
      show('Kinto answered: ' + error.message, true);
    });
})();
