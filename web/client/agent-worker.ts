/**
 * A dedicated worker that makes the page's requests to `kyso agent` on loopback (issue 11).
 *
 * Why a worker: when nothing listens at the agent's port (the usual case on a computer without a
 * token), Chromium adds "Failed to load resource: net::ERR_CONNECTION_REFUSED" to the page's
 * console for a fetch made by the document, however the page catches the rejection (Blink's
 * FrameConsole reports every failed load of a frame but cancellations). Loads made by a dedicated
 * worker are reported to the network panel only, so probing from here leaves the console clean.
 * Measured with Chromium 156 over the DevTools protocol: the same refused fetch logs one line from
 * the document and none from a worker (see README, "Keys Kyso never holds").
 *
 * The worker runs under its own policy (server/web.ts): it may reach the agent and nothing else.
 */
interface AgentCall {
  id: number
  url: string
  method: 'GET' | 'POST'
  body?: unknown
  timeoutMs: number
}

export type AgentReply = { id: number; status: number; body: unknown } | { id: number; unreachable: true }

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<AgentCall>) => void) | null
  postMessage: (reply: AgentReply) => void
}

async function call(c: AgentCall): Promise<AgentReply> {
  try {
    const res = await fetch(c.url, {
      method: c.method,
      signal: AbortSignal.timeout(c.timeoutMs),
      ...(c.body !== undefined && {
        body: JSON.stringify(c.body),
        headers: { 'Content-Type': 'application/json' },
      }),
    })
    const body: unknown = await res.json().catch(() => undefined)
    return { id: c.id, status: res.status, body }
  } catch {
    // Refused, timed out, or refused by the agent's origin check (no CORS headers): not there for us.
    return { id: c.id, unreachable: true }
  }
}

scope.onmessage = (e) => {
  void call(e.data).then((reply) => scope.postMessage(reply))
}
