import { StatusWarning } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import type { ReactNode } from 'react';
import { formatDate } from './expiry';

const DAY_MS = 86_400_000;

/** "last used today", "last used 1 day ago", "last used 212 days ago"; "never used" when the source says so. */
export function formatLastUsed(identity: Pick<Identity, 'lastUsedAt' | 'extra'>, now: Date = new Date()): string | undefined {
  if (!identity.lastUsedAt) {
    return identity.extra?.neverUsed === true ? 'never used' : undefined;
  }
  const used = Date.parse(identity.lastUsedAt);
  if (Number.isNaN(used)) return undefined;
  const days = Math.floor((now.getTime() - used) / DAY_MS);
  if (days < 1) return 'last used today';
  return `last used ${days.toLocaleString('en-US')} day${days === 1 ? '' : 's'} ago`;
}

/** "Automatic · last rotated 2026-11-21" or "Not rotated automatically · last rotated …". */
export function formatRotation(rotation: Identity['rotation']): string | undefined {
  if (!rotation) return undefined;
  const mode = rotation.enabled ? 'Automatic' : 'Not rotated automatically';
  return rotation.lastRotatedAt ? `${mode} · last rotated ${formatDate(rotation.lastRotatedAt)}` : mode;
}

/**
 * Metadata rows about a credential's use, privilege and rotation (AWS keys,
 * roles, secrets, Kubernetes service accounts); rows without data are left out.
 */
export function credentialFacts(identity: Identity, now: Date = new Date()): Record<string, ReactNode> {
  const rows: Record<string, ReactNode> = {};
  const lastUsed = formatLastUsed(identity, now);
  if (lastUsed) {
    rows['Last used'] = (
      <span data-testid="identity-last-used" title={identity.lastUsedAt}>
        {lastUsed}
      </span>
    );
  }
  if (identity.privileged) {
    rows.Privileged = (
      <span data-testid="identity-privileged">
        <StatusWarning>Administrator-level</StatusWarning>
        {identity.privilegedReason ? `: ${identity.privilegedReason}` : ''}
      </span>
    );
  }
  const rotation = formatRotation(identity.rotation);
  if (rotation) rows.Rotation = <span data-testid="identity-rotation">{rotation}</span>;
  return rows;
}

/** A caption under a table cell: "last used 212 days ago" (nothing when unknown). */
export function LastUsedCaption(props: { identity: Pick<Identity, 'lastUsedAt' | 'extra'> }) {
  const text = formatLastUsed(props.identity);
  if (!text) return null;
  return (
    <Typography variant="caption" color="textSecondary" display="block" data-testid="machine-identity-last-used">
      {text}
    </Typography>
  );
}
