import type { RevocationPlace } from '@keyring/plugin-machine-identity-common';
import type { ActiveObservation } from './types';

/**
 * The place verification compares for one observation: a key file's host
 * and path (a line number moves when other lines are edited), otherwise the
 * observation's location.
 */
export function placeOf(observation: Pick<ActiveObservation, 'sourceId' | 'location' | 'details'>): RevocationPlace {
  const file = observation.details?.file;
  const host = observation.details?.host;
  const place = typeof file === 'string' ? `${typeof host === 'string' ? host : ''}:${file}` : observation.location;
  return { sourceId: observation.sourceId, location: observation.location, place: `${observation.sourceId}|${place}` };
}

/** Active observations still at one of the request's places. */
export function stillAtPlaces(places: RevocationPlace[], active: ActiveObservation[]): ActiveObservation[] {
  const wanted = new Set(places.map(p => p.place));
  return active.filter(o => wanted.has(placeOf(o).place));
}
