/** The JSON body of every 4xx/5xx we send: a stable code and a public message, nothing else. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
