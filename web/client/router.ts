/**
 * Client-side navigation over the History API: the server sends the same page shell for every
 * path in server/web.ts PAGES, and this decides what to show.
 */
type Listener = () => void
const listeners = new Set<Listener>()

export function path(): string {
  return location.pathname
}

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return
  if (replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  window.scrollTo(0, 0)
  for (const l of listeners) l()
}

export function onNavigate(fn: Listener): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l()
})

/** Matches a pattern like /documents/:id; the params by name, or undefined. */
export function match(pattern: string, p: string): Record<string, string> | undefined {
  const a = pattern.split('/')
  const b = p.replace(/\/+$/, '').split('/')
  if (p === '/') return pattern === '/' ? {} : undefined
  if (a.length !== b.length) return undefined
  const out: Record<string, string> = {}
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string
    const y = b[i] as string
    if (x.startsWith(':')) out[x.slice(1)] = decodeURIComponent(y)
    else if (x !== y) return undefined
  }
  return out
}

export function query(): URLSearchParams {
  return new URLSearchParams(location.search)
}
