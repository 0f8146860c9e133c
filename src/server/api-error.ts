/**
 * An error the server answers with a status of its own choosing (401, 403, 404...), outside the
 * StewardError codes the library throws. `field` names the input at fault, when there is one.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
