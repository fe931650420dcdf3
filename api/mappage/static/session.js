/*
 * Signing in and talking to the API with a bearer token.
 *
 * The tokens live in sessionStorage: they last as long as the browser tab, are not sent with every
 * request as a cookie would be (so no CSRF), and are gone when the tab closes. When the access token
 * has expired the refresh token is used once; if that fails too the page goes back to sign-in.
 */
(function (root) {
  'use strict';

  const ACCESS = 'hazmap.access_token';
  const REFRESH = 'hazmap.refresh_token';

  class SignedOut extends Error {
    constructor(message) {
      super(message);
      this.name = 'SignedOut';
    }
  }

  class ApiError extends Error {
    /** ``errors``: the field errors of a 4xx answer ({location: {field: [messages]}}), if it had any. */
    constructor(status, message, errors) {
      super(message);
      this.name = 'ApiError';
      this.status = status;
      this.errors = errors || null;
    }

    /** The message and each field's reasons, as one line to show a person. */
    explain() {
      const reasons = [];
      Object.values(this.errors || {}).forEach(function (fields) {
        Object.keys(fields || {}).forEach(function (name) {
          const said = fields[name];
          reasons.push(name + ': ' + (Array.isArray(said) ? said.join(' ') : String(said)));
        });
      });
      return [this.message].concat(reasons).join(' ');
    }
  }

  function createSession(apiBase, onSignedOut) {
    let refreshing = null;

    function accessToken() {
      return sessionStorage.getItem(ACCESS);
    }

    function save(pair) {
      sessionStorage.setItem(ACCESS, pair.access_token);
      sessionStorage.setItem(REFRESH, pair.refresh_token);
    }

    function clear() {
      sessionStorage.removeItem(ACCESS);
      sessionStorage.removeItem(REFRESH);
    }

    async function errorOf(response) {
      try {
        const body = await response.json();
        return new ApiError(response.status, body.message || response.statusText, body.errors);
      } catch (_) {
        return new ApiError(response.status, response.statusText || ('HTTP ' + response.status));
      }
    }

    async function signIn(username, password) {
      const response = await fetch(apiBase + '/auth/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username: username, password: password }),
      });
      if (!response.ok) {
        throw await errorOf(response);
      }
      save(await response.json());
    }

    // One refresh at a time: the refresh token rotates, so parallel requests share the same attempt.
    function refresh() {
      if (!refreshing) {
        refreshing = (async function () {
          const token = sessionStorage.getItem(REFRESH);
          if (!token) {
            return false;
          }
          const response = await fetch(apiBase + '/auth/refresh', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ refresh_token: token }),
          });
          if (!response.ok) {
            return false;
          }
          save(await response.json());
          return true;
        })().catch(function () { return false; }).finally(function () { refreshing = null; });
      }
      return refreshing;
    }

    function signOut(reason) {
      clear();
      onSignedOut(reason || '');
    }

    function send(path, options, token) {
      const headers = Object.assign({ Accept: 'application/json' }, options.headers || {},
        { Authorization: 'Bearer ' + token });
      return fetch(apiBase + path, Object.assign({}, options, { headers: headers }));
    }

    /** fetch() a path under the API with the token; resolves to the Response of a 2xx answer. */
    async function request(path, options) {
      const opts = options || {};
      const token = accessToken();
      if (!token) {
        signOut('');
        throw new SignedOut('not signed in');
      }
      let response = await send(path, opts, token);
      if (response.status === 401) {
        // Another request may have refreshed meanwhile; only spend the refresh token when not.
        const renewed = accessToken() !== token || await refresh();
        if (renewed) {
          response = await send(path, opts, accessToken());
        }
        if (!renewed || response.status === 401) {
          signOut('登录已过期，请重新登录。Your session has ended; please sign in again.');
          throw new SignedOut('session ended');
        }
      }
      if (!response.ok) {
        throw await errorOf(response);
      }
      return response;
    }

    async function json(path, options) {
      const response = await request(path, options);
      return response.json();
    }

    return {
      signIn: signIn,
      signOut: signOut,
      request: request,
      json: json,
      hasToken: function () { return Boolean(accessToken()); },
    };
  }

  root.HazardSession = Object.freeze({ createSession: createSession, SignedOut: SignedOut, ApiError: ApiError });
})(window);
