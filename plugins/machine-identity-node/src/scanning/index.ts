export { mapConcurrent } from './mapConcurrent';
export { readOptionalDurationMs } from './readOptionalDurationMs';
export { AddressPolicy, ADDRESS_NOT_ALLOWED, DEFAULT_REFUSED_RANGES } from './AddressPolicy';
export { checkEndpointCap, DEFAULT_MAX_ENDPOINTS } from './readEndpointCap';
export { inShard, shardOf, type ScanShard } from './shard';
