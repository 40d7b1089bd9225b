/*
 * The peer of the AWS bench, in a process of its own: the same inventory of
 * IAM users and access keys read straight from the Query API without the SDK
 * clients — `fetch`, Signature V4 by the emulator package's signer, and regular
 * expressions over the XML: ListUsers pages (Marker/IsTruncated), then
 * ListAccessKeys and GetAccessKeyLastUsed for every user and key, 8 users at
 * a time. Prints one JSON line with the time, counts and peak RSS.
 */
import { signQueryRequest } from '@keyring/cloud-emulators/aws';

process.removeAllListeners('warning');
const emu = JSON.parse(process.argv[2]);

let calls = 0;
async function query(params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
  const headers = signQueryRequest({ endpoint: emu.endpoint, body, accessKeyId: emu.accessKeyId, secretAccessKey: emu.secretAccessKey });
  calls++;
  const res = await fetch(emu.endpoint, { method: 'POST', headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`${params.Action}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return text;
}
const all = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map(m => m[1]);

async function main() {
  const started = Date.now();
  const users: string[] = [];
  let marker: string | undefined;
  do {
    const xml = await query({ Action: 'ListUsers', MaxItems: '100', ...(marker ? { Marker: marker } : {}) });
    users.push(...all(xml, 'UserName'));
    marker = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? all(xml, 'Marker')[0] : undefined;
  } while (marker);
  let keys = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < users.length) {
        const user = users[next++];
        const xml = await query({ Action: 'ListAccessKeys', UserName: user });
        for (const id of all(xml, 'AccessKeyId')) {
          await query({ Action: 'GetAccessKeyLastUsed', AccessKeyId: id });
          keys++;
        }
      }
    }),
  );
  console.log(JSON.stringify({ ms: Date.now() - started, users: users.length, keys, calls, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
