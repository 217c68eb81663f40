// Every call a page makes to the services: JSON in and out, the CSRF token on each unsafe
// request, errors as ApiError carrying the API's field messages. Nothing personal goes in a URL.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `请求失败（${status}）`);
    this.status = status;
    this.code = body?.error?.code ?? 'unknown';
    this.fields = body?.error?.fields ?? [];
  }
}

const tokenKey = (kind) => `exam.csrf.${kind}`;
export const rememberToken = (kind, token) => sessionStorage.setItem(tokenKey(kind), token);
export const forgetToken = (kind) => sessionStorage.removeItem(tokenKey(kind));

// Called when a session has ended (401): the page sends the user to its login.
let expired = () => {};
export const onSessionExpired = (handler) => { expired = handler; };

// kind: 'candidate' or 'staff' (whose CSRF token to send). body: an object (sent as JSON), or
// a Blob/File with `type` (sent as it is: photos, uploaded tables).
export async function api(method, path, body, kind = 'candidate') {
  const headers = {};
  let payload;
  if (body instanceof Blob) {
    headers['Content-Type'] = body.type || 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET') {
    const token = sessionStorage.getItem(tokenKey(kind));
    if (token) headers['X-CSRF-Token'] = token;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { error: { message: '网络连接失败，请检查网络后重试' } });
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await response.json().catch(() => null) : await response.blob();
  if (!response.ok) {
    const error = new ApiError(response.status, type.includes('json') ? data : null);
    if (response.status === 401) expired(error);
    throw error;
  }
  return data;
}

// Saves a blob (a PDF) under a file name, without putting anything in the address bar.
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
