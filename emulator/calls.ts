/**
 * The log of every AWS API call the emulator answered: what a test asserts on ("the release
 * never called UpdateService", "it retried after the throttle").
 */
import type { ServiceName } from './services/common';

export interface CallRecord {
  /** Order of arrival, from 1. */
  seq: number;
  at: string;
  service: ServiceName;
  operation: string;
  /** Whether the operation changes state (anything but Describe*, List*, Get*, BatchGet*, Filter*). */
  mutating: boolean;
  /** HTTP status answered (0 when the connection was reset). */
  status: number;
  /** Error code, when the call failed. */
  error?: string;
  /** Fault rule that decided the answer, if any. */
  fault?: string;
  requestId: string;
  input: unknown;
  /** The access key id the request was signed with (tells the verification hook's calls from the tool's). */
  accessKeyId?: string;
}

const READ_ONLY = /^(Describe|List|Get|BatchGet|Filter)/;

export function isMutating(operation: string): boolean {
  return !READ_ONLY.test(operation);
}

export class CallLog {
  private records: CallRecord[] = [];

  add(record: Omit<CallRecord, 'seq' | 'mutating'>): CallRecord {
    const full: CallRecord = { ...record, seq: this.records.length + 1, mutating: isMutating(record.operation) };
    this.records.push(full);
    return full;
  }

  all(): CallRecord[] {
    return [...this.records];
  }

  clear(): void {
    this.records = [];
  }
}
