/**
 * Every published flasher stub the simulated ROM recognises, identified by facts: the chip it is built for,
 * MEM_END's entry address, the load addresses and lengths of its text and data segments, and the SHA-256 of
 * its text segment. The simulator does not execute Xtensa/RISC-V code; a MEM_END whose entry and uploaded
 * text match a row switches the chip to that family's behaviour (stub.ts). Code matching no row is "unknown
 * code": the ROM jumps to it and the simulated chip falls silent, as a real one running foreign code would.
 *
 * Source of every row: the stub JSON files in github.com/espressif/esptool at the tag or commit named in
 * `shippedWith` (esptool/targets/stub_flasher/1/ = esptool-legacy-flasher-stub, …/2/ = esp-flasher-stub; the
 * release is the one that directory's README.md names; v4.7.0 kept them as stub_flasher_<chip>.json), and for
 * esptool-js 0.7.0 its lib/targets/stub_flasher/<chip>.json. Values computed from those files; no stub binary is
 * kept in this repository. Not catalogued: esp-rs/esp-flasher-stub v0.3.0 (esptool 4.8–4.9 set 2, opt-in only) and
 * the esp-flasher-stub v0.1.0 placeholders of esptool 5.0–5.1 set 2 (96–168-byte texts, never the default) — a
 * real chip would run them, the simulator treats them as unknown code.
 */

/** Chips a catalogued stub is built for (a superset of the simulated chips). */
export type StubChip = 'esp8266' | 'esp32' | 'esp32c3' | 'esp32s3' | 'esp32c6';

/**
 * - 'legacy': esptool's original flasher stub (esptool's flasher_stub/, later espressif/esptool-legacy-flasher-stub),
 *   stub set 1, the one esptool uploads by default up to v5.2 (loader.py STUB_SUBDIRS ["1", …]);
 * - 'esp-flasher-stub': espressif/esp-flasher-stub, stub set 2, esptool's default from v5.3 (STUB_SUBDIRS ["2", "1"])
 *   and the stub esptool-js 0.7.0 uploads.
 */
export type StubFamily = 'legacy' | 'esp-flasher-stub';

export interface KnownStub {
  chip: StubChip;
  family: StubFamily;
  release: string;
  /** Where the row's image was read (every host version seen carrying exactly this text). */
  shippedWith: string;
  textSha256: string;
  entry: number;
  textStart: number;
  textLength: number;
  dataStart: number;
  dataLength: number;
  /**
   * What the stub does to the UART's rate at start, before its OHAI. Absent: nothing (it keeps the rate the ROM
   * left). 'rom-recorded-baud': esp-flasher-stub from v1.1.0 (src/main.c, PR #96 "enable clock/APB boost on UART
   * transport") on ESP32, ESP32-S2 and ESP32-P4 reads the ROM's recorded download baud
   * (`stub_lib_uart_rominit_get_baudrate()`, in esp-stub-lib src/uart.c the ROM's `UartDev.baud_rate`; 115200
   * when 0), raises the clock and reprograms UART0's divider for that baud (esp-stub-lib
   * src/target/esp32/src/uart.c `stub_target_uart_rominit_set_baudrate`: 5 ms, wait for TX idle, divider, 5 ms).
   * v1.0.0 and v0.2.0 raise the clock only on USB/SDIO transports and leave the UART alone.
   */
  uartAtStart?: 'rom-recorded-baud';
}

export const STUB_CATALOGUE: readonly KnownStub[] = [
  {
    chip: 'esp8266',
    family: 'legacy',
    release: 'esptool v4.7.0 built-in flasher_stub',
    shippedWith: 'esptool v4.7.0, esptool v4.8.1, esptool v4.9.0, esptool v5.0.0, esptool v5.1.0',
    textSha256: '0914cbde7b50fb4a4648795d83d4181f808a99073640cdcee6e4dfa958855cef',
    entry: 0x4010d004,
    textStart: 0x4010d000,
    textLength: 8248,
    dataStart: 0x3fffaca8,
    dataLength: 768,
  },
  {
    chip: 'esp32',
    family: 'legacy',
    release: 'esptool v4.7.0 built-in flasher_stub',
    shippedWith: 'esptool v4.7.0, esptool v4.8.1',
    textSha256: 'c3d3ddfa74e6b41710863f07a2d0496bb6f758a2011bf1d9cdd5b280479db6b9',
    entry: 0x400be5ec,
    textStart: 0x400be000,
    textLength: 3532,
    dataStart: 0x3ffdeba8,
    dataLength: 156,
  },
  {
    chip: 'esp32c3',
    family: 'legacy',
    release: 'esptool v4.7.0 built-in flasher_stub',
    shippedWith: 'esptool v4.7.0',
    textSha256: 'fad3826d199441ba3c38af2c6bc34a9d45fb98035a60372798a8557968dd6563',
    entry: 0x4038069c,
    textStart: 0x40380000,
    textLength: 3816,
    dataStart: 0x3fc96bb0,
    dataLength: 160,
  },
  {
    chip: 'esp32s3',
    family: 'legacy',
    release: 'esptool v4.7.0 built-in flasher_stub',
    shippedWith: 'esptool v4.7.0',
    textSha256: '1312e30abc10f7cb2cb040a5c55ca346a1f8a80ec1e1504d21748aabb2d257e2',
    entry: 0x40378a50,
    textStart: 0x40378000,
    textLength: 5244,
    dataStart: 0x3fcb2bf8,
    dataLength: 252,
  },
  {
    chip: 'esp32c6',
    family: 'legacy',
    release: 'esptool v4.7.0 built-in flasher_stub',
    shippedWith: 'esptool v4.7.0',
    textSha256: '554c249753d9034f827141b38c55f6b0f5f60b0ce2636a1e0ace47453152c813',
    entry: 0x40800690,
    textStart: 0x40800000,
    textLength: 3740,
    dataStart: 0x40852bac,
    dataLength: 160,
  },
  {
    chip: 'esp32c3',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.3.0',
    shippedWith: 'esptool v4.8.1',
    textSha256: '9b8c66b2975c18c28464869050541b847e683fe0b5345b3163176ee55c7372f7',
    entry: 0x403806d0,
    textStart: 0x40380000,
    textLength: 3868,
    dataStart: 0x3fc96bb4,
    dataLength: 160,
  },
  {
    chip: 'esp32s3',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.3.0',
    shippedWith: 'esptool v4.8.1',
    textSha256: '14ab7c0beb0520624f7c14f4547f9c42657e651f50c19106cb510477751c8e29',
    entry: 0x40378a80,
    textStart: 0x40378000,
    textLength: 5292,
    dataStart: 0x3fcb2bfc,
    dataLength: 252,
  },
  {
    chip: 'esp32c6',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.3.0',
    shippedWith: 'esptool v4.8.1',
    textSha256: '13945b5c8a9c64fde3d30403e59b03e7238c4e6666f65e246e3491c22f65567b',
    entry: 0x408006c4,
    textStart: 0x40800000,
    textLength: 3792,
    dataStart: 0x40852bb0,
    dataLength: 160,
  },
  {
    chip: 'esp32',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.6.0',
    shippedWith: 'esptool v4.9.0, esptool v5.0.0, esptool v5.1.0',
    textSha256: 'cb3d09de6574cd008ea3e6a366bb1f26218b8735d4fbf80fb264fc92aad69d5c',
    entry: 0x400be5e0,
    textStart: 0x400be000,
    textLength: 3464,
    dataStart: 0x3ffdeba8,
    dataLength: 156,
  },
  {
    chip: 'esp32c3',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.6.0',
    shippedWith: 'esptool v4.9.0, esptool v5.0.0, esptool v5.1.0',
    textSha256: '038d23b30e756ad852ae8fb116e1d76c8684ee77f9b021d0a336aa8436b054fa',
    entry: 0x40380620,
    textStart: 0x40380000,
    textLength: 3736,
    dataStart: 0x3fc96bb4,
    dataLength: 160,
  },
  {
    chip: 'esp32s3',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.6.0',
    shippedWith: 'esptool v4.9.0, esptool v5.0.0, esptool v5.1.0',
    textSha256: '8005eb23ecb37673850235bb1b98c08e8e4316d4d4d5fb7be7d4e1f1b20a233f',
    entry: 0x40378adc,
    textStart: 0x40378000,
    textLength: 5632,
    dataStart: 0x3fcb2bfc,
    dataLength: 252,
  },
  {
    chip: 'esp32c6',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.6.0',
    shippedWith: 'esptool v4.9.0, esptool v5.0.0, esptool v5.1.0',
    textSha256: 'b870a09308e54ee6c1f8de2ab09805d6b56995de23a1550e52f89aa859025dd6',
    entry: 0x40800610,
    textStart: 0x40800000,
    textLength: 3652,
    dataStart: 0x40852bb0,
    dataLength: 160,
  },
  {
    chip: 'esp8266',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.11.1',
    shippedWith: 'esptool v5.2.0, esptool v5.3.1',
    textSha256: '4dd755cefff7947b6a93f3acabcf7bda1b06630d5ad324022a7cfe4f07114ea8',
    entry: 0x4010d004,
    textStart: 0x4010d000,
    textLength: 8276,
    dataStart: 0x3fffacac,
    dataLength: 768,
  },
  {
    chip: 'esp32',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.11.1',
    shippedWith: 'esptool v5.2.0, esptool v5.3.1',
    textSha256: 'b2dff40d626d2e83234ba17f79ab968cf5505cf989d15f9954ed477777eeddad',
    entry: 0x400be658,
    textStart: 0x400be000,
    textLength: 3540,
    dataStart: 0x3ffdebac,
    dataLength: 156,
  },
  {
    chip: 'esp32c3',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.11.1',
    shippedWith: 'esptool v5.2.0, esptool v5.3.1',
    textSha256: '857660860ee353699c11c6dfc82d3bfd0bcfa7890c8c9b5fc84f1a551f1f5003',
    entry: 0x403806d2,
    textStart: 0x40380000,
    textLength: 3812,
    dataStart: 0x3fc96bb8,
    dataLength: 160,
  },
  {
    chip: 'esp32s3',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.11.1',
    shippedWith: 'esptool v5.2.0, esptool v5.3.1',
    textSha256: '4f2db4cfaa9938d03537519d95081372f8b833dfcf2ae8fb47fc90425cb853d3',
    entry: 0x40378c94,
    textStart: 0x40378000,
    textLength: 5676,
    dataStart: 0x3fcb2c00,
    dataLength: 252,
  },
  {
    chip: 'esp32c6',
    family: 'legacy',
    release: 'esptool-legacy-flasher-stub v1.11.1',
    shippedWith: 'esptool v5.2.0, esptool v5.3.1',
    textSha256: '05bd47f6c34739cef5cf9680517cc73c6934cabffc9c3b1b37a68ba445bc5cd3',
    entry: 0x408006c2,
    textStart: 0x40800000,
    textLength: 3728,
    dataStart: 0x40852bb4,
    dataLength: 160,
  },
  {
    chip: 'esp8266',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.2.1 (text unchanged in v1.2.2)',
    shippedWith: 'esptool commit e881f4a, esptool master bb72741, esptool-js 0.7.0',
    textSha256: '37c16091ff165ffe760353a8e92d07f55927e34d01fb5fc04c18b5525c13f8f6',
    entry: 0x4010c504,
    textStart: 0x4010c500,
    textLength: 11456,
    dataStart: 0x3fffae6c,
    dataLength: 920,
  },
  {
    chip: 'esp32',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.2.1 (text unchanged in v1.2.2)',
    shippedWith: 'esptool commit e881f4a, esptool master bb72741, esptool-js 0.7.0',
    textSha256: 'fc5fb606754d152b9b9e4f20c72fdad83d1d99b1b139744bc53cc160b1edd570',
    entry: 0x400a902c,
    textStart: 0x400a8000,
    textLength: 6456,
    dataStart: 0x3ffded6c,
    dataLength: 212,
    uartAtStart: 'rom-recorded-baud',
  },
  {
    chip: 'esp32c3',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.2.1 (text unchanged in v1.2.2)',
    shippedWith: 'esptool commit e881f4a, esptool master bb72741, esptool-js 0.7.0',
    textSha256: 'c06cc1a34a02d8f8755692cf89843b388978d19a255b0d9c26b10a0f41a90ffb',
    entry: 0x40380e9a,
    textStart: 0x40380000,
    textLength: 5880,
    dataStart: 0x3fc96d68,
    dataLength: 204,
  },
  {
    chip: 'esp32s3',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.2.1 (text unchanged in v1.2.2)',
    shippedWith: 'esptool commit e881f4a, esptool master bb72741, esptool-js 0.7.0',
    textSha256: 'c37a7d12d52633fd629fbed13f3a7418216af368d8e80f17853ce6de29741374',
    entry: 0x40379524,
    textStart: 0x40378000,
    textLength: 7832,
    dataStart: 0x3fcb2dc0,
    dataLength: 264,
  },
  {
    chip: 'esp32c6',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.2.1 (text unchanged in v1.2.2)',
    shippedWith: 'esptool commit e881f4a, esptool master bb72741, esptool-js 0.7.0',
    textSha256: '904a314959d712695b699b08873a428c2080e0ce6dc17ebf7657449ea84383d4',
    entry: 0x408011bc,
    textStart: 0x40800000,
    textLength: 6900,
    dataStart: 0x40852f0c,
    dataLength: 216,
  },
  {
    chip: 'esp8266',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v0.2.0',
    shippedWith: 'esptool v5.2.0',
    textSha256: '52b4349ba7ee21b0e894ce7f311c2e80bccfa7b4535caa7733c7d3e995a75ef0',
    entry: 0x4010c504,
    textStart: 0x4010c500,
    textLength: 12260,
    dataStart: 0x3fffae5c,
    dataLength: 3968,
  },
  {
    chip: 'esp32',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v0.2.0',
    shippedWith: 'esptool v5.2.0',
    textSha256: '2215dfaddde601469196344e78246d04d1828f2a478087248ad8800151d97696',
    entry: 0x400a800c,
    textStart: 0x400a8000,
    textLength: 6884,
    dataStart: 0x3ffded60,
    dataLength: 92,
  },
  {
    chip: 'esp32c3',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v0.2.0',
    shippedWith: 'esptool v5.2.0',
    textSha256: 'a086a30ba56e32d9632a4c625d40f17e08ba09c20c917c9dfe5c55676cef46ef',
    entry: 0x40380000,
    textStart: 0x40380000,
    textLength: 6300,
    dataStart: 0x3fc96d64,
    dataLength: 84,
  },
  {
    chip: 'esp32s3',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v0.2.0',
    shippedWith: 'esptool v5.2.0',
    textSha256: '6b4d0069dded0b104a2caecc955c4ab8568f17c81a1b3363429f83d8d4915490',
    entry: 0x4037800c,
    textStart: 0x40378000,
    textLength: 7908,
    dataStart: 0x3fcb2db4,
    dataLength: 144,
  },
  {
    chip: 'esp32c6',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v0.2.0',
    shippedWith: 'esptool v5.2.0',
    textSha256: '29e7563ee5a9e57e34a04a4fb3ad3d87193bf83dee4e81d1e5d766f348da54eb',
    entry: 0x40800000,
    textStart: 0x40800000,
    textLength: 6272,
    dataStart: 0x40852d64,
    dataLength: 84,
  },
  {
    chip: 'esp8266',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.0.0',
    shippedWith: 'esptool v5.3.1',
    textSha256: '3d315cf8155a78db13e4ef90e26b2dc3fd95d7762e1102cdfb663d8f7a7c44d5',
    entry: 0x4010c504,
    textStart: 0x4010c500,
    textLength: 13740,
    dataStart: 0x3fffae68,
    dataLength: 932,
  },
  {
    chip: 'esp32',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.0.0',
    shippedWith: 'esptool v5.3.1',
    textSha256: '59c217e201a5910c15a0f202f2852c8ea44b7406bbf227e2cd6e88fd6a2a75af',
    entry: 0x400a9074,
    textStart: 0x400a8000,
    textLength: 6140,
    dataStart: 0x3ffded68,
    dataLength: 212,
  },
  {
    chip: 'esp32c3',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.0.0',
    shippedWith: 'esptool v5.3.1',
    textSha256: '3197a9e051fd53da0fe3e39d9aded139e5386f50edfc8af998382b065a173c35',
    entry: 0x40380f2e,
    textStart: 0x40380000,
    textLength: 6024,
    dataStart: 0x3fc96d68,
    dataLength: 204,
  },
  {
    chip: 'esp32s3',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.0.0',
    shippedWith: 'esptool v5.3.1',
    textSha256: 'd0f85e42389e8f5fba03e47444d9fab43e59c2dcd6649059fb22ab69c54f5cdd',
    entry: 0x40379474,
    textStart: 0x40378000,
    textLength: 7644,
    dataStart: 0x3fcb2dbc,
    dataLength: 264,
  },
  {
    chip: 'esp32c6',
    family: 'esp-flasher-stub',
    release: 'esp-flasher-stub v1.0.0',
    shippedWith: 'esptool v5.3.1',
    textSha256: '9d59894c5e83672666d0331f1358b9fde5614530ac65df22701fbf6817915804',
    entry: 0x40801252,
    textStart: 0x40800000,
    textLength: 7052,
    dataStart: 0x40852f0c,
    dataLength: 216,
  },
];

/** The catalogued stub whose entry and text segment (hashed by the caller) match, for this chip. */
export function findKnownStub(
  catalogue: readonly KnownStub[],
  chip: string,
  entry: number,
  textShaAt: (start: number, length: number) => string | undefined,
): KnownStub | undefined {
  return catalogue.find(
    (s) => s.chip === chip && s.entry === entry && textShaAt(s.textStart, s.textLength) === s.textSha256,
  );
}
