/** The `handshakeWorkers` settings a scanner test runs under: in process, and through the worker pool. */
export const HANDSHAKE_WORKERS = [0, 2];
