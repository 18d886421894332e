/**
 * Typed EPP failures inside one process. The category carries the RFC 5730 result code; the
 * dispatcher is the one place that turns them into results (anything else becomes 2400).
 */
import { messageFor, type ErrValue, type Failure, type FailureCode } from './result.js';

export abstract class EppError extends Error {
  abstract readonly code: FailureCode;
  readonly values: ErrValue[];
  constructor(reason?: string, value?: ErrValue['element']) {
    super(reason ?? '');
    this.values = reason || value ? [{ ...(value ? { element: value } : {}), ...(reason ? { reason } : {}) }] : [];
  }
  toFailure(): Failure {
    return { code: this.code, msg: messageFor(this.code), ...(this.values.length ? { values: this.values } : {}) };
  }
}

export class CommandUseError extends EppError { readonly code = 2002 as const; }
export class RequiredParameterMissingError extends EppError { readonly code = 2003 as const; }
export class ParameterValueRangeError extends EppError { readonly code = 2004 as const; }
export class ParameterValueSyntaxError extends EppError { readonly code = 2005 as const; }
export class UnimplementedProtocolVersionError extends EppError { readonly code = 2100 as const; }
export class UnimplementedCommandError extends EppError { readonly code = 2101 as const; }
export class UnimplementedOptionError extends EppError { readonly code = 2102 as const; }
export class UnimplementedExtensionError extends EppError { readonly code = 2103 as const; }
export class BillingFailureError extends EppError { readonly code = 2104 as const; }
export class NotEligibleForRenewalError extends EppError { readonly code = 2105 as const; }
export class NotEligibleForTransferError extends EppError { readonly code = 2106 as const; }
export class AuthenticationError extends EppError { readonly code = 2200 as const; }
export class AuthorizationError extends EppError { readonly code = 2201 as const; }
export class InvalidAuthInfoError extends EppError { readonly code = 2202 as const; }
export class ObjectPendingTransferError extends EppError { readonly code = 2300 as const; }
export class ObjectNotPendingTransferError extends EppError { readonly code = 2301 as const; }
export class ObjectExistsError extends EppError { readonly code = 2302 as const; }
export class ObjectDoesNotExistError extends EppError { readonly code = 2303 as const; }
export class StatusProhibitsOperationError extends EppError { readonly code = 2304 as const; }
export class AssociationProhibitsOperationError extends EppError { readonly code = 2305 as const; }
export class ParameterValuePolicyError extends EppError { readonly code = 2306 as const; }
export class UnimplementedObjectServiceError extends EppError { readonly code = 2307 as const; }
export class DataManagementPolicyError extends EppError { readonly code = 2308 as const; }
export class CommandFailedError extends EppError { readonly code = 2400 as const; }
/** 25xx: the server answers and then closes the connection. */
export class CommandFailedClosingError extends EppError { readonly code = 2500 as const; }
export class AuthenticationClosingError extends EppError { readonly code = 2501 as const; }
export class SessionLimitExceededError extends EppError { readonly code = 2502 as const; }
