// Id generators (kinto-api.md §3.1, settings.md §3.4): a generator creates ids for
// POST without id, and its pattern is what validates ids in URLs and bodies.
import { randomInt, randomUUID } from 'node:crypto';
import { StartupError } from '../errors.js';

export interface IdGenerator {
  readonly regexp: RegExp;
  generate(): string;
}

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NAME_CHARS = `${ALPHANUM}_-`;

/** Kinto's `kinto.views.NameGenerator`: 8 characters, the first alphanumeric. */
export const nameGenerator: IdGenerator = {
  regexp: /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/,
  generate() {
    let id = ALPHANUM[randomInt(ALPHANUM.length)]!;
    for (let i = 0; i < 7; i++) id += NAME_CHARS[randomInt(NAME_CHARS.length)]!;
    return id;
  },
};

/** Kinto's `kinto.views.RelaxedUUID`: generates UUID4, accepts any simple id. */
export const relaxedUuidGenerator: IdGenerator = {
  regexp: /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/,
  generate: () => randomUUID(),
};

/** Kinto's `kinto.core.storage.generators.UUID4`. */
export const uuid4Generator: IdGenerator = {
  regexp: /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/,
  generate: () => randomUUID(),
};

const GENERATORS: Record<string, IdGenerator> = {
  'kinto.views.NameGenerator': nameGenerator,
  'kinto.views.RelaxedUUID': relaxedUuidGenerator,
  'kinto.core.storage.generators.UUID4': uuid4Generator,
  'kinto.core.storage.generators.UUID': uuid4Generator,
  name: nameGenerator,
  'relaxed-uuid': relaxedUuidGenerator,
  uuid4: uuid4Generator,
};

/** The generator named by a setting value; an unknown name stops start-up. */
export function idGeneratorByName(name: string, setting: string): IdGenerator {
  const generator = GENERATORS[name];
  if (!generator) {
    throw new StartupError(
      'KINTO_ERR_SETTING',
      `unknown id generator '${name}' for setting '${setting}' (known: ${Object.keys(GENERATORS).join(', ')})`,
    );
  }
  return generator;
}
