/**
 * Why a board did not answer the SYNC handshake, read from the bytes the engine captured (ConnectCapture).
 * The rule table (sync-rules.ts) is tried in order; the first rule that matches gives the diagnosis. Every
 * diagnosis quotes its evidence (the text or bytes seen) and lists next steps in the order to try them.
 */
import type { ConnectCapture } from '../core/capture';
import { captureFacts } from './capture-facts';
import { SYNC_RULES } from './sync-rules';

export type SyncDiagnosisCode =
  | 'SYNC_REPLY_RECEIVED'
  | 'BROWNOUT_POWER'
  | 'ECHO_TX_RX_SHORTED'
  | 'BOOT_LOOP'
  | 'ESP32_DOWNLOAD_NO_REPLY_TX_PATH'
  | 'ESP8266_DOWNLOAD_NO_REPLY_TX_PATH'
  | 'ESP8266_FLASH_BOOT_GPIO0_HIGH'
  | 'ESP8266_SDIO_BOOT_GPIO15_HIGH'
  | 'ESP8266_INVALID_BOOT_MODE_GPIO2_LOW'
  | 'ESP32_NORMAL_BOOT'
  | 'ESP32_BOOT_MODE_UNSEEN'
  | 'APP_RUNNING_NO_RESET'
  | 'GARBLED_LIKELY_ESP8266_BOOT_74880'
  | 'GARBLED_NOISE_OR_VOLTAGE'
  | 'CH340_KERNEL_RESET_REGRESSION'
  | 'NO_RESPONSE_WIRING';

export type Confidence = 'high' | 'medium' | 'low';

export interface Diagnosis {
  code: SyncDiagnosisCode;
  title: string;
  explanation: string;
  /** What was seen, quoted: text lines as received, bytes as hex. */
  evidence: string[];
  /** Next steps, first to try first. */
  steps: string[];
  confidence: Confidence;
}

/** Facts from outside the capture that sharpen a diagnosis (the service knows them; the bytes do not). */
export interface SyncContext {
  /** 'vvvv:pppp' of the adapter. */
  usbId?: string;
  /** Linux kernel release (os.release()). */
  kernelRelease?: string;
}

export function diagnoseSync(capture: ConnectCapture, context: SyncContext = {}): Diagnosis {
  const facts = captureFacts(capture);
  for (const rule of SYNC_RULES) {
    const d = rule(facts, context);
    if (d) return d;
  }
  // The last rule (silence) always matches when nothing else did; this keeps the type honest.
  throw new Error('no sync rule matched');
}
