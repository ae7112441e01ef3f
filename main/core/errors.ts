// Core errors carry a stable code and a human message; each shell (HTTP, CLI, desktop) decides
// how to show them. Codes are a const object rather than an enum so Node can strip the types.
export const ErrorCode = {
  InvalidSetting: 'invalid_setting',
  InvalidConfig: 'invalid_config',
  DatabaseTooNew: 'database_too_new',
  DatabaseUnavailable: 'database_unavailable',
  NotFound: 'not_found',
  AddressInUse: 'address_in_use',
  InvalidInput: 'invalid_input',
  Conflict: 'conflict',
  Unauthorized: 'unauthorized',
  NotRunning: 'not_running',
  IntegrationFailed: 'integration_failed',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class HookboxError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HookboxError';
    this.code = code;
  }
}

export function isHookboxError(error: unknown): error is HookboxError {
  return error instanceof HookboxError;
}
