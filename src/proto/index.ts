/** Loads proto/registry.proto (protobufjs reflection) and types the messages the command engine uses. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { FailureCode } from '../epp/result.js';

function protoPath(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const p of [join(here, '../../proto/registry.proto'), join(here, '../../../proto/registry.proto')]) {
    if (existsSync(p)) return p;
  }
  throw new Error(`proto/registry.proto not found near ${here}`);
}

const root = protobuf.loadSync(protoPath());
const ParseResultType = root.lookupType('registry.v1.ParseResult');
const CommandType = root.lookupType('registry.v1.Command');

export interface LoginBody {
  clId: string; pw: string; newPw?: string; version: string; lang: string; objUris: string[]; extUris: string[];
}
export interface PollBody { op: 'req' | 'ack'; msgId?: string }

/** The typed command of the engine: `name` selects the body. */
export interface Command {
  name: string;
  clTrid?: string;
  maskedRequest?: string;
  extUris?: string[];
  hello?: Record<string, never>;
  login?: LoginBody;
  logout?: Record<string, never>;
  poll?: PollBody;
  unmapped?: { objectUri: string };
  check?: { ids: string[] };
  domainInfo?: DomainInfoBody;
  domainCreate?: DomainCreateBody;
  delete?: { id: string };
  hostInfo?: { name: string };
  hostCreate?: HostCreateBody;
  contactInfo?: { id: string; authPw?: string };
  contactCreate?: ContactCreateBody;
  domainUpdate?: DomainUpdateBody;
  domainRenew?: { name: string; curExpDate: string; period?: Period };
  transfer?: TransferBody;
  hostUpdate?: HostUpdateBody;
  contactUpdate?: ContactUpdateBody;
  fee?: FeeExt;
  rgpRestore?: RgpRestore;
  allocationToken?: string;
}

export interface FeeCommand { name: string; period?: Period; phase?: string; subphase?: string; customName?: string }
export interface FeeExt { check?: boolean; currency?: string; commands?: FeeCommand[]; fees?: string[]; credits?: string[] }
export interface RgpReport { preData: string; postData: string; delTime: string; resTime: string; resReason: string; statements: string[]; other?: string }
export interface RgpRestore { op: 'request' | 'report'; report?: RgpReport }

export interface StatusValue { s: string; text?: string }
export interface DomainDelta { ns?: string[]; contacts?: ContactLink[]; statuses?: StatusValue[]; hostAttr?: boolean }
export interface SecDnsUpdate { urgent?: boolean; remAll?: boolean; rem?: DsData[]; add?: DsData[]; maxSigLife?: number; keyData?: boolean }
export interface DomainUpdateBody {
  name: string; add?: DomainDelta; rem?: DomainDelta; chgRegistrant?: string; chgAuthPw?: string; chgAuthNull?: boolean;
  secDns?: SecDnsUpdate; rgpRestoreOp?: string;
}
export interface TransferBody { op: 'request' | 'query' | 'approve' | 'reject' | 'cancel'; id: string; period?: Period; authPw?: string }
export interface HostUpdateBody { name: string; addAddrs?: HostAddr[]; remAddrs?: HostAddr[]; addStatuses?: StatusValue[]; remStatuses?: StatusValue[]; chgName?: string }
export interface PostalChange { type: 'int' | 'loc'; name?: string; org?: string; addr?: PostalInfo }
export interface ContactUpdateBody {
  id: string; addStatuses?: StatusValue[]; remStatuses?: StatusValue[]; chgPostal?: PostalChange[];
  chgVoice?: string; chgVoiceExt?: string; chgFax?: string; chgFaxExt?: string; chgEmail?: string; chgAuthPw?: string;
  chgDisclose?: { flag: boolean; fields?: string[] };
}

export interface Period { value: number; unit: 'y' | 'm' }
export interface ContactLink { type: 'admin' | 'billing' | 'tech'; id: string }
export interface DsData { keyTag: number; alg: number; digestType: number; digest: string }
export interface SecDnsCreate { ds?: DsData[]; maxSigLife?: number; keyData?: boolean }
export interface DomainInfoBody { name: string; hosts: 'all' | 'del' | 'sub' | 'none'; authPw?: string }
export interface DomainCreateBody {
  name: string; period?: Period; ns?: string[]; registrant?: string; contacts?: ContactLink[]; authPw: string;
  secDns?: SecDnsCreate; hostAttr?: boolean;
}
export interface HostAddr { ip: string; version: 'v4' | 'v6' }
export interface HostCreateBody { name: string; addrs?: HostAddr[] }
export interface PostalInfo { name: string; org?: string; street?: string[]; city: string; sp?: string; pc?: string; cc: string }
export interface ContactCreateBody {
  id: string; postalInt?: PostalInfo; postalLoc?: PostalInfo; voice?: string; voiceExt?: string; fax?: string; faxExt?: string;
  email: string; authPw: string; disclose?: { flag: boolean; fields?: string[] };
  /** Types of every postalInfo as sent, to refuse two of one type. */
  postalTypes?: string[];
}

export interface WireErrValue { ns?: string; local?: string; text?: string; attrs?: Record<string, string>; reason?: string; hasElement?: boolean }
export interface WireFailure { code: FailureCode; msg: string; values?: WireErrValue[]; clTrid?: string }
export type ParseResult = { command: Command; failure?: undefined } | { failure: WireFailure; command?: undefined };

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: false, arrays: true, objects: true };

export function encodeParseResult(r: ParseResult): Uint8Array {
  return ParseResultType.encode(ParseResultType.fromObject(r)).finish();
}

export function decodeParseResult(bytes: Uint8Array): ParseResult {
  const obj = ParseResultType.toObject(ParseResultType.decode(bytes), TO_OBJECT) as ParseResult;
  if (obj.command) normaliseCommand(obj.command);
  return obj;
}

/** For channels other than EPP (portal, CLI, bulk import) that build commands directly. */
export function encodeCommand(c: Command): Uint8Array {
  return CommandType.encode(CommandType.fromObject(c)).finish();
}

export function decodeCommand(bytes: Uint8Array): Command {
  return normaliseCommand(CommandType.toObject(CommandType.decode(bytes), TO_OBJECT) as Command);
}

// proto3 leaves empty messages out of toObject when they have no fields set; restore the marker.
function normaliseCommand(c: Command): Command {
  if (c.name === 'hello' && !c.hello) c.hello = {};
  if (c.name === 'logout' && !c.logout) c.logout = {};
  return c;
}
