import type { InventorySummary } from '@keyring/plugin-machine-identity-common';
import { useTheme } from '@material-ui/core/styles';
import { Fragment } from 'react';
import { useNavigate } from 'react-router-dom';
import { filterLink } from '../IdentityTable/filters';

/** One bar of the expiry timeline. */
export interface ExpiryBucket {
  key: 'expired' | 'days-7' | 'days-30' | 'days-90';
  label: string;
  /** Day range on the axis; the expired bucket sits left of day 0. */
  from: number;
  to: number;
  count: number;
  /** `expiresWithinDays` of the list the bar links to. */
  withinDays: number;
  tone: 'error' | 'warning' | 'ok';
}

/**
 * The summary's cumulative expiry counts (`within30Days` includes
 * `within7Days`) as disjoint buckets along the next 90 days.
 */
export function expiryBuckets(
  expiring: InventorySummary['expiring'],
): ExpiryBucket[] {
  const within7 = expiring.within7Days;
  const within30 = Math.max(0, expiring.within30Days - expiring.within7Days);
  const within90 = Math.max(0, expiring.within90Days - expiring.within30Days);
  return [
    { key: 'expired', label: 'Expired', from: -10, to: 0, count: expiring.expired, withinDays: 0, tone: 'error' },
    { key: 'days-7', label: '0–7 days', from: 0, to: 7, count: within7, withinDays: 7, tone: 'error' },
    { key: 'days-30', label: '8–30 days', from: 7, to: 30, count: within30, withinDays: 30, tone: 'warning' },
    { key: 'days-90', label: '31–90 days', from: 30, to: 90, count: within90, withinDays: 90, tone: 'ok' },
  ];
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 48, right: 16, top: 24, bottom: 40 };

/**
 * A bar chart of what expires over the next 90 days, drawn in SVG: the x axis
 * is days from today (expired on the left), bar width the bucket's span and
 * height its count. Each bar links to the list of those identities.
 */
export function ExpiryTimeline(props: { expiring: InventorySummary['expiring'] }) {
  const theme = useTheme();
  const navigate = useNavigate();
  const buckets = expiryBuckets(props.expiring);
  const max = Math.max(1, ...buckets.map(b => b.count));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (day: number) => PAD.left + ((day + 10) / 100) * plotWidth;
  const y = (count: number) => PAD.top + plotHeight - (count / max) * plotHeight;
  const colour = (tone: ExpiryBucket['tone']) =>
    tone === 'error'
      ? theme.palette.error.main
      : tone === 'warning'
        ? theme.palette.warning.main
        : theme.palette.success.main;
  const ticks = [0, 7, 30, 60, 90];
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      role="group"
      aria-label={`Expiry timeline: ${buckets.map(b => `${b.label} ${b.count}`).join(', ')}`}
      data-testid="expiry-timeline"
      style={{ maxHeight: 260, fontFamily: theme.typography.fontFamily }}
    >
      <line
        x1={PAD.left}
        x2={WIDTH - PAD.right}
        y1={PAD.top + plotHeight}
        y2={PAD.top + plotHeight}
        stroke={theme.palette.text.secondary}
      />
      {ticks.map(day => (
        <g key={day}>
          <line
            x1={x(day)}
            x2={x(day)}
            y1={PAD.top}
            y2={PAD.top + plotHeight + 4}
            stroke={theme.palette.divider}
            strokeDasharray={day === 0 ? undefined : '3 3'}
          />
          <text
            x={x(day)}
            y={HEIGHT - PAD.bottom + 18}
            textAnchor="middle"
            fontSize={11}
            fill={theme.palette.text.secondary}
          >
            {day === 0 ? 'today' : `+${day} d`}
          </text>
        </g>
      ))}
      <text x={PAD.left} y={14} fontSize={11} fill={theme.palette.text.secondary}>
        identities
      </text>
      {buckets.map(bucket => {
        const left = x(bucket.from) + 2;
        const width = Math.max(4, x(bucket.to) - x(bucket.from) - 4);
        const top = y(bucket.count);
        const href = filterLink({ expiresWithinDays: bucket.withinDays, state: 'active' });
        // The axis label sits outside the link, so the link's visible text (its
        // count) is part of its accessible name.
        return (
          <Fragment key={bucket.key}>
          <g
            role="link"
            tabIndex={0}
            aria-label={`${bucket.label}: ${bucket.count} identities`}
            data-testid={`expiry-bar-${bucket.key}`}
            data-count={bucket.count}
            style={{ cursor: 'pointer' }}
            onClick={() => navigate(href)}
            onKeyDown={e => {
              if (e.key === 'Enter' || e.key === ' ') navigate(href);
            }}
          >
            <title>{`${bucket.label}: ${bucket.count}`}</title>
            <rect
              x={left}
              y={top}
              width={width}
              height={PAD.top + plotHeight - top}
              fill={colour(bucket.tone)}
              opacity={bucket.count ? 0.85 : 0.2}
              rx={2}
            />
            <text
              x={left + width / 2}
              y={Math.max(PAD.top - 4, top - 6)}
              textAnchor="middle"
              fontSize={12}
              fontWeight={600}
              fill={theme.palette.text.primary}
            >
              {bucket.count}
            </text>
          </g>
          <text
            x={left + width / 2}
            y={HEIGHT - 6}
            textAnchor="middle"
            fontSize={11}
            fill={theme.palette.text.secondary}
            aria-hidden="true"
          >
            {bucket.label}
          </text>
          </Fragment>
        );
      })}
    </svg>
  );
}
