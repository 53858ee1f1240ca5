import { CITY_TIME_ZONE } from '../shared/format.ts';

/**
 * Date-time inputs (`<input type="datetime-local">`) hold the city's wall-clock time, whatever the
 * browser's own zone: these convert between their value ("2026-11-25T07:30") and instants.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** The city's UTC offset at an instant, as "+07:00". */
export function cityOffset(at: Date): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: CITY_TIME_ZONE, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return name === 'GMT' ? '+00:00' : name.slice(3);
}

/** An input's city time as an ISO 8601 instant with the city's offset; undefined when empty or malformed. */
export function fromCityInput(value: string): string | undefined {
  const m = LOCAL.exec(value.trim());
  if (!m) return undefined;
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}`;
  const guess = new Date(`${local}Z`);
  if (Number.isNaN(guess.getTime())) return undefined;
  return `${local}${cityOffset(guess)}`;
}

/** An instant as an input's value in city time ("2026-11-25T07:30"). */
export function toCityInput(at: string | number | Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: CITY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
