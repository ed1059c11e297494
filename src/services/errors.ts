// Errors of the account and calendar services shared by the web API and the CLI. The API maps
// them to 4xx JSON answers, the CLI to a message and exit code 2.
export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(readonly status: 400 | 403 | 404 | 409, readonly code: string, message: string) {
    super(message);
  }
}

export const invalid = (message: string) => new ServiceError(400, 'invalid', message);
export const forbiddenAction = (message: string) => new ServiceError(403, 'forbidden', message);
export const missing = (message: string) => new ServiceError(404, 'not_found', message);
export const taken = (message: string) => new ServiceError(409, 'conflict', message);
