/**
 * The code of a handshake worker ({@link HandshakePool}), as plain JavaScript run with
 * `new Worker(source, { eval: true })`: the package is built to CommonJS by backstage-cli and
 * tested under vitest, neither of which lets a worker load a `.ts` file, so the worker is
 * kept self-contained here (only Node built-ins).
 *
 * It does in its own thread what `fetchPeerChain` does in process: one `tls.connect` per job
 * with the shared client context (`workerData.context`), the connect and handshake timeouts,
 * the byte cap during the handshake, and the presented certificates read from
 * `getPeerX509Certificate()` through `issuerCertificate` (or, when the client store cannot be
 * listed, Node's own `getPeerCertificate(true)` walk), handed back as transferred DER buffers.
 * The main thread orders the chain and classifies socket errors (`failureOf`).
 *
 * Messages in: `{ job }` (id, port, address list or host, serverName, timeouts, maxBytes) and
 * `{ cancel: id }`. Messages out: `{ id, ders, tlsVersion, cipher }`, `{ id, error, connected }`
 * or `{ id, result }` (a failure already decided here).
 */
export const HANDSHAKE_WORKER_SOURCE = String.raw`'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const tls = require('node:tls');
const context = tls.createSecureContext(workerData.context);
const inFlight = new Map();

function copy(buffer) {
  const out = new Uint8Array(buffer.length);
  out.set(buffer);
  return out.buffer;
}

// The DER of the certificates presented, in the peer's order (or Node's linked walk).
function presented(socket) {
  const ders = [];
  if (workerData.detailed) {
    const seen = new Set();
    let cert = socket.getPeerCertificate(true);
    while (cert && cert.raw && ders.length < workerData.maxChainDepth && !seen.has(cert.fingerprint256)) {
      seen.add(cert.fingerprint256);
      ders.push(copy(cert.raw));
      cert = cert.issuerCertificate;
    }
  } else {
    for (let cert = socket.getPeerX509Certificate(); cert && ders.length < workerData.maxPresented; cert = cert.issuerCertificate) {
      ders.push(copy(cert.raw));
    }
  }
  return ders;
}

function handshake(job) {
  let settled = false;
  let connected = false;
  let timer;
  let guard;
  // A hostname was resolved (and checked) by the main thread: connect to those addresses only.
  const lookup = job.addresses
    ? (_host, options, callback) =>
        options.all ? callback(null, job.addresses) : callback(null, job.addresses[0].address, job.addresses[0].family)
    : undefined;
  const socket = tls.connect({
    host: job.host,
    port: job.port,
    servername: job.serverName,
    rejectUnauthorized: false,
    secureContext: context,
    lookup,
  });
  const finish = (message, transfer) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    clearInterval(guard);
    inFlight.delete(job.id);
    socket.destroy();
    message.id = job.id;
    parentPort.postMessage(message, transfer);
  };
  const fail = (stage, message) => finish({ result: { ok: false, stage, message } });
  inFlight.set(job.id, () => fail('failed', 'scan aborted'));
  timer = setTimeout(() => fail('unreachable', 'connect timed out after ' + job.connectTimeoutMs + ' ms'), job.connectTimeoutMs);
  socket.once('connect', () => {
    if (settled) return;
    connected = true;
    clearTimeout(timer);
    timer = setTimeout(() => fail('failed', 'TLS handshake did not finish within ' + job.handshakeTimeoutMs + ' ms'), job.handshakeTimeoutMs);
    guard = setInterval(() => {
      if (socket.bytesRead > job.maxBytes) fail('failed', 'peer sent more than ' + job.maxBytes + ' bytes during the handshake');
    }, 50);
    guard.unref();
  });
  socket.once('secureConnect', () => {
    try {
      const ders = presented(socket);
      if (ders.length === 0) return fail('failed', 'peer presented no certificate');
      const cipher = socket.getCipher();
      finish(
        { ders, tlsVersion: socket.getProtocol() ?? undefined, cipher: cipher?.standardName ?? cipher?.name },
        ders,
      );
    } catch (e) {
      fail('failed', 'could not read the peer chain: ' + e.message);
    }
  });
  socket.on('error', error => finish({ error: { code: error.code, message: error.message }, connected }));
  socket.once('close', () => fail(connected ? 'failed' : 'unreachable', 'connection closed before the TLS handshake finished'));
}

parentPort.on('message', message => {
  if (message.cancel !== undefined) {
    const cancel = inFlight.get(message.cancel);
    if (cancel) cancel();
  } else {
    handshake(message.job);
  }
});
`;
