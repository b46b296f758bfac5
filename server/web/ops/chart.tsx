/**
 * A bar chart in inline SVG (no chart library: a few dozen lines cost less than one dependency's bytes).
 * Presentation attributes only, no style attributes, so the strict Content-Security-Policy holds. The
 * same numbers are in a table for screen readers and for anyone who prefers to read them.
 */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly valueText: string;
}

const widthPx = 640;
const heightPx = 220;
const axisPx = 28;

export function BarChart({ bars, title, summary }: { bars: readonly Bar[]; title: string; summary: string }) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const slot = (widthPx - 8) / Math.max(bars.length, 1);
  const plotHeight = heightPx - axisPx - 8;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${widthPx} ${heightPx}`} role="img" aria-label={summary} class="chart-svg">
        <line
          x1="4"
          y1={heightPx - axisPx}
          x2={widthPx - 4}
          y2={heightPx - axisPx}
          stroke="#404b5a"
          stroke-width="1"
        />
        {bars.map((bar, index) => {
          // A day below zero (voids of earlier deposits) draws no bar; its value is in the table below.
          const barHeight = Math.round((Math.max(0, bar.value) / max) * plotHeight);
          const x = 4 + index * slot + slot * 0.15;
          return (
            <g key={bar.label}>
              <rect
                x={x}
                y={heightPx - axisPx - barHeight}
                width={slot * 0.7}
                height={barHeight}
                fill="#0b4f9c"
              >
                <title>{`${bar.label}: ${bar.valueText}`}</title>
              </rect>
              <text x={x + slot * 0.35} y={heightPx - 10} font-size="11" text-anchor="middle" fill="#111827">
                {bar.label}
              </text>
            </g>
          );
        })}
      </svg>
      <table class="visually-hidden">
        <tbody>
          {bars.map((bar) => (
            <tr key={bar.label}>
              <th scope="row">{bar.label}</th>
              <td>{bar.valueText}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
