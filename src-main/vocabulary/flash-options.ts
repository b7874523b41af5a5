/**
 * The choices a flash request may make about resets and the image header: the contract's enums are built from
 * these lists, and the CLI offers them as option choices without loading the contract.
 */

/** How the board is put into download mode: DTR/RTS sequence, none (already there), or the USB-JTAG-serial reset. */
export const BEFORE_RESETS = ['default', 'no-reset', 'usb-reset', 'manual'] as const;
/** What happens after the flash: reset into the new firmware, or stay in the loader. */
export const AFTER_RESETS = ['hard-reset', 'no-reset'] as const;
/** Header rewrites: `keep` leaves the image's own byte. */
export const FLASH_MODES = ['keep', 'qio', 'qout', 'dio', 'dout'] as const;
export const FLASH_FREQS = ['keep', '80m', '40m', '26m', '20m'] as const;
export const FLASH_SIZES = [
  'keep',
  'detect',
  '256KB',
  '512KB',
  '1MB',
  '2MB',
  '4MB',
  '8MB',
  '16MB',
  '32MB',
  '64MB',
  '128MB',
] as const;
