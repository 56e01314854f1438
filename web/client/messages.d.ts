/**
 * The catalogue of refusals and reasons (shared/messages.ts, issue 16), which the client cannot
 * import: its tsc project is rooted here and the browser loads modules without a bundler. The build
 * (scripts/build-assets.ts) writes messages.js beside the compiled client; this declares its shape.
 */
export interface Catalogue {
  /** What a refusal means, by error code. */
  refusals: Readonly<Record<string, string>>
  /** Why a signature is not valid, by the validator's sub-indication. */
  reasons: Readonly<Record<string, string>>
}

export declare const MESSAGES: Readonly<Record<'vi' | 'en', Catalogue>>
