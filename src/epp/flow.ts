/** The shape of an object command flow: guards in RFC order, then writes, inside one transaction. */
import type { Transaction, Queryable } from '../db/pool.js';
import type { RegistryConfig } from '../config.js';
import type { ZoneCache } from '../registry/zone-cache.js';
import type { PriceCache } from '../billing/prices.js';
import type { NameLookup } from '../db/queries/name-lookup.js';
import type { Command } from '../proto/index.js';
import type { MsgQ, XmlObj } from '../xml/render.js';
import type { EppError } from './errors.js';
import type { SuccessCode } from './result.js';

export interface RegistrarRef { id: number; clientId: string }

export interface FlowContext {
  /** The command's transaction (mutating flows) or a pool (queries). */
  db: Transaction | Queryable;
  registrar: RegistrarRef;
  /** One instant per command, from the injected clock. */
  now: Date;
  svTrid: string;
  clTrid?: string;
  config: RegistryConfig;
  /** Extension URIs the client announced at login (a response may only use these). */
  extUris: ReadonlySet<string>;
  zones: ZoneCache;
  /** Standard price lists per zone (premium prices are read with the command). */
  prices: PriceCache;
  /** Registered and reserved names, looked up in batches across the commands of one event-loop turn. */
  names: NameLookup;
}

export interface FlowResult {
  code?: SuccessCode;
  resData?: XmlObj;
  extension?: XmlObj;
  msgQ?: MsgQ;
  /** What the audit row names. */
  object?: { type: string; id: string };
}

export interface Flow {
  /** "<object>:<verb>" or "poll". */
  command: string;
  /** The objURI a client must have logged in with to use this flow (none for poll). */
  objectUri?: string;
  /** Transforms run in one transaction; any error rolls everything back. */
  mutating: boolean;
  /** Extension URIs the flow understands on this command. */
  extensions?: string[];
  /** Documentation: the failures this flow can raise. */
  errors?: (abstract new (...args: never[]) => EppError)[];
  run(ctx: FlowContext, cmd: Command): Promise<FlowResult>;
}

export function defineFlow(f: Flow): Flow {
  if (!/^(\w+:\w+|poll)$/.test(f.command)) throw new TypeError(`bad flow command name ${f.command}`);
  return f;
}
