// The one way a screen talks to the REST API: api(path, {method, body}) sends JSON with the CSRF
// token of the cookie (signing in again on the lock screen rotates it, so it is read per request)
// and resolves with the parsed body (null for an empty one). Any refusal is thrown as an ApiError
// that reads the project's one error shape, RFC 7807 problem+json ({title, detail, errors: {field:
// [messages]}}); it also reads the earlier shapes ({error, detail} of a DispatchError, DRF's
// {field: [messages]}), so the screens keep working while the server moves to problem+json.

export function csrfToken() {
  const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  if (m) return decodeURIComponent(m[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

const NOT_FIELDS = new Set(["type", "title", "status", "detail", "instance", "error", "code", "errors"]);

export class ApiError extends Error {
  constructor(status, body) {
    body = body && typeof body === "object" && !Array.isArray(body) ? body : {};
    const fields = ApiError.fieldsOf(body);
    super(ApiError.messageOf(status, body, fields));
    this.name = "ApiError";
    this.status = status; // 0: the server did not answer
    this.body = body;
    this.detail = body.detail || "";
    this.title = body.title || "";
    // A stable code: problem+json's `code` (or the last part of its `type`), or `error`.
    this.code = body.code || body.error || (typeof body.type === "string" ? body.type.split("/").filter(Boolean).pop() : "") || "";
    this.fields = fields; // {field: ["message", ...]}
    // A 409's row state: `current_status` (problem+json's `status` is the HTTP code).
    this.currentStatus = body.current_status ?? (typeof body.status === "string" ? body.status : null);
  }

  static fieldsOf(body) {
    let source = body.errors;
    if (!source || typeof source !== "object" || Array.isArray(source)) {
      source = {};
      for (const [k, v] of Object.entries(body)) if (!NOT_FIELDS.has(k)) source[k] = v;
    }
    const out = {};
    for (const [k, v] of Object.entries(source)) {
      out[k] = [].concat(v).map((m) => (typeof m === "string" ? m : JSON.stringify(m)));
    }
    return out;
  }

  static messageOf(status, body, fields) {
    if (body.detail) return String(body.detail);
    const parts = Object.entries(fields).map(([k, v]) => `${k}: ${v.join(" ")}`);
    if (parts.length) return parts.join("; ");
    if (body.title) return String(body.title);
    return status ? `Request failed (HTTP ${status})` : "The server did not answer.";
  }
}

/* api("/api/v1/calls/4/close", {method: "POST", body: {...}}) -> Promise of the response body. */
export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json, application/problem+json", "X-CSRFToken": csrfToken(), ...headers },
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { detail: `Network error: ${err.message}` });
  }
  const text = await resp.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      data = resp.ok ? text : { detail: `The server answered HTTP ${resp.status}.` };
    }
  }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

/* A person-readable message of any error a request threw. */
export function errorText(err) {
  return err instanceof ApiError ? err.message : `Request failed: ${err && err.message ? err.message : err}`;
}
