// Errors the server answers itself, in the shape of the API the caller speaks, so an SDK reports
// them as it reports the upstream's own (`APIError` with the status and the message).

/** Which API's error shape a route answers with. */
export type ApiFlavor = 'anthropic' | 'openai';

const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  529: 'overloaded_error',
};

/** The JSON text of an error body. */
export function errorBody(flavor: ApiFlavor, status: number, message: string): string {
  if (flavor === 'anthropic') {
    const type = ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return JSON.stringify({ type: 'error', error: { type, message } });
  }
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  return JSON.stringify({ error: { message, type, param: null, code: null } });
}
