// One FxA service notification (fxa.md §10.3 step 1, §11.7): an SNS-style envelope
// whose `Message` field is a string holding the JSON event. Anything else is junk
// to be dropped, never a crash of the worker.

export type ParsedMessage = { ok: true; event: string; uid: string; fields: Record<string, unknown> } | { ok: false; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseAccountMessage(body: string): ParsedMessage {
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  if (!isRecord(envelope)) return { ok: false, reason: 'the body is not a JSON object' };
  if (typeof envelope.Message !== 'string') return { ok: false, reason: "'Message' is missing or not a string" };
  let event: unknown;
  try {
    event = JSON.parse(envelope.Message);
  } catch {
    return { ok: false, reason: "'Message' is not JSON" };
  }
  if (!isRecord(event)) return { ok: false, reason: "'Message' is not a JSON object" };
  if (typeof event.event !== 'string') return { ok: false, reason: "'event' is missing" };
  if (typeof event.uid !== 'string' || event.uid === '') return { ok: false, reason: "'uid' is missing" };
  return { ok: true, event: event.event, uid: event.uid, fields: event };
}
