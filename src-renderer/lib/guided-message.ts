/**
 * The guided download mode's instruction travels as the job phase's message, ending in "(listening at N baud)"
 * while Kiln waits for the user's hands (flash/guided.ts, flash/boot-check.ts). One reader for it: the guided
 * panel shows the instruction and a live "listening" line; the progress bar says it waits for the user instead of
 * guessing a time left.
 */
const LISTENING = /\s*\(listening at (\d+) baud\)$/;

export interface GuidedMessage {
  /** The instruction in force, without the listening note. */
  instruction: string;
  /** The baud Kiln listens at while it waits for the user; undefined when it is not waiting. */
  listeningBaud: number | undefined;
}

export function readGuidedMessage(message: string | undefined): GuidedMessage | undefined {
  if (message === undefined) return undefined;
  const m = LISTENING.exec(message);
  return { instruction: message.replace(LISTENING, ''), listeningBaud: m ? Number(m[1]) : undefined };
}
