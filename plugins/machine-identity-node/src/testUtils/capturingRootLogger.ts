import {
  coreServices,
  createServiceFactory,
  type RootLoggerService,
} from '@backstage/backend-plugin-api';

/**
 * A root logger that keeps every line in `lines` — level, message, the
 * metadata of its child loggers and the call's own metadata (an error's
 * message and stack) — for tests that look for a line in a backend's logs,
 * or make sure a secret value is in none of them.
 */
export function capturingRootLogger(lines: string[], meta: Record<string, unknown> = {}): RootLoggerService {
  const at = (level: string) => (message: string, extra?: unknown) =>
    void lines.push([level, message, JSON.stringify(meta), extra instanceof Error ? `${extra.message} ${extra.stack}` : JSON.stringify(extra ?? {})].join(' '));
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: more => capturingRootLogger(lines, { ...meta, ...more }),
  };
}

/** The root logger service of a test backend, as {@link capturingRootLogger} into `lines`. */
export function capturingRootLoggerFactory(lines: string[]) {
  return createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: () => capturingRootLogger(lines) });
}
