/** Fired on window when a page changed server state others show (the inbox count, say). */
export const CHANGED = 'kyso:changed'

export function announceChange(): void {
  window.dispatchEvent(new Event(CHANGED))
}
