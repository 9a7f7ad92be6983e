// The idle lock. The page knows the idle limit (page config idle_seconds =
// settings.SESSION_COOKIE_AGE). Every request to this site slides the server's session, so it
// slides the client's clock too; when the clock runs out, GET /session (which does not slide it)
// has the last word. A session that has ended, a socket closed with 4401 or a request answered
// 401/403 by a dead session locks the screen: the data is hidden under a sign-in form
// (#lock-template of base.html) and the sockets close. Signing in again there keeps the page and
// its state, and each socket resumes from its last event id.
import { csrfToken } from "./api.js";
import { config } from "./config.js";

const nativeFetch = window.fetch.bind(window);
const sockets = []; // the live connections of this page (lib/live.js registers them)
const HIDDEN = ["main", ".topbar nav", ".topbar .who .user"];

function sameOrigin(url) {
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch (err) {
    return false;
  }
}

export const lock = {
  locked: false,
  enabled: !!config.idle_seconds,
  expiresAt: Date.now() + (config.idle_seconds || 0) * 1000,
  checking: null,
  title: null,

  /* A live connection: suspended while locked, woken on unlock. */
  register(connection) {
    sockets.push(connection);
    if (lock.locked) connection.suspend();
  },

  // A request reached the server with the session: the server slid it, so slide ours.
  touch() {
    if (!lock.locked) lock.expiresAt = Date.now() + config.idle_seconds * 1000;
  },

  // Ask the server (without sliding the session) whether it is still alive; lock if not.
  // `fresh`: the caller has just seen a sign that the session ended (a 401, a 4401). A check
  // already in flight may have left before that sign and answer "alive": ask once more after it.
  check(fresh) {
    if (!lock.enabled || lock.locked) return Promise.resolve(!lock.locked);
    if (lock.checking) {
      if (!fresh) return lock.checking;
      return lock.checking.then((alive) => (alive ? lock.check() : false));
    }
    lock.checking = nativeFetch(config.session_url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    })
      .then((resp) => resp.json())
      .then(
        (body) => {
          if (body.authenticated && body.username === config.username && body.expires_in > 0) {
            lock.expiresAt = Date.now() + body.expires_in * 1000;
            return true;
          }
          lock.engage();
          return false;
        },
        () => {
          // The server is unreachable: keep the screen (a CAD screen must outlive a network
          // blip) and ask again shortly.
          lock.expiresAt = Date.now() + 5000;
          return true;
        }
      )
      .finally(() => {
        lock.checking = null;
      });
    return lock.checking;
  },

  engage() {
    if (lock.locked) return;
    lock.locked = true;
    sockets.forEach((s) => s.suspend());
    const tpl = document.getElementById("lock-template");
    // Hidden, not dimmed: nothing of the call data stays readable behind the lock.
    document.body.classList.add("locked");
    for (const sel of HIDDEN) {
      const node = document.querySelector(sel);
      if (node) {
        node.hidden = true;
        node.setAttribute("inert", "");
      }
    }
    lock.title = document.title;
    document.title = `Locked · ${document.title}`;
    if (tpl) {
      document.body.appendChild(tpl.content.cloneNode(true));
      const form = document.getElementById("lock-form");
      document.getElementById("lock-username").value = config.username || "";
      if (config.mfa) document.getElementById("lock-otp-field").hidden = false; // two-factor sign-in
      const link = document.getElementById("lock-login-link");
      link.href = `${config.login_url}?next=${encodeURIComponent(location.pathname + location.search)}`;
      form.addEventListener("submit", lock.submit);
      document.getElementById(config.username ? "lock-password" : "lock-username").focus();
    }
    document.dispatchEvent(new CustomEvent("live:locked"));
  },

  submit(ev) {
    ev.preventDefault();
    const form = ev.target;
    const username = form.username.value.trim();
    const error = document.getElementById("lock-error");
    const button = document.getElementById("lock-submit");
    button.disabled = true;
    error.hidden = true;
    const password = form.password.value;
    if (config.mfa && username === config.username && !form.otp.value.trim()) {
      // Without the code the server would only start the two-step sign-in: ask for it here.
      error.textContent = "Enter the code your authenticator app shows.";
      error.hidden = false;
      button.disabled = false;
      form.otp.focus();
      return;
    }
    // The CSRF cookie may be gone with the session's cookies: the sign-in page sets a fresh one.
    const ready = /(?:^|; )csrftoken=/.test(document.cookie)
      ? Promise.resolve()
      : nativeFetch(config.login_url, { credentials: "same-origin" });
    ready
      .then(() => {
        const body = new URLSearchParams({ username, password, csrfmiddlewaretoken: csrfToken() });
        if (form.otp && !document.getElementById("lock-otp-field").hidden) body.set("otp", form.otp.value.trim());
        // redirect "manual": a successful sign-in answers with a redirect, a refused one with the
        // form again (200) or the lockout page (django-axes: 429).
        return nativeFetch(config.login_url, { method: "POST", body, credentials: "same-origin", redirect: "manual" });
      })
      .then((resp) => {
        if (resp.type === "opaqueredirect" || (resp.status >= 300 && resp.status < 400)) {
          if (username !== config.username) {
            // Another person: the screen is theirs only after a fresh load.
            location.reload();
            return;
          }
          lock.unlock();
          return;
        }
        form.password.value = "";
        if (form.otp) form.otp.value = "";
        error.textContent =
          resp.status === 200
            ? config.mfa
              ? "Wrong username, password or code."
              : "Wrong username or password."
            : resp.status === 429
              ? "Too many failed sign-ins: this account is locked here (an admin can unlock it from the Locked accounts screen), or this address must wait a minute."
              : `The sign-in was refused (HTTP ${resp.status}): use the sign-in page below.`;
        error.hidden = false;
        form.password.focus();
      })
      .catch((err) => {
        error.textContent = `The server did not answer (${err.message}); try again.`;
        error.hidden = false;
      })
      .finally(() => {
        button.disabled = false;
      });
  },

  unlock() {
    const token = csrfToken();
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach((input) => {
      input.value = token;
    });
    document.querySelectorAll("[data-csrf]").forEach((node) => node.setAttribute("data-csrf", token));
    const screen = document.getElementById("lock-screen");
    if (screen) screen.remove();
    document.body.classList.remove("locked");
    for (const sel of HIDDEN) {
      const node = document.querySelector(sel);
      if (node) {
        node.hidden = false;
        node.removeAttribute("inert");
      }
    }
    if (lock.title) document.title = lock.title;
    lock.locked = false;
    lock.touch();
    sockets.forEach((s) => s.wake());
    document.dispatchEvent(new CustomEvent("live:unlocked"));
  },
};

/* Started once per page by lib/page.js. */
export function lockStart() {
  if (!lock.enabled) return;
  // Every script's requests to this site pass here: each one slid the server's session, and a
  // 401/403 may mean the session is gone. The CSRF header gets the cookie's current token, which
  // changes when someone signs in again on the lock screen.
  window.fetch = function (input, init) {
    const url = typeof input === "string" ? input : input && input.url;
    if (!sameOrigin(url)) return nativeFetch(input, init);
    if (init && init.headers) {
      if (init.headers instanceof Headers) {
        if (init.headers.has("X-CSRFToken")) init.headers.set("X-CSRFToken", csrfToken());
      } else if (Object.prototype.hasOwnProperty.call(init.headers, "X-CSRFToken")) {
        init.headers["X-CSRFToken"] = csrfToken();
      }
    }
    return nativeFetch(input, init).then((resp) => {
      if (resp.status === 401 || resp.status === 403) lock.check(true);
      else lock.touch();
      return resp;
    });
  };
  setInterval(() => {
    if (!lock.locked && Date.now() >= lock.expiresAt) lock.check();
  }, 1000);
  // A laptop waking from sleep: its timers were frozen, so ask at once.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") lock.check();
  });
}
