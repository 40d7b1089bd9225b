/** The parts of an evidence export, in the order they are written. */
export type EvidencePart =
  | 'inventory'
  | 'owners'
  | 'violations'
  | 'waivers'
  | 'review_decisions'
  | 'revocations'
  | 'audit_trail';

/** What one part of the export is evidence of, for the summary sheet. */
export interface PartControls {
  part: EvidencePart;
  description: string;
  /** Control ids, framework-prefixed: `SOC 2 CC6.1`, `ISO 27001 A.5.17`, … */
  controls: string[];
}

const SOC2 = (...ids: string[]) => ids.map(id => `SOC 2 ${id}`);
const ISO = (...ids: string[]) => ids.map(id => `ISO 27001 ${id}`);
const PCI = (...ids: string[]) => ids.map(id => `PCI DSS 4.0 ${id}`);
const NIST = (...ids: string[]) => ids.map(id => `NIST 800-53 ${id}`);

/**
 * The summary sheet: each part mapped to the controls it evidences (SOC 2
 * CC6.1–6.3 logical access, ISO 27001:2022 A.5.17 authentication
 * information and A.8.24 use of cryptography, PCI DSS 4.0 3.6–3.7 key
 * management, NIST 800-53 IA-5 authenticator management and SC-12 key
 * establishment and management).
 */
export const EVIDENCE_PARTS: PartControls[] = [
  {
    part: 'inventory',
    description: 'Every machine identity (certificates, keys, tokens, accounts) live in the period, with lifetime, key and management facts',
    controls: [...SOC2('CC6.1'), ...ISO('A.5.17', 'A.8.24'), ...PCI('3.6', '3.7'), ...NIST('IA-5', 'SC-12')],
  },
  {
    part: 'owners',
    description: 'Who is accountable for the identities: owning Group and the rule that decided it, with counts',
    controls: [...SOC2('CC6.1', 'CC6.2'), ...ISO('A.5.17'), ...NIST('IA-5')],
  },
  {
    part: 'violations',
    description: 'Policy violations open at any time in the period (weak keys, expiry, rotation, issuers), with detection and resolution times',
    controls: [...SOC2('CC6.1'), ...ISO('A.8.24'), ...PCI('3.6', '3.7'), ...NIST('IA-5', 'SC-12')],
  },
  {
    part: 'waivers',
    description: 'Accepted exceptions to policy rules in force in the period, with approver, reason and expiry',
    controls: [...SOC2('CC6.1'), ...ISO('A.8.24'), ...PCI('3.7'), ...NIST('IA-5')],
  },
  {
    part: 'review_decisions',
    description: 'Ownership review decisions (confirm, reassign, revoke) made in the period, with who decided',
    controls: [...SOC2('CC6.2', 'CC6.3'), ...ISO('A.5.17'), ...NIST('IA-5')],
  },
  {
    part: 'revocations',
    description: 'Revocation requests active in the period through approval, execution and verification (credential offboarding)',
    controls: [...SOC2('CC6.2', 'CC6.3'), ...ISO('A.5.17'), ...PCI('3.7'), ...NIST('IA-5', 'SC-12')],
  },
  {
    part: 'audit_trail',
    description: 'The append-only audit trail of the period: every decision and change with actor and time',
    controls: [...SOC2('CC6.1', 'CC6.2', 'CC6.3'), ...ISO('A.5.17'), ...NIST('IA-5')],
  },
];
