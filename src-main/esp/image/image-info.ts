/** What inspectImage reports about a file (see inspect.ts). */
import type { ChipName } from '../api';
import type { FlashModeName } from './header-fields';
import type { PartitionEntry } from './partition-table';

export type ImageKind = 'esp8266' | 'esp8266-v2' | 'esp32-family' | 'partition-table' | 'raw';

export interface ImageSegmentInfo {
  /** Load address. */
  address: number;
  length: number;
  /** Where the segment's data starts in the file (its 8-byte address/length header sits just before). */
  fileOffset: number;
}

export interface ExtendedHeader {
  wpPin: number;
  /** Raw SPI drive bytes 9..11 (two 4-bit strengths per byte). */
  driveBytes: [number, number, number];
  chipId: number;
  minRev: number;
  minRevFull: number;
  maxRevFull: number;
  hashAppended: boolean;
}

/** Something else found in the file after the first image (merged factory images, Arduino eboot + app). */
export interface EmbeddedPart {
  offset: number;
  kind: ImageKind;
  chip: ChipName | undefined;
  role: 'bootloader' | 'app' | undefined;
  length: number;
}

export interface ImageInfo {
  name: string;
  kind: ImageKind;
  chip: ChipName | undefined;
  /** Header flash settings; undefined for partition tables and raw data. */
  flashMode: FlashModeName | undefined;
  flashFreq: string | undefined;
  flashSize: string | undefined;
  flashSizeBytes: number | undefined;
  /** Header bytes 2 and 3 as stored. */
  headerBytes: { mode: number; sizeFreq: number } | undefined;
  entry: number | undefined;
  segments: ImageSegmentInfo[];
  extendedHeader: ExtendedHeader | undefined;
  /** ESP32 family: does the image load anything from flash (app) or only into RAM (bootloader)? */
  role: 'bootloader' | 'app' | undefined;
  /** Stored checksum byte; validated (a mismatch throws), so `ok` is true on every returned image. */
  checksum: { stored: number; ok: boolean } | undefined;
  sha256: { appended: boolean; valid: boolean | undefined; hex: string | undefined };
  /** ESP8266 v2 only: the irom0 block stored before the second header, and the appended CRC32. */
  irom: ImageSegmentInfo | undefined;
  crc32: { stored: number; ok: boolean } | undefined;
  partitions: PartitionEntry[] | undefined;
  /** Bytes the image itself occupies (header to checksum/SHA/CRC), and the file's length. */
  imageLength: number;
  fileLength: number;
  embedded: EmbeddedPart[];
  warnings: string[];
  notes: string[];
}

/** The fields one image reader fills in; inspect.ts adds the file-level ones. */
export type ImageFields = Omit<ImageInfo, 'name' | 'fileLength' | 'embedded' | 'partitions'>;

export function blankInfo(name: string, fileLength: number): ImageInfo {
  return {
    name,
    kind: 'raw',
    chip: undefined,
    flashMode: undefined,
    flashFreq: undefined,
    flashSize: undefined,
    flashSizeBytes: undefined,
    headerBytes: undefined,
    entry: undefined,
    segments: [],
    extendedHeader: undefined,
    role: undefined,
    checksum: undefined,
    sha256: { appended: false, valid: undefined, hex: undefined },
    irom: undefined,
    crc32: undefined,
    partitions: undefined,
    imageLength: 0,
    fileLength,
    embedded: [],
    warnings: [],
    notes: [],
  };
}
