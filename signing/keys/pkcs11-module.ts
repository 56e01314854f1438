/**
 * The PKCS#11 module (the token vendor's Cryptoki library) under signing/keys/pkcs11.ts: loaded
 * once per process and path, initialised only while someone uses it, and the one place where
 * CKR_* return values become our error codes. Sections cited are of the PKCS#11 Cryptographic
 * Token Interface Base Specification v2.40 (OASIS, 2015).
 */
import type * as Pkcs11Js from 'pkcs11js'
import { SigningError, type SigningErrorCode } from '../errors'

export type Pkcs11Lib = typeof Pkcs11Js
export type Handle = Buffer

/** Which token: the module's path and the slot's index among the slots that hold a token. */
export interface TokenRef {
  module: string
  /** Index among the slots holding an initialised token, from 0 (default: the first token). */
  slot?: number
  /**
   * The token's label (CK_TOKEN_INFO.label), which outlives re-plugging and slot renumbering;
   * when given, it chooses the token and `slot` is not used.
   */
  tokenLabel?: string
}

/** An open session on one token, closed exactly once. */
export interface TokenSession {
  readonly lib: Pkcs11Lib
  readonly p11: Pkcs11Js.PKCS11
  readonly session: Handle
  readonly slot: Handle
  close(): void
}

interface LoadedModule {
  readonly lib: Pkcs11Lib
  readonly p11: Pkcs11Js.PKCS11
  users: number
}

/**
 * Loaded libraries by path. A module is dlopen()ed once and never unloaded (unloading a module
 * that started threads can crash the process); C_Initialize/C_Finalize (§5.4) follow its users,
 * so an idle agent holds no token state and sees a token plugged in since the last request.
 */
const modules = new Map<string, LoadedModule>()

function acquire(path: string): LoadedModule {
  let loaded = modules.get(path)
  if (!loaded) {
    let lib: Pkcs11Lib
    try {
      // Required here, not imported: the native addon is loaded only by those who use a token.
      lib = require('pkcs11js') as Pkcs11Lib
    } catch (err) {
      throw new SigningError(
        'TOKEN_MODULE_FAILED',
        'pkcs11js (native addon) is not installed or did not build',
        { cause: err },
      )
    }
    const p11 = new lib.PKCS11()
    try {
      p11.load(path)
    } catch (err) {
      throw new SigningError('TOKEN_MODULE_FAILED', `Không nạp được thư viện PKCS#11 ${path}`, {
        cause: err,
      })
    }
    loaded = { lib, p11, users: 0 }
    modules.set(path, loaded)
  }
  if (loaded.users === 0) initialize(loaded)
  loaded.users++
  return loaded
}

/** §5.4.1: OS locking, since C_Sign runs on libuv's thread pool; a module that cannot gets NULL. */
function initialize({ lib, p11 }: LoadedModule): void {
  try {
    p11.C_Initialize({ flags: lib.CKF_OS_LOCKING_OK })
  } catch (err) {
    if (ckrName(err) !== 'CKR_CANT_LOCK') throw tokenError(err, 'C_Initialize')
    try {
      p11.C_Initialize()
    } catch (again) {
      throw tokenError(again, 'C_Initialize')
    }
  }
}

function release(loaded: LoadedModule): void {
  loaded.users--
  if (loaded.users > 0) return
  try {
    loaded.p11.C_Finalize()
  } catch {
    // Nothing the caller can do: the next acquire initialises again and reports what fails then.
  }
}

/**
 * The slots whose token is initialised (§5.5, C_GetSlotList and C_GetTokenInfo), in the module's
 * order: what a `slot` index counts. An uninitialised token (SoftHSM2 always offers one) holds no
 * key and is left out.
 */
export function tokenSlots(
  lib: Pkcs11Lib,
  p11: Pkcs11Js.PKCS11,
): Array<{ slot: Handle; info: Pkcs11Js.TokenInfo }> {
  return p11
    .C_GetSlotList(true)
    .map((slot) => ({ slot, info: p11.C_GetTokenInfo(slot) }))
    .filter(({ info }) => (info.flags & lib.CKF_TOKEN_INITIALIZED) !== 0)
}

/** Runs `use` with the module initialised (for slot listings that need no session). */
export function withModule<T>(path: string, use: (lib: Pkcs11Lib, p11: Pkcs11Js.PKCS11) => T): T {
  const loaded = acquire(path)
  try {
    return use(loaded.lib, loaded.p11)
  } catch (err) {
    throw tokenError(err, 'read the slots')
  } finally {
    release(loaded)
  }
}

/** Opens a session (§5.6, C_OpenSession) on the token in `ref.slot`; TOKEN_NOT_FOUND when there is none. */
export function openTokenSession(ref: TokenRef, opts: { readWrite?: boolean } = {}): TokenSession {
  const loaded = acquire(ref.module)
  const { lib, p11 } = loaded
  try {
    const index = ref.slot ?? 0
    const slots = tokenSlots(lib, p11)
    const slot =
      ref.tokenLabel !== undefined
        ? slots.find((s) => s.info.label.trim() === ref.tokenLabel)?.slot
        : slots[index]?.slot
    if (!slot) {
      const where = ref.tokenLabel !== undefined ? `nhãn "${ref.tokenLabel}"` : `khe ${index}`
      throw new SigningError('TOKEN_NOT_FOUND', `Không tìm thấy thiết bị ký số (USB token) có ${where}`)
    }
    const session = p11.C_OpenSession(
      slot,
      lib.CKF_SERIAL_SESSION | (opts.readWrite ? lib.CKF_RW_SESSION : 0),
    )
    let open = true
    const close = (): void => {
      if (!open) return
      open = false
      try {
        // §5.6, C_CloseSession: closing the application's last session with the token also ends its login.
        p11.C_CloseSession(session)
      } catch {
        // A token pulled out mid-session: the session is gone either way.
      } finally {
        release(loaded)
      }
    }
    return { lib, p11, session, slot, close }
  } catch (err) {
    release(loaded)
    throw tokenError(err, 'open a session')
  }
}

/** C_Login as CKU_USER (§5.6). A PIN the token reports locked is not tried again. */
export function login(token: TokenSession, pin: string): void {
  const { lib, p11 } = token
  try {
    if ((p11.C_GetTokenInfo(token.slot).flags & lib.CKF_USER_PIN_LOCKED) !== 0) {
      throw new SigningError('PIN_LOCKED', 'Mã PIN của thiết bị ký số đã bị khóa')
    }
    p11.C_Login(token.session, lib.CKU_USER, pin)
  } catch (err) {
    if (ckrName(err) !== 'CKR_USER_ALREADY_LOGGED_IN') throw tokenError(err, 'log in')
    // The login state belongs to the application, shared by all its sessions with the token
    // (§5.6, C_Login): another session of this process is logged in. Log out and in again, so that
    // this PIN is checked all the same.
    try {
      p11.C_Logout(token.session)
      p11.C_Login(token.session, lib.CKU_USER, pin)
    } catch (again) {
      throw tokenError(again, 'log in')
    }
  }
}

/** C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal (§5.7.7-9): every match. */
export function findObjects(token: TokenSession, template: Pkcs11Js.Template): Handle[] {
  const { p11, session } = token
  p11.C_FindObjectsInit(session, template)
  try {
    const found: Handle[] = []
    for (
      let batch = p11.C_FindObjects(session, 64);
      batch.length > 0;
      batch = p11.C_FindObjects(session, 64)
    ) {
      found.push(...batch)
    }
    return found
  } finally {
    p11.C_FindObjectsFinal(session)
  }
}

/** One attribute's value (§5.7.5), or undefined when the object has none or hides it. */
export function attribute(token: TokenSession, object: Handle, type: number): Buffer | undefined {
  try {
    return token.p11.C_GetAttributeValue(token.session, object, [{ type }])[0]?.value
  } catch {
    return undefined
  }
}

const CODES: Readonly<Record<string, SigningErrorCode>> = {
  CKR_PIN_INCORRECT: 'PIN_INCORRECT',
  CKR_PIN_INVALID: 'PIN_INCORRECT',
  CKR_PIN_LEN_RANGE: 'PIN_INCORRECT',
  CKR_PIN_LOCKED: 'PIN_LOCKED',
  CKR_TOKEN_NOT_PRESENT: 'TOKEN_NOT_FOUND',
  CKR_TOKEN_NOT_RECOGNIZED: 'TOKEN_NOT_FOUND',
  CKR_DEVICE_REMOVED: 'TOKEN_NOT_FOUND',
  CKR_SLOT_ID_INVALID: 'TOKEN_NOT_FOUND',
  CKR_KEY_HANDLE_INVALID: 'KEY_NOT_FOUND',
  CKR_OBJECT_HANDLE_INVALID: 'KEY_NOT_FOUND',
}

const MESSAGES: Readonly<Partial<Record<SigningErrorCode, string>>> = {
  PIN_INCORRECT: 'Mã PIN không đúng',
  PIN_LOCKED: 'Mã PIN của thiết bị ký số đã bị khóa',
  TOKEN_NOT_FOUND: 'Không tìm thấy thiết bị ký số (USB token)',
  KEY_NOT_FOUND: 'Không tìm thấy khóa trên thiết bị ký số',
}

/** The CKR_* name of a pkcs11js error ("CKR_PIN_INCORRECT"), if it is one. */
export function ckrName(err: unknown): string | undefined {
  return err instanceof Error ? /\bCKR_[A-Z0-9_]+/.exec(err.message)?.[0] : undefined
}

/** Our error for a failed PKCS#11 call; a SigningError passes through unchanged. */
export function tokenError(err: unknown, action: string): SigningError {
  if (err instanceof SigningError) return err
  const name = ckrName(err)
  const code = name ? CODES[name] : undefined
  if (code) return new SigningError(code, `${MESSAGES[code] ?? code} (${name})`, { cause: err })
  const what = name ?? (err instanceof Error ? err.message : String(err))
  return new SigningError('TOKEN_FAILED', `Thiết bị ký số báo lỗi ${what} (${action})`, { cause: err })
}
