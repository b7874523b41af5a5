/**
 * The only URLs Kiln ever hands to the operating system's browser. A link the renderer asks to open is compared
 * exactly (after URL normalisation) against this list; anything else is dropped. A fixed list rather than "any https
 * URL" so a compromised renderer cannot use Kiln to launch arbitrary pages or custom URL schemes.
 */
export const EXTERNAL_LINKS: readonly string[] = [
  // Driver pages for the USB-serial bridges Kiln recognises (Windows/macOS users need them).
  'https://www.silabs.com/developers/usb-to-uart-bridge-vcp-drivers',
  'https://www.wch-ic.com/downloads/CH341SER_EXE.html',
  'https://www.wch-ic.com/downloads/CH343SER_EXE.html',
  'https://ftdichip.com/drivers/vcp-drivers/',
  // Espressif's documentation on boot modes and serial troubleshooting, linked from doctor hints.
  'https://docs.espressif.com/projects/esptool/en/latest/esp32/advanced-topics/boot-mode-selection.html',
  'https://docs.espressif.com/projects/esptool/en/latest/esp32/troubleshooting.html',
];

/** True when `url` is exactly one of EXTERNAL_LINKS and uses https. */
export function isAllowedExternalLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return false;
  return EXTERNAL_LINKS.includes(parsed.href);
}
