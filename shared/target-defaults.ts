// The city's coverage targets for a year an administrator configured nothing for (issue 14): what
// reports judge by (reporting/targets.ts) and what the administration page offers (workflows/).

/** Internal signing rate an agency must reach: 1 = 100%. */
export const DEFAULT_RATE = 1
/** Documents an agency must have issued in the period to be judged at all. */
export const DEFAULT_MIN_DOCUMENTS = 1
/** Distinct public procedures with signed results. */
export const DEFAULT_PROCEDURES = 2
