/**
 * Which newly plugged ports auto mode takes: a USB bridge VID:PID ('10c4:ea60', or '1a86:*' for any product of a
 * vendor) and/or a path pattern with * wildcards ('/dev/ttyUSB*', 'sim:*'). Several terms separated by commas
 * match when any term matches. No filter takes every port.
 */
import { KilnError } from '../core/errors';

export interface PortFilter {
  usbIds: string[];
  paths: string[];
}

export interface PlugInfo {
  path: string;
  usbId?: string;
  /** Bridge chip name when known ('CP210x'). */
  bridge?: string;
}

const USB_ID = /^[0-9a-f]{4}:([0-9a-f]{4}|\*)$/;

/** Parses '10c4:ea60,1a86:*,/dev/ttyUSB*' into a filter; BAD_REQUEST names the term it refused. */
export function parsePortFilter(text: string | undefined): PortFilter {
  const filter: PortFilter = { usbIds: [], paths: [] };
  for (const raw of (text ?? '').split(',')) {
    const term = raw.trim();
    if (!term) continue;
    const lower = term.toLowerCase();
    if (USB_ID.test(lower)) filter.usbIds.push(lower);
    else if (
      term.startsWith('/') ||
      term.startsWith('sim:') ||
      term.startsWith('socket://') ||
      /^COM/i.test(term)
    )
      filter.paths.push(term);
    else {
      throw new KilnError('BAD_REQUEST', `"${term}" is neither a USB VID:PID nor a port path pattern.`, {
        hint: 'Write VID:PID in hex (10c4:ea60, 1a86:*) or a path pattern (/dev/ttyUSB*, sim:*).',
      });
    }
  }
  return filter;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export function portMatches(filter: PortFilter, port: PlugInfo): boolean {
  if (filter.usbIds.length === 0 && filter.paths.length === 0) return true;
  const id = port.usbId?.toLowerCase();
  if (id && filter.usbIds.some((f) => f === id || (f.endsWith(':*') && id.startsWith(f.slice(0, 5)))))
    return true;
  return filter.paths.some((p) => globToRegExp(p).test(port.path));
}

export function describeFilter(filter: PortFilter): string {
  const terms = [...filter.usbIds, ...filter.paths];
  return terms.length === 0 ? 'every new port' : terms.join(', ');
}
