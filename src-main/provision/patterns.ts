/**
 * Per-board names from a pattern: `%mac6%` is the MAC's last six hex digits (as Tasmota's own default host name
 * `tasmota-%06X` uses the chip id, lower-cased here for DNS), `%mac%` all twelve. Anything else is kept as written.
 */
export function expandPattern(pattern: string, mac: string): string {
  const hex = mac.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return pattern.replace(/%mac6%/gi, hex.slice(-6)).replace(/%mac%/gi, hex);
}
