import { Fragment, ReactNode } from 'react';

const BREAK_AFTER = /([.@/:_=+-])/;
/** A run longer than this (a hash, base64) may also break every CHUNK characters. */
const LONG_RUN = 16;
const CHUNK = 8;

/**
 * Text that may wrap after the dots, slashes, colons, dashes and at-signs of
 * host names, paths and subjects, and inside long hashes (`<wbr>`), so a
 * narrow column breaks `batch-signer.payments.example.test` between its
 * labels rather than anywhere, and a `SHA256:…` fingerprint cannot widen the
 * table.
 */
export function BreakableText(props: { text: string }) {
  const out: ReactNode[] = [];
  let key = 0;
  for (const part of props.text.split(BREAK_AFTER)) {
    if (BREAK_AFTER.test(part)) {
      out.push(
        <Fragment key={key++}>
          {part}
          <wbr />
        </Fragment>,
      );
    } else if (part.length > LONG_RUN && !/\s/.test(part)) {
      for (let i = 0; i < part.length; i += CHUNK) {
        out.push(
          <Fragment key={key++}>
            {part.slice(i, i + CHUNK)}
            <wbr />
          </Fragment>,
        );
      }
    } else {
      out.push(part);
    }
  }
  return <>{out}</>;
}
