import type { BodySchema } from './body-schema'

export const ADMIN_BODIES: Record<string, BodySchema> = {}
