import { render, type JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, setCsrf, whenSignedOut } from './api.js'
import { Link, Loading, Redirect } from './components.js'
import { L, lang, roleLabel, setLang, type Lang } from './i18n.js'
import { match, navigate, onNavigate, path } from './router.js'
import { CHANGED } from './events.js'
import { LoginPage } from './pages/login.js'
import { DocumentListPage, InboxPage } from './pages/inbox.js'
import { DocumentPage } from './pages/document.js'
import { RegisterPage } from './pages/register.js'
import { NewDocumentPage } from './pages/new-document.js'
import { DelegationsPage } from './pages/delegations.js'
import { DashboardPage } from './pages/dashboard.js'
import { AgencyPage } from './pages/agency-report.js'
import { AdminPage } from './pages/admin.js'
import { CertificatesPage } from './pages/certificates.js'
import { SignaturePage } from './pages/signature.js'

export interface Me {
  id: number
  username: string
  fullName: string
  title: string | null
  agencyCode: string
  agencyName: string
  roles: string[]
  csrfToken: string
  /** Where the sign dialog looks for keys Kyso never holds (issue 11). */
  signingTools?: SigningTools
}

export interface SigningTools {
  agentUrl: string
  vgcaPluginUrl: string | null
  remoteProviders: string[]
}

const has = (me: Me, ...roles: string[]): boolean => roles.some((r) => me.roles.includes(r))
const signer = (me: Me): boolean => has(me, 'staff', 'head', 'leader', 'clerk')
const reports = (me: Me): boolean => has(me, 'compliance', 'leader', 'admin')

function home(me: Me): string {
  if (signer(me)) return '/inbox'
  if (has(me, 'compliance')) return '/dashboard'
  return '/admin'
}

function Page(props: { me: Me; at: string }): JSX.Element {
  const { me, at } = props
  let m: Record<string, string> | undefined
  if (at === '/' || at === '/login') return <Redirect to={home(me)} />
  if (match('/inbox', at)) return <InboxPage me={me} />
  if (match('/sent', at)) return <DocumentListPage box="sent" />
  if (match('/issued', at)) return <DocumentListPage box="issued" />
  if (match('/new', at)) return <NewDocumentPage />
  if ((m = match('/documents/:id', at))) return <DocumentPage id={Number(m.id)} me={me} />
  if (match('/delegations', at)) return <DelegationsPage me={me} />
  if (match('/register', at)) return <RegisterPage />
  if (match('/certificates', at)) return <CertificatesPage me={me} />
  if (match('/signature', at)) return <SignaturePage />
  if (match('/dashboard', at)) return <DashboardPage />
  if ((m = match('/dashboard/:code', at))) return <AgencyPage code={m.code as string} />
  if (match('/admin', at)) return <AdminPage me={me} tab="users" />
  if ((m = match('/admin/:tab', at))) return <AdminPage me={me} tab={m.tab as string} />
  return (
    <section class="card empty">
      <h1>{L('Không tìm thấy trang', 'Page not found')}</h1>
      <p>
        <Link href={home(me)}>{L('Về trang chính', 'Back to the start page')}</Link>
      </p>
    </section>
  )
}

/** How many steps wait for me, refreshed on every navigation (the count beside "Chờ xử lý"). */
function useWaiting(me: Me, at: string): number | undefined {
  const [n, setN] = useState<number | undefined>()
  const [changed, setChanged] = useState(0)
  // A page that changed something (signed, returned...) says so; the count follows at once.
  useEffect(() => {
    const bump = (): void => setChanged((c) => c + 1)
    window.addEventListener(CHANGED, bump)
    return () => window.removeEventListener(CHANGED, bump)
  }, [])
  useEffect(() => {
    if (!signer(me)) return
    api.get<unknown[]>('/api/inbox').then(
      (items) => setN(items.length),
      () => setN(undefined),
    )
  }, [me.id, at, changed])
  return n
}

function Nav(props: { me: Me; at: string }): JSX.Element {
  const { me, at } = props
  const waiting = useWaiting(me, at)
  const items: [string, string, boolean][] = [
    ['/inbox', L('Chờ xử lý', 'Waiting for me'), signer(me)],
    ['/sent', L('Đã gửi', 'Sent by me'), signer(me)],
    ['/issued', L('Đã phát hành', 'Issued'), true],
    ['/new', L('Soạn văn bản', 'New document'), signer(me)],
    ['/delegations', L('Ủy quyền', 'Delegations'), signer(me)],
    ['/register', L('Sổ văn bản đi', 'Register'), has(me, 'clerk')],
    ['/dashboard', L('Báo cáo ký số', 'Coverage'), reports(me)],
    ['/admin', L('Quản trị', 'Administration'), has(me, 'admin')],
    ['/certificates', L('Chứng thư số', 'Certificates'), true],
    ['/signature', L('Chữ ký của tôi', 'My signature'), signer(me)],
  ]
  return (
    <nav class="nav" aria-label={L('Chức năng', 'Main')}>
      {items
        .filter(([, , show]) => show)
        .map(([href, label]) => {
          const current = at === href || at.startsWith(`${href}/`)
          return (
            <Link
              key={href}
              href={href}
              class={current ? 'nav-item current' : 'nav-item'}
              aria-current={current ? 'page' : undefined}
            >
              {label}
              {href === '/inbox' && waiting ? (
                <span class="count">
                  <span data-testid="waiting-count" aria-hidden="true">
                    {waiting}
                  </span>
                  <span class="visually-hidden">{L(`${waiting} văn bản chờ`, `${waiting} waiting`)}</span>
                </span>
              ) : null}
            </Link>
          )
        })}
    </nav>
  )
}

function Header(props: {
  me?: Me | undefined
  at: string
  onLang: (l: Lang) => void
  onLogout: () => void
}): JSX.Element {
  const { me } = props
  return (
    <header class="top">
      <div class="top-inner">
        <a
          class="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault()
            navigate('/')
          }}
        >
          <img src="/static/favicon.svg" alt="" width="32" height="32" />
          <span>
            <strong>Kyso</strong>
            <small>{L('Ký số văn bản điện tử', 'Digital document signing')}</small>
          </span>
        </a>
        <div class="top-right">
          {/* biome-ignore lint/a11y/useSemanticElements: two toggle buttons, not a form: a fieldset would bring a form's semantics and borders */}
          <div class="lang" role="group" aria-label={L('Ngôn ngữ', 'Language')}>
            <button
              type="button"
              class={lang() === 'vi' ? 'on' : ''}
              aria-pressed={lang() === 'vi'}
              onClick={() => props.onLang('vi')}
            >
              VI
            </button>
            <button
              type="button"
              class={lang() === 'en' ? 'on' : ''}
              aria-pressed={lang() === 'en'}
              onClick={() => props.onLang('en')}
            >
              EN
            </button>
          </div>
          {me && (
            <div class="who">
              <Link href="/certificates" class="who-name">
                <strong>{me.fullName}</strong>
                <small>
                  {[...new Set([me.title, ...me.roles.map(roleLabel)].filter(Boolean))].join(' · ')}
                </small>
              </Link>
              <button type="button" class="ghost" onClick={props.onLogout}>
                {L('Đăng xuất', 'Sign out')}
              </button>
            </div>
          )}
        </div>
      </div>
      {me && (
        <div class="agency-line">
          <div class="top-inner">{me.agencyName}</div>
        </div>
      )}
      {me && (
        <div class="top-inner">
          <Nav me={me} at={props.at} />
        </div>
      )}
    </header>
  )
}

function App(): JSX.Element {
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const [at, setAt] = useState(path())
  const [, setLangTick] = useState<Lang>(lang())
  useEffect(() => onNavigate(() => setAt(path())), [])
  useEffect(() => {
    whenSignedOut(() => setMe(null))
    api.get<{ signedIn: boolean; user?: Me }>('/api/auth/session').then(
      (r) => {
        if (r.user) setCsrf(r.user.csrfToken)
        setMe(r.user ?? null)
      },
      () => setMe(null),
    )
  }, [])
  // Re-rendering from the top redraws every text in the new language; forms keep what was typed.
  const changeLang = (l: Lang): void => {
    setLang(l)
    setLangTick(l)
  }
  useEffect(() => {
    document.title = L('Kyso – Ký số văn bản', 'Kyso – Document signing')
  })
  const logout = (): void => {
    void api.post('/api/auth/logout').finally(() => {
      setMe(null)
      navigate('/login', true)
    })
  }
  const signedIn = (m: Me): void => {
    setCsrf(m.csrfToken)
    setMe(m)
    const next = new URLSearchParams(location.search).get('next')
    navigate(next?.startsWith('/') && !next.startsWith('//') ? next : home(m), true)
  }
  useEffect(() => {
    if (me === null && at !== '/login')
      navigate(`/login?next=${encodeURIComponent(at + location.search)}`, true)
  }, [me, at])
  return (
    <div class="shell">
      <Header me={me ?? undefined} at={at} onLang={changeLang} onLogout={logout} />
      <main class="main" id="main">
        {me === undefined ? (
          <Loading />
        ) : me === null ? (
          <LoginPage onSignedIn={signedIn} />
        ) : (
          <Page me={me} at={at} />
        )}
      </main>
      <footer class="foot">
        <div class="top-inner">
          {L(
            'Kyso · Chữ ký số PAdES theo Nghị định 30/2020/NĐ-CP · Giờ Việt Nam (UTC+7)',
            'Kyso · PAdES signatures following Decree 30/2020 · Vietnam time (UTC+7)',
          )}
        </div>
      </footer>
    </div>
  )
}

setLang(lang())
render(<App />, document.getElementById('app') as HTMLElement)
