import type {
  AuditEventInput,
  EvaluatedViolation,
  StoredViolation,
  ViolationWrites,
} from '../database/types';

/**
 * What to write so that each identity's open violations become `results`:
 * violations still present keep their first detection (and are updated when
 * their text or severity moved), new ones open, the rest resolve; each
 * opening and resolution is an audit event.
 */
export function diffViolations(
  open: StoredViolation[],
  results: Map<string, EvaluatedViolation[]>,
  now: string,
): { writes: ViolationWrites; audit: AuditEventInput[] } {
  const openById = new Map<string, Map<string, StoredViolation>>();
  for (const v of open) {
    const m = openById.get(v.identityId) ?? new Map<string, StoredViolation>();
    m.set(v.ruleId, v);
    openById.set(v.identityId, m);
  }
  const writes: ViolationWrites = { opened: [], changed: [], resolved: [], now };
  const audit: AuditEventInput[] = [];
  for (const [id, list] of results) {
    const current = openById.get(id) ?? new Map<string, StoredViolation>();
    const next = new Map(list.map(r => [r.ruleId, r]));
    for (const [ruleId, r] of next) {
      const existing = current.get(ruleId);
      if (!existing) {
        writes.opened.push({ identityId: id, ...r });
        audit.push({ identityId: id, at: now, action: 'violation-opened', message: `${ruleId}: ${r.message}` });
      } else if (
        existing.severity !== r.severity ||
        existing.message !== r.message ||
        existing.remediation !== r.remediation
      ) {
        writes.changed.push({ ...existing, severity: r.severity, message: r.message, remediation: r.remediation });
      }
    }
    for (const [ruleId, v] of current) {
      if (!next.has(ruleId)) {
        writes.resolved.push(v.id);
        audit.push({ identityId: id, at: now, action: 'violation-resolved', message: `${ruleId} no longer applies` });
      }
    }
  }
  return { writes, audit };
}
