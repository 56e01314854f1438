/** The OpenAPI description of the API, served at /api/openapi.json (filled out in full later). */
export function openApi(): Record<string, unknown> {
  return { openapi: '3.1.0', info: { title: 'Kyso API', version: '0.1.0' }, paths: {} }
}
