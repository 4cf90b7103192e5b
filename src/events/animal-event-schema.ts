/** The attributes of `animal` events as a zod schema, for the `animal` variant of the event schema (`event-schema.ts`). */
import { z } from 'zod';
import { SPECIES_GROUPS, THREAT_LEVELS } from '../core/animals.ts';

/** `animal` event attributes: the zone, the animal's class and group, and its threat. */
export const AnimalEventAttributesSchema = z
  .object({
    zoneId: z.string().describe('The zone the rule watches (`all`: the whole frame).'),
    species: z.enum(SPECIES_GROUPS).describe('Species group of the animal: `bird`, `pet`, `livestock`, `wild-large`, `wild-small`, or `other` for a class the rule\'s threat table adds without a group.'),
    label: z.string().min(1).describe('Detected class, e.g. `dog` (as in the subject).'),
    threat: z.enum(THREAT_LEVELS)
      .describe('Highest threat level of the animal since the event started, from the rule\'s threat table for its zone and local hour; sets the severity (none and low: info, medium: warning, high: critical, never below the rule\'s severity).'),
  })
  .strict();
