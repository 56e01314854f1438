import type { JSX } from 'preact'
import { L } from './i18n.js'
import { percent } from './format.js'

export interface Point {
  month: string
  documents: number
  fullySigned: number
  rate: number | null
}

/**
 * The monthly trend as SVG: bars for documents issued (all, and fully signed inside them) and a
 * line for the rate against the target. Drawn here, no chart library: it is a dozen shapes.
 */
export function TrendChart(props: { points: Point[]; target: number; title: string }): JSX.Element {
  const W = 720
  const H = 240
  const pad = { l: 44, r: 44, t: 16, b: 32 }
  const n = Math.max(1, props.points.length)
  const maxDocs = Math.max(1, ...props.points.map((p) => p.documents))
  const bw = (W - pad.l - pad.r) / n
  const y = (v: number): number => pad.t + (H - pad.t - pad.b) * (1 - v / maxDocs)
  const yr = (r: number): number => pad.t + (H - pad.t - pad.b) * (1 - r)
  const line = props.points
    .map((p, i) => (p.rate === null ? null : `${pad.l + bw * (i + 0.5)},${yr(p.rate)}`))
    .filter(Boolean)
    .join(' ')
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title} preserveAspectRatio="xMidYMid meet">
        <title>{props.title}</title>
        {[0, 0.5, 1].map((r) => (
          <g key={r}>
            <line x1={pad.l} x2={W - pad.r} y1={yr(r)} y2={yr(r)} class="grid" />
            <text x={W - pad.r + 6} y={yr(r) + 4} class="axis">
              {Math.round(r * 100)}%
            </text>
          </g>
        ))}
        <text x={pad.l - 6} y={y(maxDocs) + 4} class="axis" text-anchor="end">
          {maxDocs}
        </text>
        <text x={pad.l - 6} y={y(0) + 4} class="axis" text-anchor="end">
          0
        </text>
        <line x1={pad.l} x2={W - pad.r} y1={yr(props.target)} y2={yr(props.target)} class="target" />
        {props.points.map((p, i) => {
          const x = pad.l + bw * i + bw * 0.18
          const w = bw * 0.64
          return (
            <g key={p.month}>
              <rect x={x} y={y(p.documents)} width={w} height={y(0) - y(p.documents)} class="bar-all">
                <title>{`${p.month}: ${p.documents} ${L('văn bản', 'documents')}, ${p.fullySigned} ${L('ký số đầy đủ', 'fully signed')} (${percent(p.rate)})`}</title>
              </rect>
              <rect
                x={x}
                y={y(p.fullySigned)}
                width={w}
                height={y(0) - y(p.fullySigned)}
                class="bar-signed"
              />
              <text x={pad.l + bw * (i + 0.5)} y={H - 10} class="axis" text-anchor="middle">
                {p.month.slice(5)}/{p.month.slice(2, 4)}
              </text>
            </g>
          )
        })}
        {line && <polyline points={line} class="rate-line" />}
        {props.points.map((p, i) =>
          p.rate === null ? null : (
            <circle
              key={`c${p.month}`}
              cx={pad.l + bw * (i + 0.5)}
              cy={yr(p.rate)}
              r={3.5}
              class="rate-dot"
            />
          ),
        )}
      </svg>
      <figcaption class="legend">
        <span>
          <i class="sw bar-all" />
          {L('Văn bản phát hành', 'Documents issued')}
        </span>
        <span>
          <i class="sw bar-signed" />
          {L('Ký số đầy đủ', 'Fully signed')}
        </span>
        <span>
          <i class="sw rate-line" />
          {L('Tỷ lệ ký số', 'Signing rate')}
        </span>
        <span>
          <i class="sw target" />
          {L('Mục tiêu', 'Target')} {percent(props.target, 0)}
        </span>
      </figcaption>
    </figure>
  )
}
